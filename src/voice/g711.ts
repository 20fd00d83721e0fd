/*
 * ITU-T G.711 A-law and µ-law, 16-bit linear PCM in and out. The per-sample conversions are the classic
 * bit-twiddling of the reference implementation (Sun's g711.c); they fill lookup tables once, so encoding a call's
 * audio is one table read per sample.
 */

/** A-law segment end points, in 13-bit magnitude (the 16-bit sample shifted right by 3). */
const ALAW_SEGMENT_ENDS = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
/** µ-law segment end points, in 14-bit magnitude with the bias added. */
const ULAW_SEGMENT_ENDS = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const ULAW_BIAS = 0x84;
const ULAW_CLIP = 8159;

function segmentOf(magnitude: number, ends: readonly number[]): number {
  let segment = 0;
  while (segment < ends.length && magnitude > ends[segment]!) segment++;
  return segment;
}

function linearToAlaw(sample: number): number {
  let magnitude = sample >> 3;
  let mask: number;
  if (magnitude >= 0) {
    mask = 0xd5; // sign bit set, even bits inverted
  } else {
    mask = 0x55;
    magnitude = -magnitude - 1;
  }
  const segment = segmentOf(magnitude, ALAW_SEGMENT_ENDS);
  if (segment >= 8) return 0x7f ^ mask;
  const mantissa = segment < 2 ? (magnitude >> 1) & 0x0f : (magnitude >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}

function alawToLinear(code: number): number {
  const value = code ^ 0x55;
  const segment = (value & 0x70) >> 4;
  let magnitude = (value & 0x0f) << 4;
  if (segment === 0) magnitude += 8;
  else magnitude = (magnitude + 0x108) << (segment - 1);
  return value & 0x80 ? magnitude : -magnitude;
}

function linearToUlaw(sample: number): number {
  let magnitude = sample >> 2;
  let mask: number;
  if (magnitude < 0) {
    magnitude = -magnitude;
    mask = 0x7f;
  } else {
    mask = 0xff;
  }
  magnitude = Math.min(magnitude, ULAW_CLIP) + (ULAW_BIAS >> 2);
  const segment = segmentOf(magnitude, ULAW_SEGMENT_ENDS);
  if (segment >= 8) return 0x7f ^ mask;
  return ((segment << 4) | ((magnitude >> (segment + 1)) & 0x0f)) ^ mask;
}

function ulawToLinear(code: number): number {
  const value = ~code & 0xff;
  const magnitude = (((value & 0x0f) << 3) + ULAW_BIAS) << ((value & 0x70) >> 4);
  return value & 0x80 ? ULAW_BIAS - magnitude : magnitude - ULAW_BIAS;
}

/** Indexed by the 16-bit sample's unsigned bit pattern (sample & 0xffff). */
const ALAW_ENCODE = new Uint8Array(65536);
const ULAW_ENCODE = new Uint8Array(65536);
const ALAW_DECODE = new Int16Array(256);
const ULAW_DECODE = new Int16Array(256);
for (let bits = 0; bits < 65536; bits++) {
  const sample = (bits << 16) >> 16;
  ALAW_ENCODE[bits] = linearToAlaw(sample);
  ULAW_ENCODE[bits] = linearToUlaw(sample);
}
for (let code = 0; code < 256; code++) {
  ALAW_DECODE[code] = alawToLinear(code);
  ULAW_DECODE[code] = ulawToLinear(code);
}

function encodeWith(table: Uint8Array, samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = table[samples[i]! & 0xffff]!;
  return out;
}

function decodeWith(table: Int16Array, codes: Uint8Array): Int16Array {
  const out = new Int16Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = table[codes[i]!]!;
  return out;
}

/** PCMA (RTP payload type 8). */
export const encodeAlaw = (samples: Int16Array): Uint8Array => encodeWith(ALAW_ENCODE, samples);
export const decodeAlaw = (codes: Uint8Array): Int16Array => decodeWith(ALAW_DECODE, codes);
/** PCMU (RTP payload type 0). */
export const encodeUlaw = (samples: Int16Array): Uint8Array => encodeWith(ULAW_ENCODE, samples);
export const decodeUlaw = (codes: Uint8Array): Int16Array => decodeWith(ULAW_DECODE, codes);
