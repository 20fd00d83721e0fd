import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resample } from '../../src/voice/resample.js';

function sine(frequency: number, sampleRate: number, seconds: number, amplitude = 16000): Int16Array {
  const at = (i: number): number => Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate));
  return Int16Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) => at(i));
}

function zeroCrossings(samples: Int16Array): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 !== samples[i]! < 0) crossings++;
  return crossings;
}

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const x of samples) sum += x * x;
  return Math.sqrt(sum / samples.length);
}

/** The middle, away from the filter's start-up and tail. */
const middle = (samples: Int16Array): Int16Array => samples.subarray(samples.length / 10, (samples.length * 9) / 10);

test('22050 → 8000 Hz keeps a 440 Hz tone: its frequency, its level, and the duration', () => {
  const input = sine(440, 22050, 1);
  const output = resample(input, 22050, 8000);
  assert.equal(output.length, 8000);
  const measured = zeroCrossings(middle(output)) / 2 / (middle(output).length / 8000);
  assert.ok(Math.abs(measured - 440) < 3, `measured ${measured} Hz`);
  assert.ok(Math.abs(rms(middle(output)) / rms(middle(input)) - 1) < 0.01, 'pass band gain ≈ 1');
});

test('22050 → 8000 Hz removes what would alias: a 6 kHz tone does not come back as 2 kHz', () => {
  const output = resample(sine(6000, 22050, 1), 22050, 8000);
  assert.ok(rms(middle(output)) < 16000 * 0.001, `alias rms ${rms(middle(output))}`); // below -60 dB
});

test('up-sampling and equal rates work too', () => {
  const output = resample(sine(440, 8000, 1), 8000, 22050);
  assert.equal(output.length, 22050);
  assert.ok(Math.abs(zeroCrossings(middle(output)) / 2 / 0.8 - 440) < 3);
  const same = Int16Array.of(1, 2, 3);
  assert.deepEqual(resample(same, 8000, 8000), same);
  assert.throws(() => resample(same, 0, 8000), RangeError);
});

test('full-scale input stays within int16', () => {
  const square = Int16Array.from({ length: 4410 }, (_, i) => (Math.floor(i / 20) % 2 ? 32767 : -32768));
  const output = resample(square, 22050, 8000);
  assert.ok(output.every((x) => x >= -32768 && x <= 32767));
});
