/*
 * Sample-rate conversion by a polyphase windowed-sinc filter. For rates in the ratio up/down (reduced by their gcd),
 * output sample n lies at input position n·down/up, so only `up` distinct fractional offsets occur: their filter taps
 * are computed once per rate pair. The low-pass cuts below the lower Nyquist frequency so that 22050 → 8000 Hz does
 * not fold the 4–11 kHz band of the voice back into the telephone band.
 */

export const TELEPHONY_SAMPLE_RATE = 8000;

/** Pass band edge as a fraction of the lower Nyquist frequency; the transition band ends at Nyquist. */
const PASSBAND_FRACTION = 0.85;
/** Blackman window: about -74 dB stop band, transition width ≈ 5.5 / taps (in cycles per input sample). */
const BLACKMAN_TRANSITION = 5.5;

interface Polyphase {
  up: number;
  down: number;
  halfTaps: number;
  /** `up` rows of 2·halfTaps taps; row p applies to output samples at fractional input offset p/up. */
  taps: Float64Array;
}

const filters = new Map<string, Polyphase>();

export function resample(samples: Int16Array, fromRate: number, toRate: number = TELEPHONY_SAMPLE_RATE): Int16Array {
  if (fromRate === toRate) return samples.slice();
  const { up, down, halfTaps, taps } = polyphaseFor(fromRate, toRate);
  const width = 2 * halfTaps;
  const out = new Int16Array(Math.floor((samples.length * up) / down));
  for (let n = 0; n < out.length; n++) {
    const position = n * down;
    const base = Math.floor(position / up);
    const row = (position % up) * width;
    // Taps j = 0..width-1 sit at input samples base - halfTaps + 1 + j; outside the clip is silence.
    const first = base - halfTaps + 1;
    const from = Math.max(0, -first);
    const to = Math.min(width, samples.length - first);
    let sum = 0;
    for (let j = from; j < to; j++) sum += samples[first + j]! * taps[row + j]!;
    out[n] = Math.max(-32768, Math.min(32767, Math.round(sum)));
  }
  return out;
}

function polyphaseFor(fromRate: number, toRate: number): Polyphase {
  const key = `${fromRate}/${toRate}`;
  let filter = filters.get(key);
  if (!filter) {
    filter = designPolyphase(fromRate, toRate);
    filters.set(key, filter);
  }
  return filter;
}

function designPolyphase(fromRate: number, toRate: number): Polyphase {
  if (!Number.isInteger(fromRate) || !Number.isInteger(toRate) || fromRate <= 0 || toRate <= 0) {
    throw new RangeError(`sample rates must be positive integers, got ${fromRate} → ${toRate}`);
  }
  const divisor = gcd(fromRate, toRate);
  const up = toRate / divisor;
  const down = fromRate / divisor;
  const nyquist = Math.min(fromRate, toRate) / 2;
  const cutoff = (PASSBAND_FRACTION * nyquist) / fromRate; // cycles per input sample
  const transition = (2 * (1 - PASSBAND_FRACTION) * nyquist) / fromRate;
  const halfTaps = Math.ceil(BLACKMAN_TRANSITION / transition / 2);
  const width = 2 * halfTaps;
  const taps = new Float64Array(up * width);
  for (let phase = 0; phase < up; phase++) {
    const offset = phase / up;
    let total = 0;
    for (let j = 0; j < width; j++) {
      const distance = j - halfTaps + 1 - offset; // input sample minus output position
      const tap = 2 * cutoff * sinc(2 * cutoff * distance) * blackman((distance + halfTaps) / width);
      taps[phase * width + j] = tap;
      total += tap;
    }
    // Unity gain at DC for every phase, or the phases' small gain differences would add a ripple tone.
    for (let j = 0; j < width; j++) taps[phase * width + j] /= total;
  }
  return { up, down, halfTaps, taps };
}

function sinc(x: number): number {
  return x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
}

/** Blackman window over x ∈ [0, 1]. */
function blackman(x: number): number {
  if (x <= 0 || x >= 1) return 0;
  return 0.42 - 0.5 * Math.cos(2 * Math.PI * x) + 0.08 * Math.cos(4 * Math.PI * x);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
