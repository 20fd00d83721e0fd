import { test } from 'node:test';
import assert from 'node:assert/strict';
import smpp from 'smpp';
import { GSM7_BASIC, GSM7_EXTENSION, isGsm7Char } from '../../src/domain/smsParts.js';
import { fromGsm7Septets, packSeptets, toGsm7Septets, udhFillBits, unpackSeptets } from '../../src/smpp/gsm7.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('the alphabet has 128 positions with the escape at 0x1B', () => {
  assert.equal([...GSM7_BASIC].length, 128);
  assert.equal(GSM7_BASIC[0x1b], '\u001b');
});

test('well-known positions: @ 0x00, £ 0x01, $ 0x02, ¥ 0x03, è 0x04, LF 0x0A, CR 0x0D, Δ 0x10, _ 0x11, space 0x20, ¤ 0x24, ¡ 0x40, § 0x5F, ¿ 0x60, à 0x7F', () => {
  const expected: [string, number][] = [
    ['@', 0x00], ['£', 0x01], ['$', 0x02], ['¥', 0x03], ['è', 0x04], ['\n', 0x0a], ['\r', 0x0d], ['Δ', 0x10], ['_', 0x11],
    [' ', 0x20], ['¤', 0x24], ['0', 0x30], ['A', 0x41], ['a', 0x61], ['¡', 0x40], ['Ä', 0x5b], ['§', 0x5f], ['¿', 0x60], ['ä', 0x7b], ['à', 0x7f],
  ];
  for (const [char, code] of expected) assert.equal(hex(toGsm7Septets(char)), code.toString(16).padStart(2, '0'), JSON.stringify(char));
});

test('every basic character encodes to its position and back', () => {
  for (let code = 0; code < 128; code++) {
    if (code === 0x1b) continue;
    const char = GSM7_BASIC[code]!;
    assert.deepEqual([...toGsm7Septets(char)], [code], `0x${code.toString(16)}`);
    assert.equal(fromGsm7Septets(Uint8Array.of(code)), char);
  }
});

test('every extension character is escape + its code (TS 23.038 table 6.2.1.1)', () => {
  const expected: Record<string, number> = { '\f': 0x0a, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2f, '[': 0x3c, '~': 0x3d, ']': 0x3e, '|': 0x40, '€': 0x65 };
  assert.deepEqual({ ...GSM7_EXTENSION }, expected);
  for (const [char, code] of Object.entries(expected)) {
    assert.ok(isGsm7Char(char));
    assert.deepEqual([...toGsm7Septets(char)], [0x1b, code], JSON.stringify(char));
    assert.equal(fromGsm7Septets(Uint8Array.of(0x1b, code)), char);
  }
});

test('@ £ € in a text', () => {
  assert.equal(hex(toGsm7Septets('@£€')), '00011b65');
  assert.equal(hex(toGsm7Septets('Price: 5€ @ £3 {x}')), '50726963653a2035' + '1b65' + '20' + '00' + '20' + '01' + '33' + '20' + '1b28' + '78' + '1b29');
});

test('round trip of the whole alphabet', () => {
  const all = GSM7_BASIC.replace('\u001b', '') + Object.keys(GSM7_EXTENSION).join('');
  assert.equal(fromGsm7Septets(toGsm7Septets(all)), all);
});

test('a character outside the alphabet throws a RangeError naming it', () => {
  assert.throws(() => toGsm7Septets('aя'), /U\+044F/);
  assert.throws(() => toGsm7Septets('😀'), /U\+1F600/);
  assert.throws(() => toGsm7Septets('ç'), RangeError); // Ç (0x09) is in the alphabet, ç is not
});

test('decoding: an unknown escape shows the basic character; a lone or doubled escape shows a space', () => {
  assert.equal(fromGsm7Septets(Uint8Array.of(0x1b, 0x41)), 'A');
  assert.equal(fromGsm7Septets(Uint8Array.of(0x41, 0x1b)), 'A ');
  assert.equal(fromGsm7Septets(Uint8Array.of(0x1b, 0x1b, 0x41)), ' A');
});

test('packing: "hellohello" is the TS 23.038 example e8329bfd4697d9ec37', () => {
  assert.equal(hex(packSeptets(toGsm7Septets('hellohello'))), 'e8329bfd4697d9ec37');
  assert.equal(fromGsm7Septets(unpackSeptets(Buffer.from('e8329bfd4697d9ec37', 'hex'), 10)), 'hellohello');
});

test('packing: 8 septets fill 7 octets; 160 septets fill 140 octets', () => {
  assert.equal(packSeptets(toGsm7Septets('12345678')).length, 7);
  assert.equal(packSeptets(toGsm7Septets('a'.repeat(160))).length, 140);
  assert.equal(packSeptets(toGsm7Septets('a'.repeat(153)), udhFillBits(6)).length, 134); // + 6 octets of UDH = 140
});

test('fill bits after a UDH: 6 octets → 1, 7 octets (56 bits, 8 septets) → 0, 5 → 2', () => {
  assert.equal(udhFillBits(6), 1);
  assert.equal(udhFillBits(7), 0);
  assert.equal(udhFillBits(5), 2);
  assert.equal(udhFillBits(0), 0);
});

test('packing with fill bits round-trips for every fill and many lengths', () => {
  const text = 'The quick brown fox €[]{} @£ 0123456789';
  for (let fill = 0; fill <= 6; fill++) {
    for (let n = 0; n <= text.length; n++) {
      const septets = toGsm7Septets(text.slice(0, n));
      const packed = packSeptets(septets, fill);
      assert.equal(packed.length, Math.ceil((fill + septets.length * 7) / 8));
      assert.deepEqual(unpackSeptets(packed, septets.length, fill), septets);
    }
  }
  assert.throws(() => packSeptets(Uint8Array.of(1), 7), RangeError);
  assert.throws(() => unpackSeptets(Uint8Array.of(1), 2), RangeError);
});

test('the smpp library sends data_coding 0 as UNPACKED septets, one per octet, exactly as toGsm7Septets', () => {
  const text = '@£$ Hello {world} €5 ^~|\\[]';
  const pdu = new smpp.PDU('submit_sm', { destination_addr: '79261234567', data_coding: 0, short_message: text });
  const raw = pdu.toBuffer();
  const smLength = toGsm7Septets(text).length;
  const shortMessage = raw.subarray(raw.length - smLength);
  assert.equal(raw[raw.length - smLength - 1], smLength, 'sm_length precedes the message');
  assert.deepEqual(shortMessage, toGsm7Septets(text));
  // And it reads our octets back to the same text.
  const parsed = new smpp.PDU(Buffer.from(raw));
  assert.equal((parsed['short_message'] as { message: string }).message, text);
});
