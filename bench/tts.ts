import { encodeAlaw } from '../src/voice/g711.js';
import { TELEPHONY_SAMPLE_RATE } from '../src/voice/resample.js';
import { createVoicecodeSpeech } from '../src/voice/voicecodeSpeech.js';
import { fmt, percentile } from './stats.js';

const BRAND = 'revicom';
const RENDERS = 100;

const randomCode = (): string => String(Math.floor(Math.random() * 10_000)).padStart(4, '0');

/**
 * VOICECODE text-to-speech cost: the first render (loads espeak-ng, synthesizes the digits and the brand phrase),
 * a new brand on a warm engine, then the per-call cost once cached — median of 100 renders of random 4-digit codes
 * for one brand, plus the G.711 encoding the RTP sender does.
 */
export async function benchTts(): Promise<void> {
  const speech = createVoicecodeSpeech();
  let started = performance.now();
  const first = await speech.render({ brand: BRAND, digits: randomCode() });
  const cold = performance.now() - started;

  started = performance.now();
  await speech.render({ brand: `${BRAND}-new`, digits: randomCode() });
  const newBrand = performance.now() - started;

  const renders: number[] = [];
  const encodes: number[] = [];
  for (let i = 0; i < RENDERS; i++) {
    started = performance.now();
    const audio = await speech.render({ brand: BRAND, digits: randomCode() });
    renders.push(performance.now() - started);
    started = performance.now();
    encodeAlaw(audio);
    encodes.push(performance.now() - started);
  }
  renders.sort((a, b) => a - b);
  encodes.sort((a, b) => a - b);
  const seconds = first.length / TELEPHONY_SAMPLE_RATE;
  console.log(`tts: cold first render ${fmt(cold, 1)} ms (engine load + 10 digit clips + brand phrase), ${fmt(seconds, 2)} s of audio`);
  console.log(`  new brand on a warm engine ${fmt(newBrand, 1)} ms`);
  console.log(
    `  per call, cached: median ${fmt(percentile(renders, 50), 3)} ms, p99 ${fmt(percentile(renders, 99), 3)} ms over ${RENDERS} renders; ` +
      `G.711 A-law encoding median ${fmt(percentile(encodes, 50), 3)} ms`,
  );
}
