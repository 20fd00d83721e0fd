import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countSmsParts } from '../../src/domain/smsParts.js';
import { packSeptets, toGsm7Septets, unpackSeptets } from '../../src/smpp/gsm7.js';
import {
  decodeShortMessage,
  decodeUcs2,
  encodeUcs2,
  segmentSms,
  splitSmsText,
  udhElements,
  type SegmentationMode,
} from '../../src/smpp/segmentation.js';

const udh = (text: string, reference = 7) => segmentSms(text, { reference, mode: 'udh' });
const hex = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString('hex') : '');

test('GSM-7: 160 septets is one part without UDH; 161 is two parts of 153 + 8', () => {
  const one = udh('a'.repeat(160));
  assert.equal(one.dataCoding, 0x00);
  assert.equal(one.parts.length, 1);
  assert.equal(one.parts[0]!.esmClass, 0x00);
  assert.equal(one.parts[0]!.udh, undefined);
  assert.equal(one.parts[0]!.shortMessage.length, 160);

  const two = udh('a'.repeat(161));
  assert.deepEqual(two.parts.map((p) => p.text.length), [153, 8]);
  assert.deepEqual(two.parts.map((p) => p.shortMessage.length), [6 + 153, 6 + 8]);
  assert.ok(two.parts.every((p) => p.esmClass === 0x40));
});

test('GSM-7: 153·n septets fill n parts exactly; one more opens a new part', () => {
  for (const n of [2, 3, 4, 10]) {
    assert.equal(udh('b'.repeat(153 * n)).parts.length, n);
    assert.equal(udh('b'.repeat(153 * n + 1)).parts.length, n + 1);
  }
});

test('UDH bytes: 05 00 03 ref total seq', () => {
  const { parts } = udh('x'.repeat(400), 0xab);
  assert.deepEqual(parts.map((p) => hex(p.udh)), ['050003ab0301', '050003ab0302', '050003ab0303']);
  for (const p of parts) assert.equal(hex(p.shortMessage.subarray(0, 6)), hex(p.udh));
  assert.equal(hex(parts[0]!.shortMessage.subarray(6, 9)), '787878'); // unpacked septets after the UDH
});

test('GSM-7: an escape pair is never split across parts', () => {
  // 152 septets + € (2) does not fit 153: € opens part 2.
  const { parts } = udh('a'.repeat(152) + '€' + 'a'.repeat(10));
  assert.equal(parts[0]!.text, 'a'.repeat(152));
  assert.ok(parts[1]!.text.startsWith('€'));
  for (const p of parts) assert.notEqual(p.shortMessage[p.shortMessage.length - 1], 0x1b);
  // 151 + € = 153 exactly: fits.
  assert.equal(udh('a'.repeat(151) + '€' + 'a'.repeat(10)).parts[0]!.text, 'a'.repeat(151) + '€');
});

test('GSM-7: extension characters count 2 septets (80 in one part, 81 need two)', () => {
  assert.equal(udh('{'.repeat(80)).parts.length, 1);
  assert.equal(udh('{'.repeat(80)).parts[0]!.shortMessage.length, 160);
  assert.equal(udh('{'.repeat(81)).parts.length, 2);
});

test('UCS-2: 70 units is one part, 71 two; 67 units per part, big-endian', () => {
  const one = udh('я'.repeat(70));
  assert.equal(one.dataCoding, 0x08);
  assert.equal(one.encoding, 'UCS2');
  assert.equal(one.parts.length, 1);
  assert.equal(one.parts[0]!.shortMessage.length, 140);
  assert.equal(hex(one.parts[0]!.shortMessage.subarray(0, 2)), '044f');

  const two = udh('я'.repeat(71));
  assert.deepEqual(two.parts.map((p) => p.text.length), [67, 4]);
  assert.deepEqual(two.parts.map((p) => p.shortMessage.length), [6 + 134, 6 + 8]);
  for (const n of [2, 3, 5]) {
    assert.equal(udh('ж'.repeat(67 * n)).parts.length, n);
    assert.equal(udh('ж'.repeat(67 * n + 1)).parts.length, n + 1);
  }
});

