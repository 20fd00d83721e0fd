/** Reading a client's concatenation from the UDH or SAR TLVs (smpp-interface.md §3), from PDUs the `smpp` library writes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concatenationKey, parseUdh, readConcatenation, type Concatenation } from '../../src/smpp/concatenation.js';
import { segmentSms } from '../../src/smpp/segmentation.js';
import { decodeSubmittedText } from '../../src/smpp/shortMessageText.js';
import { libraryDecoded, libraryEncode, libraryRawFields } from '../support/smppLibraryRaw.js';

/** What a server reads of a submit_sm the library wrote: esm_class, the octets of the text, the SAR TLVs. */
function submitFields(fields: Record<string, unknown>): { esmClass: number; message: Buffer; sar: Record<string, number | undefined> } {
  const pdu = libraryEncode('submit_sm', { data_coding: 0, ...fields });
  const raw = libraryRawFields(pdu);
  const decoded = libraryDecoded(pdu);
  const shortMessage = raw['short_message'] as Buffer;
  const payload = raw['message_payload'] as Buffer | undefined;
  return {
    esmClass: raw['esm_class'] as number,
    message: shortMessage.length === 0 && payload ? payload : shortMessage,
    sar: {
      sar_msg_ref_num: decoded['sar_msg_ref_num'] as number | undefined,
      sar_total_segments: decoded['sar_total_segments'] as number | undefined,
      sar_segment_seqnum: decoded['sar_segment_seqnum'] as number | undefined,
    },
  };
}

const read = (fields: Record<string, unknown>): Concatenation => {
  const f = submitFields(fields);
  return readConcatenation(f.esmClass, f.message, f.sar);
};
const textOf = (payload: Buffer): string => {
  const decoded = decodeSubmittedText(0, payload);
  assert.ok(decoded.ok);
  return decoded.ok ? decoded.text : '';
};
const invalid = (result: Concatenation, pattern: RegExp): void => {
  assert.equal(result.kind, 'invalid', JSON.stringify(result));
  if (result.kind === 'invalid') assert.match(result.reason, pattern);
};

test('no UDHI, no SAR: a single message, the whole short_message', () => {
  const result = read({ short_message: 'Hello' });
  assert.equal(result.kind, 'single');
  if (result.kind === 'single') assert.equal(textOf(result.payload), 'Hello');
});

test('UDH IE 0x00 (8-bit reference): the library sets UDHI; reference, total, seq and the payload after the UDH', () => {
  const result = read({ short_message: { udh: Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x03, 0x02]), message: 'part two {€}' } });
  assert.equal(result.kind, 'part');
  if (result.kind !== 'part') return;
  assert.deepEqual({ ...result, payload: textOf(result.payload) }, { kind: 'part', reference: 42, referenceBits: 8, total: 3, seq: 2, payload: 'part two {€}' });
});

test('UDH IE 0x08 (16-bit reference)', () => {
  const result = read({ short_message: { udh: Buffer.from([0x06, 0x08, 0x04, 0xbe, 0xef, 0x02, 0x01]), message: 'first' } });
  assert.equal(result.kind, 'part');
  if (result.kind === 'part') assert.deepEqual({ ...result, payload: textOf(result.payload) }, { kind: 'part', reference: 0xbeef, referenceBits: 16, total: 2, seq: 1, payload: 'first' });
});

test('other IEs are skipped: port addressing before the concatenation IE; a UDH without one is a single message', () => {
  const udh = Buffer.from([0x0b, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0, 0x00, 0x03, 0x07, 0x02, 0x02]);
  const result = read({ short_message: { udh, message: 'tail' } });
  assert.equal(result.kind, 'part');
  if (result.kind === 'part') assert.deepEqual([result.reference, result.referenceBits, result.total, result.seq, textOf(result.payload)], [7, 8, 2, 2, 'tail']);
  const portsOnly = read({ short_message: { udh: Buffer.from([0x06, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0]), message: 'ports' } });
  assert.equal(portsOnly.kind, 'single');
  if (portsOnly.kind === 'single') assert.equal(textOf(portsOnly.payload), 'ports');
});

