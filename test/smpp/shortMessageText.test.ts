/** Strict decoding of a client's short_message by data_coding (smpp-interface.md §3), against the `smpp` library's encodings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GSM7_BASIC, GSM7_ESCAPE } from '../../src/domain/smsParts.js';
import { toGsm7Septets } from '../../src/smpp/gsm7.js';
import { decodeSubmittedText } from '../../src/smpp/shortMessageText.js';
import { libraryDecoded, libraryEncode, libraryRawFields } from '../support/smppLibraryRaw.js';

/** The octets of short_message as the library writes them for `text` with `dataCoding`. */
function libraryOctets(text: string, dataCoding: number, field = 'short_message'): Buffer {
  const raw = libraryRawFields(libraryEncode('submit_sm', { data_coding: dataCoding, [field]: text }))[field];
  assert.ok(Buffer.isBuffer(raw));
  return raw;
}

const ok = (text: string) => ({ ok: true, text });
const failed = (result: ReturnType<typeof decodeSubmittedText>, pattern: RegExp): void => {
  assert.equal(result.ok, false, JSON.stringify(result));
  if (!result.ok) assert.match(result.reason, pattern);
};

test('DCS 0: GSM 03.38 unpacked, every extension character, as the library writes them', () => {
  const extensions = '^{}\\[~]|€\f';
  const text = `Hi @£$¥ èéùìò ÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞ ÆæßÉ ¤ ¡ÄÖÑÜ§¿äöñüà ${extensions} 0-9 [x]`;
  const octets = libraryOctets(text, 0);
  assert.ok(octets.every((octet) => octet <= 0x7f));
  assert.equal(octets.toString('hex').match(/1b/g)?.length, extensions.length + 2);
  assert.deepEqual(decodeSubmittedText(0, octets), ok(text));
  // Each extension character alone is escape + its code.
  for (const char of extensions) {
    const one = libraryOctets(char, 0);
    assert.equal(one.length, 2);
    assert.equal(one[0], GSM7_ESCAPE);
    assert.deepEqual(decodeSubmittedText(0, one), ok(char));
  }
  // The whole basic table, one septet per octet.
  const basic = [...GSM7_BASIC].filter((_, code) => code !== GSM7_ESCAPE).join('');
  assert.deepEqual(decodeSubmittedText(0, toGsm7Septets(basic)), ok(basic));
  assert.deepEqual(decodeSubmittedText(0, libraryOctets(basic, 0)), ok(basic));
  // The library's own reading agrees.
  const decoded = libraryDecoded(libraryEncode('submit_sm', { data_coding: 0, short_message: text }));
  assert.equal((decoded['short_message'] as { message: string }).message, text);
});

test('DCS 0: octets above 0x7F, an escape before a non-extension code, a trailing escape are errors', () => {
  failed(decodeSubmittedText(0, Buffer.from([0x41, 0x80])), /0x80 at 1/);
  failed(decodeSubmittedText(0, Buffer.from([0xff])), /0xFF/);
  failed(decodeSubmittedText(0, Buffer.from([0x1b, 0x41])), /escape 0x1B followed by 0x41/);
  failed(decodeSubmittedText(0, Buffer.from([0x1b, 0x1b, 0x14])), /followed by 0x1B/);
  failed(decodeSubmittedText(0, Buffer.from([0x41, 0x1b])), /ends the message/);
  assert.deepEqual(decodeSubmittedText(0, Buffer.alloc(0)), ok(''));
});

test('DCS 1: IA5 / ASCII, 0x00–0x7F only', () => {
  const all = Buffer.from(Array.from({ length: 128 }, (_, i) => i));
  assert.deepEqual(decodeSubmittedText(1, all), ok(all.toString('latin1')));
  assert.deepEqual(decodeSubmittedText(1, Buffer.from('Hello, {world} ~ @', 'ascii')), ok('Hello, {world} ~ @'));
  failed(decodeSubmittedText(1, Buffer.from([0x48, 0x69, 0xe9])), /0xE9 at 2/);
  failed(decodeSubmittedText(1, Buffer.from([0x80])), /not ASCII/);
});

test('DCS 3: Latin-1 é ü ß and every octet', () => {
  const text = 'Grüße, café £ ÿ';
  const octets = libraryOctets(text, 3);
  assert.equal(octets.toString('hex'), Buffer.from(text, 'latin1').toString('hex'));
  assert.ok(octets.includes(0xe9) && octets.includes(0xfc) && octets.includes(0xdf));
  assert.deepEqual(decodeSubmittedText(3, octets), ok(text));
  const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const decoded = decodeSubmittedText(3, every);
  assert.ok(decoded.ok);
  if (decoded.ok) assert.deepEqual([...decoded.text].map((c) => c.codePointAt(0)), [...every]);
});

test('DCS 8: UCS-2 big-endian, a surrogate pair is one astral character', () => {
  const text = 'Привет 😀 мир 👍🏽';
  const octets = libraryOctets(text, 8);
  assert.equal(octets.subarray(0, 2).toString('hex'), '041f'); // big-endian П
  assert.ok(octets.toString('hex').includes('d83dde00')); // 😀 as a surrogate pair
  const decoded = decodeSubmittedText(8, octets);
  assert.deepEqual(decoded, ok(text));
  if (decoded.ok) assert.equal([...decoded.text].filter((c) => c === '😀').length, 1);
  // Through message_payload too.
  assert.deepEqual(decodeSubmittedText(8, libraryOctets(text, 8, 'message_payload')), ok(text));
});

test('DCS 8: odd length and lone surrogates are errors', () => {
  failed(decodeSubmittedText(8, Buffer.from('004100', 'hex')), /odd number of octets \(3\)/);
  failed(decodeSubmittedText(8, Buffer.from('d83d0041', 'hex')), /high surrogate 0xD83D at octet 0/);
  failed(decodeSubmittedText(8, Buffer.from('0041d83d', 'hex')), /high surrogate 0xD83D at octet 2/);
  failed(decodeSubmittedText(8, Buffer.from('de000041', 'hex')), /lone low surrogate 0xDE00 at octet 0/);
  failed(decodeSubmittedText(8, Buffer.from('d83dd83dde00', 'hex')), /high surrogate/);
  assert.deepEqual(decodeSubmittedText(8, Buffer.from('d83dde00', 'hex')), ok('😀'));
  assert.deepEqual(decodeSubmittedText(8, Buffer.alloc(0)), ok(''));
});

test('other data codings are not decodable', () => {
  for (const dcs of [0x02, 0x04, 0x05, 0x06, 0x07, 0x09, 0x0e, 0x10, 0x18, 0xf0, 0xff]) {
    failed(decodeSubmittedText(dcs, Buffer.from('41', 'hex')), /not decodable/);
  }
});