test('UCS-2: a surrogate pair is never split', () => {
  const { parts } = udh('я'.repeat(66) + '😀' + 'я'.repeat(10));
  assert.equal(parts[0]!.text, 'я'.repeat(66));
  assert.ok(parts[1]!.text.startsWith('😀'));
  assert.equal(hex(parts[1]!.shortMessage.subarray(6, 10)), 'd83dde00');
  assert.equal(udh('😀'.repeat(35)).parts.length, 1);
  assert.equal(udh('😀'.repeat(36)).parts.length, 2);
  assert.deepEqual(udh('😀'.repeat(36)).parts.map((p) => [...p.text].length), [33, 3]);
});

test('one character outside GSM-7 makes the whole text UCS-2', () => {
  const s = udh('Hello, мир');
  assert.equal(s.dataCoding, 0x08);
  assert.equal(decodeUcs2(s.parts[0]!.shortMessage), 'Hello, мир');
});

test('SAR mode: TLVs per part, esm_class 0, no UDH; a 16-bit reference is allowed', () => {
  const s = segmentSms('z'.repeat(200), { reference: 0x1234, mode: 'sar' });
  assert.equal(s.parts.length, 2);
  assert.deepEqual(s.parts.map((p) => p.sarTlvs), [
    { sar_msg_ref_num: 0x1234, sar_total_segments: 2, sar_segment_seqnum: 1 },
    { sar_msg_ref_num: 0x1234, sar_total_segments: 2, sar_segment_seqnum: 2 },
  ]);
  assert.ok(s.parts.every((p) => p.esmClass === 0 && p.udh === undefined));
  assert.deepEqual(s.parts.map((p) => p.shortMessage.length), [153, 47]);
  const single = segmentSms('short', { reference: 1, mode: 'sar' });
  assert.equal(single.parts[0]!.sarTlvs, undefined);
});

test('payload mode: one PDU, empty short_message, the whole text in message_payload; totalParts still counts', () => {
  const text = 'Ω'.repeat(100) + '€';
  const s = segmentSms(text, { reference: 0, mode: 'payload' });
  assert.equal(s.parts.length, 1);
  assert.equal(s.totalParts, 1); // GSM: Ω is in the alphabet, 102 septets
  assert.equal(s.parts[0]!.shortMessage.length, 0);
  assert.deepEqual(s.parts[0]!.messagePayload, toGsm7Septets(text));
  const long = segmentSms('я'.repeat(300), { reference: 0, mode: 'payload' });
  assert.equal(long.totalParts, 5);
  assert.equal(long.parts.length, 1);
  assert.equal(long.parts[0]!.messagePayload!.length, 600);
  assert.equal(long.parts[0]!.esmClass, 0);
});

test('references out of range throw', () => {
  assert.throws(() => segmentSms('a'.repeat(200), { reference: 256, mode: 'udh' }), RangeError);
  assert.throws(() => segmentSms('a'.repeat(200), { reference: -1, mode: 'udh' }), RangeError);
  assert.throws(() => segmentSms('a'.repeat(200), { reference: 65536, mode: 'sar' }), RangeError);
  assert.doesNotThrow(() => segmentSms('a'.repeat(20), { reference: 999999, mode: 'udh' })); // single part: no reference used
});

test('packed GSM-7: 140 octets per part with the fill bit after the UDH', () => {
  const s = segmentSms('a'.repeat(161), { reference: 1, mode: 'udh', gsm7: 'packed' });
  assert.equal(s.parts[0]!.shortMessage.length, 140);
  const body = s.parts[0]!.shortMessage.subarray(6);
  assert.deepEqual(unpackSeptets(body, 153, 1), toGsm7Septets('a'.repeat(153)));
  const single = segmentSms('hellohello', { reference: 1, mode: 'udh', gsm7: 'packed' });
  assert.deepEqual(single.parts[0]!.shortMessage, packSeptets(toGsm7Septets('hellohello')));
});

test('an empty text is one empty GSM-7 part', () => {
  const s = udh('');
  assert.equal(s.totalParts, 1);
  assert.equal(s.parts.length, 1);
  assert.equal(s.parts[0]!.shortMessage.length, 0);
});

// ---- Agreement with countSmsParts over many texts ----