test('our own client-side segmentation reads back part by part (UDH and SAR modes)', () => {
  const text = 'x'.repeat(200) + '€';
  for (const mode of ['udh', 'sar'] as const) {
    const segmented = segmentSms(text, { reference: 0x21, mode });
    const parts = segmented.parts.map((part) =>
      read({ esm_class: part.esmClass, short_message: part.shortMessage, ...(part.sarTlvs ?? {}) }),
    );
    assert.deepEqual(parts.map((p) => (p.kind === 'part' ? [p.referenceBits, p.reference, p.total, p.seq] : p.kind)), [
      [mode === 'udh' ? 8 : 'sar', 0x21, 2, 1],
      [mode === 'udh' ? 8 : 'sar', 0x21, 2, 2],
    ]);
    assert.equal(parts.map((p) => (p.kind === 'part' ? textOf(p.payload) : '')).join(''), text);
  }
});

test('SAR TLVs, as the library writes and names them', () => {
  const result = read({ short_message: 'third', sar_msg_ref_num: 0xbeef, sar_total_segments: 3, sar_segment_seqnum: 3 });
  assert.equal(result.kind, 'part');
  if (result.kind === 'part') assert.deepEqual({ ...result, payload: textOf(result.payload) }, { kind: 'part', reference: 0xbeef, referenceBits: 'sar', total: 3, seq: 3, payload: 'third' });
  const raw = libraryEncode('submit_sm', { short_message: 'x', sar_msg_ref_num: 0xbeef, sar_total_segments: 3, sar_segment_seqnum: 3 }).toString('hex');
  assert.ok(raw.includes('020c0002beef') && raw.includes('020e000103') && raw.includes('020f000103'));
});

test('a UDH inside message_payload (short_message empty)', () => {
  const payload = Buffer.concat([Buffer.from([0x05, 0x00, 0x03, 0x09, 0x02, 0x02]), Buffer.from('in payload', 'latin1')]);
  const result = read({ esm_class: 0x40, short_message: Buffer.alloc(0), message_payload: payload });
  assert.equal(result.kind, 'part');
  if (result.kind === 'part') assert.deepEqual([result.reference, result.total, result.seq, textOf(result.payload)], [9, 2, 2, 'in payload']);
});

test('total 1 is a single message; total 0, seq 0, seq > total are invalid', () => {
  const one = read({ short_message: { udh: Buffer.from([0x05, 0x00, 0x03, 0x01, 0x01, 0x01]), message: 'only' } });
  assert.equal(one.kind, 'single');
  if (one.kind === 'single') assert.equal(textOf(one.payload), 'only');
  assert.equal(read({ short_message: 'only', sar_msg_ref_num: 1, sar_total_segments: 1, sar_segment_seqnum: 1 }).kind, 'single');
  invalid(read({ short_message: { udh: Buffer.from([0x05, 0x00, 0x03, 0x01, 0x00, 0x01]), message: 'x' } }), /total number of parts is 0/);
  invalid(read({ short_message: { udh: Buffer.from([0x05, 0x00, 0x03, 0x01, 0x02, 0x00]), message: 'x' } }), /sequence number is 0/);
  invalid(read({ short_message: { udh: Buffer.from([0x06, 0x08, 0x04, 0x00, 0x01, 0x02, 0x03]), message: 'x' } }), /part 3 of 2/);
  invalid(read({ short_message: 'x', sar_msg_ref_num: 1, sar_total_segments: 0, sar_segment_seqnum: 1 }), /total number of parts is 0/);
  invalid(read({ short_message: 'x', sar_msg_ref_num: 1, sar_total_segments: 2, sar_segment_seqnum: 0 }), /sequence number is 0/);
  invalid(read({ short_message: 'x', sar_msg_ref_num: 1, sar_total_segments: 1, sar_segment_seqnum: 2 }), /part 2 of 1/);
  invalid(read({ short_message: { udh: Buffer.from([0x05, 0x00, 0x03, 0x01, 0x01, 0x02]), message: 'x' } }), /part 2 of 1/);
});

