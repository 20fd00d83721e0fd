import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnknownVoiceError } from '../../src/voice/espeak.js';
import { createVoicecodeSpeech, trimSilence } from '../../src/voice/voicecodeSpeech.js';

const RATE = 8000;

/** Share of 20 ms frames louder than -40 dBFS: speech has most of them, silence none. */
function voicedShare(samples: Int16Array): number {
  const frame = RATE / 50;
  let voiced = 0;
  let frames = 0;
  for (let start = 0; start + frame <= samples.length; start += frame, frames++) {
    let sum = 0;
    for (let i = start; i < start + frame; i++) sum += samples[i]! ** 2;
    if (Math.sqrt(sum / frame) > 328) voiced++;
  }
  return voiced / frames;
}

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const x of samples) sum += x * x;
  return Math.sqrt(sum / samples.length);
}

const speech = createVoicecodeSpeech();

test('a 4-digit code read twice is speech of a plausible length', async () => {
  const audio = await speech.render({ brand: 'revicom', digits: '3456' });
  const seconds = audio.length / RATE;
  assert.ok(seconds > 2 && seconds < 12, `${seconds} s`);
  // Pauses between digits and readings are true silence; the words are loud.
  assert.ok(voicedShare(audio) > 0.3, `voiced share ${voicedShare(audio)}`);
  const middle = audio.subarray(audio.length * 0.2, audio.length * 0.8);
  assert.ok(rms(middle) > 1000, `rms of the middle ${rms(middle)} (-30 dBFS is 1036)`);
  assert.ok(voicedShare(audio.subarray(0, RATE)) > 0.5, 'no silence at the start: the clips are trimmed');
});

test('each extra reading adds the pause and the code once more', async () => {
  const pauseMs = 700;
  const pause = (pauseMs * RATE) / 1000;
  const [once, twice, thrice] = await Promise.all(
    [1, 2, 3].map((repeat) => createVoicecodeSpeech({ repeat, pauseMs }).render({ brand: 'live-chat', digits: '1234' })),
  );
  const reading = twice!.length - once!.length - pause;
  assert.equal(thrice!.length - twice!.length, reading + pause);
  assert.ok(reading > 1 * RATE && reading < 4 * RATE, `the code takes ${reading / RATE} s`);
  assert.deepEqual(twice!.subarray(0, once!.length), once!);
  assert.ok(twice!.subarray(once!.length, once!.length + pause).every((x) => x === 0), 'the pause is silence');
  assert.deepEqual(twice!.subarray(once!.length + pause), once!.subarray(once!.length - reading));
});

test('different codes give different audio; the same code the same audio', async () => {
  const a = await speech.render({ brand: 'revicom', digits: '3456' });
  const b = await speech.render({ brand: 'revicom', digits: '3457' });
  const again = await speech.render({ brand: 'revicom', digits: '3456' });
  assert.notDeepEqual(a, b);
  assert.deepEqual(again, a);
  const longer = await speech.render({ brand: 'Мой Банк', digits: '12345678' });
  assert.ok(longer.length > a.length, '8 digits and a longer brand take longer');
});

/** How many samples two renders share from the start. */
function commonPrefix(a: Int16Array, b: Int16Array): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

// Shown by the audio, not by timing (a timed ratio fails on a loaded machine; bench/tts.ts has the per-call cost):
// espeak-ng jitters, so two syntheses of one text part within the first tenth of a second, while two renders of a
// brand share its phrase and the pause after it sample for sample.
test('the brand phrase is synthesized once: two codes for a brand share its phrase exactly', async () => {
  const text = 'Код авторизации от shop.example:';
  const once = await speech.renderText(text);
  const twice = await speech.renderText(text);
  assert.ok(commonPrefix(once, twice) < RATE / 10, 'two syntheses of a text differ (or this test proves nothing)');
  const first = await speech.render({ brand: 'shop.example', digits: '1111' });
  const second = await speech.render({ brand: 'shop.example', digits: '2222' });
  const other = await speech.render({ brand: 'other.example', digits: '1111' });
  // The phrase (~2 s) and the 0.5 s pause after it, then the first digit differs.
  assert.ok(commonPrefix(first, second) > 2 * RATE, `${commonPrefix(first, second)} samples in common`);
  assert.ok(commonPrefix(first, other) < RATE / 10, 'another brand has its own phrase');
});

test('renderText reads any text, markup characters included', async () => {
  const audio = await speech.renderText('Ваш заказ <номер> 5 & готов');
  assert.ok(audio.length > RATE, `${audio.length / RATE} s`);
  assert.ok(voicedShare(audio) > 0.3);
});

test('bad input is refused', async () => {
  await assert.rejects(speech.render({ brand: 'revicom', digits: '12a4' }), RangeError);
  await assert.rejects(speech.render({ brand: ' ', digits: '1234' }), RangeError);
  await assert.rejects(createVoicecodeSpeech({ voice: 'no-such-voice' }).renderText('1'), UnknownVoiceError);
  assert.throws(() => createVoicecodeSpeech({ repeat: 0 }), RangeError);
  // The shared engine is still usable after a failed voice change.
  assert.ok((await speech.render({ brand: 'revicom', digits: '9999' })).length > 0);
});

test('trimSilence keeps the sound and a 5 ms margin', () => {
  const samples = new Int16Array(1000);
  samples.fill(1000, 400, 600);
  samples[10] = 20; // below the threshold: still silence
  const trimmed = trimSilence(samples);
  assert.equal(trimmed.length, 200 + 2 * 40);
  assert.equal(trimmed[40], 1000);
  assert.equal(trimSilence(new Int16Array(100)).length, 0);
});