function randomTexts(count: number, seed: number): string[] {
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const pools = [
    'abcdefghijklmnopqrstuvwxyz0123456789 .,!?@£$_',
    '^{}\\[]~|€\f',
    'ΔΦΓΛΩΠΨΣΘΞÄÖÑÜäöñüà',
    'абвгдеёжзийклмнопрстуфхцчшщъыьэюя',
    '😀🎉👍🏽',
  ];
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const gsmOnly = next() < 0.5;
    const boundary = [70, 134, 160, 306, 459, 612, 1000][Math.floor(next() * 7)]!;
    const length = Math.max(0, boundary + Math.floor(next() * 8) - 4 + (next() < 0.2 ? Math.floor(next() * 500) : 0));
    let text = '';
    while ([...text].length < length) {
      const r = next();
      const pool = gsmOnly ? (r < 0.8 ? pools[0]! : r < 0.9 ? pools[1]! : pools[2]!) : pools[Math.floor(r * pools.length)]!;
      const chars = [...pool];
      text += chars[Math.floor(next() * chars.length)]!;
    }
    texts.push(text);
  }
  return texts;
}

test('over 3000 texts: the parts agree with countSmsParts and reassemble to the text', () => {
  const modes: SegmentationMode[] = ['udh', 'sar', 'payload'];
  for (const text of randomTexts(3000, 42)) {
    const count = countSmsParts(text);
    assert.equal(splitSmsText(text).parts.length, count.parts);
    for (const mode of modes) {
      const s = segmentSms(text, { reference: 200, mode });
      assert.equal(s.totalParts, count.parts);
      assert.equal(s.encoding, count.encoding);
      assert.equal(s.dataCoding, count.encoding === 'GSM7' ? 0 : 8);
      if (mode === 'payload') {
        assert.equal(decodeShortMessage(s.parts[0]!.messagePayload!, s.dataCoding).text, text);
        continue;
      }
      assert.equal(s.parts.length, count.parts, `${mode}: ${JSON.stringify(text.slice(0, 30))}…`);
      assert.equal(s.parts.map((p) => p.text).join(''), text);
      const multi = s.parts.length > 1;
      for (const [i, part] of s.parts.entries()) {
        const decoded = decodeShortMessage(part.shortMessage, s.dataCoding, part.esmClass);
        assert.equal(decoded.text, part.text);
        if (mode === 'udh' && multi) assert.deepEqual(decoded.concatenation, { reference: 200, total: s.parts.length, seq: i + 1 });
        const body = mode === 'udh' && multi ? part.shortMessage.subarray(6) : part.shortMessage;
        if (s.encoding === 'GSM7') {
          assert.ok(body.length <= (multi ? 153 : 160));
          assert.notEqual(body[body.length - 1], 0x1b, 'no part ends with a lone escape');
        } else {
          assert.ok(body.length <= (multi ? 134 : 140));
          const last = part.text.charCodeAt(part.text.length - 1);
          assert.ok(!(last >= 0xd800 && last <= 0xdbff), 'no part ends with a high surrogate');
        }
        // Unpacked GSM-7 takes up to 160 octets (6 + 153 with UDH); UCS-2 up to 140. Both fit sm_length ≤ 254.
        assert.ok(part.shortMessage.length <= (s.encoding === 'GSM7' ? 160 : 140));
      }
    }
  }
});

test('decodeShortMessage: data codings and UDH elements', () => {
  assert.equal(decodeShortMessage(Buffer.from('Hi@', 'ascii'), 0x01).text, 'Hi@');
  assert.equal(decodeShortMessage(Buffer.from('café', 'latin1'), 0x03).text, 'café');
  assert.equal(decodeShortMessage(encodeUcs2('мир'), 0x08).text, 'мир');
  assert.equal(decodeShortMessage(encodeUcs2('мир'), 0x18).text, 'мир'); // general group, UCS-2, class 0
  assert.equal(decodeShortMessage(toGsm7Septets('@£'), 0xf0).text, '@£'); // class group, GSM-7
  const sixteenBit = Buffer.concat([Buffer.from('06080412340302', 'hex'), toGsm7Septets('part')]);
  const decoded = decodeShortMessage(sixteenBit, 0x00, 0x40);
  assert.deepEqual(decoded.concatenation, { reference: 0x1234, total: 3, seq: 2 });
  assert.equal(decoded.text, 'part');
  assert.deepEqual(udhElements(Buffer.from('050003010201', 'hex')).map((e) => [e.iei, hex(e.data)]), [[0, '010201']]);
});
