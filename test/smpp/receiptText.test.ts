/** The receipts the gateway sends to clients (smpp-interface.md §4): the text, its limits, the TLVs as the `smpp` library encodes them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { receiptStatusOf } from '../../src/domain/smppRules.js';
import { readDeliverSm } from '../../src/smpp/deliverSm.js';
import { parseDeliveryReceipt, receiptOutcome, RECEIPT_STAT_RULES } from '../../src/smpp/receipt.js';
import { receiptDate, receiptShortMessage, receiptTextExcerpt, receiptTlvs, type ReceiptTextInput } from '../../src/smpp/receiptText.js';
import { libraryDecoded, libraryEncode, libraryRawFields } from '../support/smppLibraryRaw.js';

const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const base: ReceiptTextInput = {
  messageId: UUID,
  delivered: true,
  submitAt: Date.parse('2026-03-04T05:06:59.900Z'),
  doneAt: Date.parse('2026-03-04T05:07:30Z'),
  stat: 'DELIVRD',
  err: 0,
  text: 'Your code is 1234',
};

test('the receipt text, exactly (golden strings)', () => {
  assert.equal(
    receiptShortMessage(base),
    'id:0f8fad5b-d9cb-469f-a165-70867728950e sub:001 dlvrd:001 submit date:2603040506 done date:2603040507 stat:DELIVRD err:000 text:Your code is 1234',
  );
  assert.equal(
    receiptShortMessage({ ...base, messageId: `${UUID}-2`, delivered: false, stat: 'UNDELIV', err: 5, doneAt: Date.parse('2026-12-31T23:59:59Z'), text: '' }),
    'id:0f8fad5b-d9cb-469f-a165-70867728950e-2 sub:001 dlvrd:000 submit date:2603040506 done date:2612312359 stat:UNDELIV err:005 text:',
  );
  assert.equal(
    receiptShortMessage({ ...base, messageId: '7fffffffffffffff', delivered: false, stat: 'REJECTD', err: 616, text: 'abc' }),
    'id:7fffffffffffffff sub:001 dlvrd:000 submit date:2603040506 done date:2603040507 stat:REJECTD err:616 text:abc',
  );
});

test('dates are UTC YYMMDDhhmm', () => {
  assert.equal(receiptDate(Date.parse('2026-03-04T23:30:00-02:00')), '2603050130');
  assert.equal(receiptDate(Date.parse('2000-01-01T00:00:59.999Z')), '0001010000');
  assert.throws(() => receiptDate(Date.parse('1999-12-31T23:59:00Z')), RangeError);
});

test('text: every character outside printable ASCII becomes one ".", at most 20 characters', () => {
  assert.equal(receiptTextExcerpt('Привет 😀 é\n\tok~'), '...... . ...ok~');
  assert.equal(receiptTextExcerpt('abcdefghijklmnopqrstuvwxyz'), 'abcdefghijklmnopqrst');
  assert.equal(receiptTextExcerpt('😀'.repeat(25)), '.'.repeat(20));
  assert.equal(receiptTextExcerpt('👍🏽 ok'), '.. ok'); // an emoji with a skin tone is two code points
  assert.equal(receiptTextExcerpt('\u007f\u0000\u001f '), '... ');
  assert.equal(receiptTextExcerpt('a'.repeat(19) + '€xyz'), 'a'.repeat(19) + '.');
  const text = receiptShortMessage({ ...base, text: 'Код: 1234 — спасибо! 😀😀' });
  assert.ok(text.endsWith('text:...: 1234 . .......!'), text);
  assert.match(text, /^[\x20-\x7e]+$/);
});

test('never more than 254 octets: 65-character id, the longest stat, 20 astral characters', () => {
  const longest = receiptShortMessage({ ...base, messageId: 'X'.repeat(65), delivered: false, stat: 'UNDELIV', err: 999, text: '😀'.repeat(40) });
  assert.equal(longest.length, 177);
  assert.ok(Buffer.byteLength(longest, 'ascii') <= 254);
  const pdu = libraryEncode('deliver_sm', { esm_class: 0x04, data_coding: 0, short_message: Buffer.from(longest, 'ascii') });
  const raw = libraryRawFields(pdu);
  assert.equal((raw['short_message'] as Buffer).toString('ascii'), longest);
  assert.ok(pdu.toString('hex').includes('b1' + Buffer.from(longest, 'ascii').toString('hex')), 'sm_length 177 before the text');
  assert.throws(() => receiptShortMessage({ ...base, messageId: 'X'.repeat(66) }), RangeError);
});

test('bad input throws: id empty, with spaces or non-ASCII; err outside 0–999; a stat not of 7 capitals', () => {
  for (const messageId of ['', 'a b', 'ид', 'a\0b']) assert.throws(() => receiptShortMessage({ ...base, messageId }), RangeError, messageId);
  for (const err of [-1, 1000, 1.5, Number.NaN]) assert.throws(() => receiptShortMessage({ ...base, err }), RangeError, String(err));
  assert.throws(() => receiptShortMessage({ ...base, stat: 'delivrd' as never }), RangeError);
});

test('our receipt read back by the client side (receipt.ts): ids, stat, err, dates, text, outcome', () => {
  const tlvs = receiptTlvs({ messageId: `${UUID}-3`, messageState: 5, err: 502 });
  const text = receiptShortMessage({ ...base, messageId: `${UUID}-3`, delivered: false, stat: 'UNDELIV', err: 502 });
  const receipt = parseDeliveryReceipt({ text, receiptedMessageId: tlvs.receipted_message_id, messageState: tlvs.message_state, networkErrorCode: tlvs.network_error_code });
  assert.deepEqual(receipt, {
    messageIds: [`${UUID}-3`],
    stat: 'UNDELIV',
    statText: 'UNDELIV',
    err: 502,
    errText: '502',
    networkError: { networkType: 3, code: 502 },
    submitDate: Date.parse('2026-03-04T05:06:00Z'),
    doneDate: Date.parse('2026-03-04T05:07:00Z'),
    submitted: 1,
    delivered: 0,
    text: 'Your code is 1234',
  });
  assert.deepEqual(receiptOutcome(receipt!), { final: true, status: 'undelivered', errorCode: 502, from: 'err' });
});

test('TLVs: receipted_message_id, message_state, network_error_code (type 3, err big-endian) as the library encodes them', () => {
  const messageId = `${UUID}-2`;
  const tlvs = receiptTlvs({ messageId, messageState: 5, err: 502 });
  assert.deepEqual(tlvs, { receipted_message_id: messageId, message_state: 5, network_error_code: Buffer.from([0x03, 0x01, 0xf6]) });
  const text = receiptShortMessage({ ...base, messageId, delivered: false, stat: 'UNDELIV', err: 502 });
  const pdu = libraryEncode('deliver_sm', {
    source_addr: '79261234567',
    destination_addr: 'Sender',
    esm_class: 0x04,
    data_coding: 0,
    short_message: Buffer.from(text, 'ascii'),
    ...tlvs,
  });
  const hex = pdu.toString('hex');
  const idHex = Buffer.from(`${messageId}\0`, 'ascii').toString('hex');
  assert.ok(hex.includes(`001e${(messageId.length + 1).toString(16).padStart(4, '0')}${idHex}`), 'receipted_message_id: C-Octet String with its NUL');
  assert.ok(hex.includes('0427000105'), 'message_state: 1 octet');
  assert.ok(hex.includes('0423' + '0003' + '0301f6'), 'network_error_code: tag, length 3, type 3, err 502 big-endian');
  // Read back by an independent reader of raw TLVs and by the library.
  const fields = readDeliverSm(pdu, 'deliver_sm');
  assert.equal(fields.tlvs.get(0x0423)!.toString('hex'), '0301f6');
  assert.equal(fields.tlvs.get(0x0427)!.toString('hex'), '05');
  assert.equal(fields.tlvs.get(0x001e)!.toString('ascii'), `${messageId}\0`);
  assert.equal(fields.shortMessage.toString('ascii'), text);
  assert.equal(fields.esmClass, 0x04);
  assert.equal(fields.dataCoding, 0);
  const decoded = libraryDecoded(pdu);
  assert.equal(decoded['receipted_message_id'], messageId);
  assert.equal(decoded['message_state'], 5);
  assert.deepEqual(decoded['network_error_code'], Buffer.from('0301f6', 'hex'));
  // Delivered: err 0.
  assert.equal(receiptTlvs({ messageId, messageState: 2, err: 0 }).network_error_code.toString('hex'), '030000');
  assert.equal(receiptTlvs({ messageId, messageState: 3, err: 0xffff }).network_error_code.toString('hex'), '03ffff');
});

test('TLV input is checked', () => {
  assert.throws(() => receiptTlvs({ messageId: 'X'.repeat(66), messageState: 2, err: 0 }), RangeError);
  assert.doesNotThrow(() => receiptTlvs({ messageId: 'X'.repeat(65), messageState: 2, err: 0 }));
  for (const messageState of [0, 9, 2.5]) assert.throws(() => receiptTlvs({ messageId: 'a', messageState, err: 0 }), RangeError);
  for (const err of [-1, 65536]) assert.throws(() => receiptTlvs({ messageId: 'a', messageState: 5, err }), RangeError);
});

test('every row of the §4 table: text and TLVs agree with each other and with the client side', () => {
  const rows: [Parameters<typeof receiptStatusOf>[0], number | null][] = [
    ['delivered', null],
    ['read', null],
    ['undelivered', 127],
    ['undelivered', 501],
    ['unsent', 605],
    ['unsent', 606],
    ['unsent', 616],
  ];
  for (const [status, code] of rows) {
    const r = receiptStatusOf(status, code)!;
    const text = receiptShortMessage({ ...base, delivered: r.delivered, stat: r.stat, err: r.err });
    const tlvs = receiptTlvs({ messageId: UUID, messageState: r.messageState, err: r.err });
    const rule = RECEIPT_STAT_RULES.find((row) => row.stat === r.stat)!;
    assert.equal(rule.messageState, tlvs.message_state, `${status} ${code}`);
    const read = parseDeliveryReceipt({ text, receiptedMessageId: tlvs.receipted_message_id, messageState: tlvs.message_state, networkErrorCode: tlvs.network_error_code })!;
    assert.equal(read.stat, r.stat);
    assert.equal(read.err, r.err);
    assert.equal(read.delivered, r.delivered ? 1 : 0);
    assert.equal(read.networkError?.code, r.err);
  }
});