test('malformed UDHs are invalid', () => {
  const udhi = (hex: string): Concatenation => readConcatenation(0x40, Buffer.from(hex, 'hex'));
  invalid(udhi(''), /empty/);
  invalid(udhi('05000301'), /UDHL 5 is longer than the 3 octets/);
  invalid(udhi('0300040102'), /IE 0x00 of 4 octets at octet 1 runs past the UDHL/);
  invalid(udhi('040003010241'), /IE header at octet 5|runs past/);
  invalid(udhi('0400020102'), /IE 0x00 must have 3 octets, has 2/);
  invalid(udhi('0508030102034141'), /IE 0x08 must have 4 octets, has 3/);
  invalid(udhi('0b000301020108040001020141'), /more than one concatenation IE/);
  // Through the library too: a UDH whose UDHL overruns short_message.
  invalid(read({ esm_class: 0x40, short_message: Buffer.from([0x09, 0x00, 0x03, 0x01]) }), /UDHL 9/);
  // A UDH of nothing but UDHL 0 is not malformed.
  const empty = udhi('0041');
  assert.equal(empty.kind, 'single');
  if (empty.kind === 'single') assert.equal(empty.payload.toString('latin1'), 'A');
});

test('SAR TLVs must come all three, not with a UDH concatenation IE, and in range', () => {
  invalid(read({ short_message: 'x', sar_msg_ref_num: 1, sar_total_segments: 2 }), /must come together/);
  invalid(read({ short_message: 'x', sar_segment_seqnum: 1 }), /must come together/);
  invalid(
    read({ short_message: { udh: Buffer.from([0x05, 0x00, 0x03, 0x01, 0x02, 0x01]), message: 'x' }, sar_msg_ref_num: 1, sar_total_segments: 2, sar_segment_seqnum: 1 }),
    /both a UDH concatenation IE and SAR TLVs/,
  );
  invalid(readConcatenation(0, Buffer.from('x'), { sar_msg_ref_num: 70000, sar_total_segments: 2, sar_segment_seqnum: 1 }), /sar_msg_ref_num 70000/);
  invalid(readConcatenation(0, Buffer.from('x'), { sar_msg_ref_num: 1, sar_total_segments: 2.5, sar_segment_seqnum: 1 }), /sar_total_segments 2.5/);
  invalid(readConcatenation(0, Buffer.from('x'), { sar_msg_ref_num: 1, sar_total_segments: 2, sar_segment_seqnum: 256 }), /sar_segment_seqnum 256/);
  // SAR TLVs with a UDH that carries no concatenation IE: the SAR TLVs count, the payload is after the UDH.
  const withPorts = read({ short_message: { udh: Buffer.from([0x06, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0]), message: 'p' }, sar_msg_ref_num: 5, sar_total_segments: 2, sar_segment_seqnum: 2 });
  assert.equal(withPorts.kind, 'part');
  if (withPorts.kind === 'part') assert.deepEqual([withPorts.referenceBits, withPorts.reference, textOf(withPorts.payload)], ['sar', 5, 'p']);
});

test('parseUdh returns the IEs and the payload', () => {
  const parsed = parseUdh(Buffer.from('0b0504 0b8423f0 000307 0202 41 42'.replace(/ /g, ''), 'hex'));
  assert.ok(typeof parsed !== 'string');
  if (typeof parsed === 'string') return;
  assert.deepEqual(parsed.elements.map((e) => [e.iei, e.data.toString('hex')]), [[5, '0b8423f0'], [0, '070202']]);
  assert.equal(parsed.payload.toString('latin1'), 'AB');
});

test('concatenationKey: one per user, addresses, reference and reference kind; unambiguous', () => {
  const key = concatenationKey('esme1', '4242', '79261234567', 7, 8);
  assert.equal(key, concatenationKey('esme1', '4242', '79261234567', 7, 8));
  const others = [
    concatenationKey('esme2', '4242', '79261234567', 7, 8),
    concatenationKey('esme1', '4243', '79261234567', 7, 8),
    concatenationKey('esme1', '4242', '79261234568', 7, 8),
    concatenationKey('esme1', '4242', '79261234567', 8, 8),
    concatenationKey('esme1', '4242', '79261234567', 7, 16),
    concatenationKey('esme1', '4242', '79261234567', 7, 'sar'),
  ];
  assert.equal(new Set([key, ...others]).size, 7);
  // Separators inside the fields cannot make two keys collide.
  assert.notEqual(concatenationKey('a","b', 'c', 'd', 1, 8), concatenationKey('a', 'b","c', 'd', 1, 8));
  assert.notEqual(concatenationKey('a|b', 'c', 'd', 1, 8), concatenationKey('a', 'b|c', 'd', 1, 8));
});
