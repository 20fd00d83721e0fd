import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from '../../src/voice/g711.js';

const allSamples = (): Int16Array => Int16Array.from({ length: 65536 }, (_, i) => i - 32768);

test('known G.711 code words', () => {
  // Silence, the extremes and a few levels between; the same as the reference g711.c (and CPython's audioop).
  const samples = Int16Array.of(0, 32767, -32768, -1, 1000, -1000, 100, -100, 12345);
  assert.deepEqual([...encodeUlaw(samples)], [0xff, 0x80, 0x00, 0x7e, 0xce, 0x4e, 0xf2, 0x72, 0x97]);
  assert.deepEqual([...encodeAlaw(samples)], [0xd5, 0xaa, 0x2a, 0x55, 0xfa, 0x7a, 0xd3, 0x53, 0xbd]);
  assert.deepEqual([...decodeUlaw(Uint8Array.of(0xff, 0x7f, 0x80, 0x00))], [0, 0, 32124, -32124]);
  assert.deepEqual([...decodeAlaw(Uint8Array.of(0xd5, 0x55, 0xaa, 0x2a))], [8, -8, 32256, -32256]);
});

for (const [name, encode, decode, peak] of [
  ['µ-law', encodeUlaw, decodeUlaw, 32124],
  ['A-law', encodeAlaw, decodeAlaw, 32256],
] as const) {
  test(`${name}: decode(encode(x)) is within half a quantisation step, over the whole 16-bit range`, () => {
    const samples = allSamples();
    const decoded = decode(encode(samples));
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i]!;
      const target = Math.max(-peak, Math.min(peak, x)); // beyond the top level G.711 clips
      // Steps double per segment: the error is at most about 1/32 of the magnitude, and a few units near zero.
      assert.ok(Math.abs(decoded[i]! - target) <= 16 + Math.abs(x) / 32, `${name} ${x} → ${decoded[i]}`);
    }
  });

  test(`${name}: every code decodes to a level that encodes back to it`, () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const again = encode(decode(codes));
    for (let code = 0; code < 256; code++) {
      // µ-law has two zeros (0x7f is "negative zero"); both encode back as 0xff.
      const expected = name === 'µ-law' && code === 0x7f ? 0xff : code;
      assert.equal(again[code], expected, `code 0x${code.toString(16)}`);
    }
  });

  test(`${name}: monotonic, so louder samples never get quieter codes`, () => {
    const decoded = decode(encode(allSamples()));
    for (let i = 1; i < decoded.length; i++) assert.ok(decoded[i]! >= decoded[i - 1]!);
  });
}
