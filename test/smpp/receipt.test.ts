import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GSM_NETWORK_ERROR_RULES,
  RECEIPT_STAT_RULES,
  SPEC_DELIVER_ERROR_CODES,
  canonicalMessageId,
  isDeliveryReceipt,
  messageIdKeys,
  normaliseStat,
  parseDeliveryReceipt,
  parseReceiptDate,
  parseReceiptText,
  receiptOutcome,
  sameMessageId,
  type DeliveryReceipt,
} from '../../src/smpp/receipt.js';

const at = (iso: string): number => Date.parse(iso);

// ---- The receipt text ----

test('the Appendix B text, every field', () => {
  const text = 'id:0123456789 sub:001 dlvrd:001 submit date:2611271504 done date:2611271505 stat:DELIVRD err:000 text:Hello there';
  assert.deepEqual(parseReceiptText(text), {
    id: '0123456789',
    sub: '001',
    dlvrd: '001',
    submitDate: '2611271504',
    doneDate: '2611271505',
    stat: 'DELIVRD',
    err: '000',
    text: 'Hello there',
  });
  assert.deepEqual(parseDeliveryReceipt({ text }), {
    messageIds: ['0123456789'],
    stat: 'DELIVRD',
    statText: 'DELIVRD',
    err: 0,
    errText: '000',
    submitDate: at('2026-11-27T15:04:00Z'),
    doneDate: at('2026-11-27T15:05:00Z'),
    submitted: 1,
    delivered: 1,
    text: 'Hello there',
  });
});

const variants: [string, string, Partial<DeliveryReceipt>][] = [
  [
    'keys and stat in any case',
    'ID:1A2B Sub:001 Dlvrd:001 Submit Date:2611271504 Done Date:2611271505 Stat:delivrd Err:000 Text:hi',
    { messageIds: ['1A2B'], stat: 'DELIVRD', err: 0, text: 'hi' },
  ],
  ['missing err', 'id:77 sub:001 dlvrd:000 submit date:2611271504 done date:2611271505 stat:UNDELIV text:x', { messageIds: ['77'], stat: 'UNDELIV', err: undefined }],
  ['only id and stat', 'id:abc-9 stat:EXPIRED', { messageIds: ['abc-9'], stat: 'EXPIRED' }],
  ['extra spaces everywhere', '  id:  5566   sub:001   dlvrd:001  stat:  DELIVRD   err:  000  ', { messageIds: ['5566'], stat: 'DELIVRD', err: 0 }],
  [
    'dates with seconds',
    'id:1 submit date:261127150405 done date:261127150512 stat:DELIVRD',
    { submitDate: at('2026-11-27T15:04:05Z'), doneDate: at('2026-11-27T15:05:12Z') },
  ],
  [
    'submit_date / done_date with underscores',
    'id:1 sub:001 dlvrd:001 submit_date:2611271504 done_date:2611271505 stat:DELIVRD err:0',
    { submitDate: at('2026-11-27T15:04:00Z'), doneDate: at('2026-11-27T15:05:00Z'), err: 0 },
  ],
  ['a text: holding key-like words', 'id:42 stat:REJECTD err:458 text:stat:DELIVRD id:99', { messageIds: ['42'], stat: 'REJECTD', err: 458, text: 'stat:DELIVRD id:99' }],
  ['no text: field', 'id:42 sub:001 dlvrd:000 submit date:2611271504 done date:2611271505 stat:UNDELIV err:501', { stat: 'UNDELIV', err: 501, text: undefined }],
  ['a spelled-out stat', 'id:42 stat:DELIVERED err:0', { stat: 'DELIVRD' }],
  ['UNDELIVERABLE spelled out', 'id:42 stat:Undeliverable', { stat: 'UNDELIV' }],
  ['an err that is not decimal', 'id:42 stat:UNDELIV err:0A1', { err: undefined, errText: '0A1' }],
  ['an empty text:', 'id:42 stat:DELIVRD err:000 text:', { text: '' }],
  ['an unknown stat', 'id:42 stat:WHATEVER err:000', { stat: undefined, statText: 'WHATEVER' }],
  ['a bad date is left out', 'id:42 submit date:2613271504 stat:DELIVRD', { submitDate: undefined }],
  ['commas between fields', 'id:42,sub:001,dlvrd:001,stat:DELIVRD,err:000', { messageIds: ['42'], stat: 'DELIVRD', err: 0 }],
  ['hex id in lowercase with leading zeros', 'id:00001a2b stat:DELIVRD', { messageIds: ['00001a2b'] }],
];

for (const [name, text, expected] of variants) {
  test(`receipt text variant: ${name}`, () => {
    const receipt = parseDeliveryReceipt({ text });
    assert.ok(receipt, 'parsed');
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(receipt[key as keyof DeliveryReceipt], value, key);
  });
}

test('a text without id: or stat: is not a receipt text', () => {
  assert.equal(parseReceiptText('Hello, see you at 10:30'), undefined);
  assert.equal(parseDeliveryReceipt({ text: 'Hello' }), undefined);
  assert.equal(parseDeliveryReceipt({}), undefined);
  // "stat:" alone gives no id to match by.
  assert.equal(parseDeliveryReceipt({ text: 'stat:DELIVRD' }), undefined);
});

test('TLVs: receipted_message_id and message_state; the TLV state wins over the text', () => {
  assert.deepEqual(parseDeliveryReceipt({ receiptedMessageId: '1A2B', messageState: 2 }), { messageIds: ['1A2B'], stat: 'DELIVRD' });
  const both = parseDeliveryReceipt({ receiptedMessageId: '1A2B', messageState: 5, text: 'id:6699 stat:DELIVRD err:000' });
  assert.deepEqual(both?.messageIds, ['1A2B', '6699']);
  assert.equal(both?.stat, 'UNDELIV');
  assert.deepEqual(parseDeliveryReceipt({ receiptedMessageId: '7', text: 'id:7 stat:DELIVRD' })?.messageIds, ['7']);
  // An unknown message_state value falls back to the text.
  assert.equal(parseDeliveryReceipt({ receiptedMessageId: '7', messageState: 9, text: 'id:7 stat:EXPIRED' })?.stat, 'EXPIRED');
  assert.deepEqual(parseDeliveryReceipt({ receiptedMessageId: '7', networkErrorCode: Uint8Array.of(3, 0, 27) })?.networkError, { networkType: 3, code: 27 });
});

test('receipt dates: YYMMDDhhmm and YYMMDDhhmmss as UTC', () => {
  assert.equal(parseReceiptDate('2605011000'), at('2026-05-01T10:00:00Z'));
  assert.equal(parseReceiptDate('260501100059'), at('2026-05-01T10:00:59Z'));
  assert.equal(parseReceiptDate('26050110'), undefined);
  assert.equal(parseReceiptDate('2605011060'), undefined);
});

test('esm_class: 0x04 receipt and 0x20 intermediate notification are receipts; MO and acks are not', () => {
  assert.equal(isDeliveryReceipt(0x04), true);
  assert.equal(isDeliveryReceipt(0x44), true); // with UDHI
  assert.equal(isDeliveryReceipt(0x20), true);
  assert.equal(isDeliveryReceipt(0x00), false);
  assert.equal(isDeliveryReceipt(0x08), false);
  assert.equal(isDeliveryReceipt(0x10), false);
  assert.equal(isDeliveryReceipt(0x40), false);
});

// ---- Message ids ----

test('hex and decimal notations of the same id compare equal', () => {
  assert.ok(sameMessageId('1A2B', '6699'));
  assert.ok(sameMessageId('6699', '1a2b'));
  assert.ok(sameMessageId('1A2B', '0000006699'));
  assert.ok(sameMessageId('00001a2b', '1A2B'));
  assert.ok(sameMessageId('0123', '123'));
  assert.ok(sameMessageId('00FF', 'ff'));
  assert.ok(sameMessageId('FFFFFFFFFFFFFFFFFFFF', '1208925819614629174706175')); // beyond 2^53
  assert.ok(sameMessageId(' abc-1 ', 'ABC-1'));
  assert.ok(sameMessageId('a1b2c3d4-0000-4000-8000-000000000001', 'A1B2C3D4-0000-4000-8000-000000000001'));
});

test('different ids do not compare equal', () => {
  assert.ok(!sameMessageId('1A2B', '6698'));
  assert.ok(!sameMessageId('ab-1', 'ab-2'));
  assert.ok(!sameMessageId('1A2G', '6699'));
  assert.ok(!sameMessageId('x6699', '6699'));
  assert.ok(!sameMessageId('', '0'));
});

test('lookup keys: text first, then the decimal and hex readings', () => {
  assert.deepEqual(messageIdKeys('1A2B'), ['t:1a2b', 'n:6699']);
  assert.deepEqual(messageIdKeys('0000006699'), ['t:0000006699', 'n:6699', 'n:26265']);
  assert.deepEqual(messageIdKeys('abc-1'), ['t:abc-1']);
  assert.deepEqual(messageIdKeys('7'), ['t:7', 'n:7']);
  // An index keyed this way finds a hex submit id by a decimal receipt id, and prefers the exact text.
  const index = new Map<string, string>();
  for (const [ours, theirs] of [['m1', '1A2B'], ['m2', '1234']] as const) for (const key of messageIdKeys(theirs)) if (!index.has(key)) index.set(key, ours);
  const find = (id: string) => messageIdKeys(id).map((key) => index.get(key)).find((v) => v !== undefined);
  assert.equal(find('6699'), 'm1');
  assert.equal(find('1234'), 'm2');
  assert.equal(find('4660'), 'm2'); // 0x1234
});

test('canonical ids when the notation is configured', () => {
  assert.equal(canonicalMessageId('1A2B', 'hex'), 'n:6699');
  assert.equal(canonicalMessageId('0006699', 'decimal'), 'n:6699');
  assert.equal(canonicalMessageId('1A2B', 'decimal'), undefined);
  assert.equal(canonicalMessageId(' Ab-1 ', 'text'), 't:ab-1');
  assert.equal(canonicalMessageId('xyz', 'hex'), undefined);
});

// ---- Outcomes ----

test('the stat table: every stat and its message_state', () => {
  for (const rule of RECEIPT_STAT_RULES) {
    assert.equal(normaliseStat(rule.stat.toLowerCase()), rule.stat);
    const fromText = receiptOutcome(parseDeliveryReceipt({ text: `id:1 stat:${rule.stat}` })!);
    const fromTlv = receiptOutcome(parseDeliveryReceipt({ receiptedMessageId: '1', messageState: rule.messageState })!);
    assert.deepEqual(fromTlv, fromText, rule.stat);
    if (rule.outcome === 'not final') assert.deepEqual(fromText, { final: false, reason: 'intermediate' });
    else if (rule.outcome === 'delivered') assert.deepEqual(fromText, { final: true, status: 'delivered' });
    else assert.deepEqual(fromText, { final: true, status: 'undelivered', errorCode: rule.defaultErrorCode, from: 'default' });
  }
  const outcomes = Object.fromEntries(RECEIPT_STAT_RULES.map((r) => [r.stat, [r.outcome, r.defaultErrorCode]]));
  assert.deepEqual(outcomes, {
    DELIVRD: ['delivered', null],
    UNDELIV: ['undelivered', 502],
    EXPIRED: ['undelivered', 127],
    REJECTD: ['undelivered', 502],
    DELETED: ['undelivered', 502],
    UNKNOWN: ['undelivered', 502],
    ENROUTE: ['not final', null],
    ACCEPTD: ['not final', null],
  });
});

test('err equal to a §13 DELIVER_SM code keeps it, for every undelivered stat', () => {
  assert.deepEqual([...SPEC_DELIVER_ERROR_CODES], [11, 127, 453, 454, 455, 456, 457, 458, 501, 502, 503, 504, 505, 506, 508, 509, 510]);
  for (const stat of ['UNDELIV', 'EXPIRED', 'REJECTD', 'DELETED', 'UNKNOWN']) {
    for (const code of SPEC_DELIVER_ERROR_CODES) {
      const receipt = parseDeliveryReceipt({ text: `id:1 stat:${stat} err:${String(code).padStart(3, '0')}` })!;
      assert.deepEqual(receiptOutcome(receipt), { final: true, status: 'undelivered', errorCode: code, from: 'err' }, `${stat} err:${code}`);
    }
  }
});

test('err not in §13 (or 0) gives the stat default: 502, or 127 for EXPIRED', () => {
  for (const err of ['000', '001', '069', '507', '999', '0A1']) {
    assert.equal((receiptOutcome(parseDeliveryReceipt({ text: `id:1 stat:UNDELIV err:${err}` })!) as { errorCode: number }).errorCode, 502, err);
    assert.equal((receiptOutcome(parseDeliveryReceipt({ text: `id:1 stat:EXPIRED err:${err}` })!) as { errorCode: number }).errorCode, 127, err);
  }
  assert.deepEqual(receiptOutcome(parseDeliveryReceipt({ text: 'id:1 stat:EXPIRED' })!), { final: true, status: 'undelivered', errorCode: 127, from: 'default' });
});

test('DELIVRD is delivered whatever err says', () => {
  assert.deepEqual(receiptOutcome(parseDeliveryReceipt({ text: 'id:1 stat:DELIVRD err:501' })!), { final: true, status: 'delivered' });
});

test('network_error_code: GSM MAP errors by the table; other networks when the code is a §13 code', () => {
  for (const rule of GSM_NETWORK_ERROR_RULES) {
    const receipt = parseDeliveryReceipt({ text: 'id:1 stat:UNDELIV err:000', networkErrorCode: Uint8Array.of(3, rule.mapError >> 8, rule.mapError & 0xff) })!;
    assert.deepEqual(receiptOutcome(receipt), { final: true, status: 'undelivered', errorCode: rule.errorCode, from: 'network_error_code' }, rule.name);
  }
  const gsmUnknown = parseDeliveryReceipt({ text: 'id:1 stat:UNDELIV', networkErrorCode: Uint8Array.of(3, 0, 100) })!;
  assert.deepEqual(receiptOutcome(gsmUnknown), { final: true, status: 'undelivered', errorCode: 502, from: 'default' });
  const mcSpecific = parseDeliveryReceipt({ text: 'id:1 stat:UNDELIV', networkErrorCode: Uint8Array.of(8, 0x01, 0xf9) })!; // 505
  assert.deepEqual(receiptOutcome(mcSpecific), { final: true, status: 'undelivered', errorCode: 505, from: 'network_error_code' });
  // err wins over network_error_code.
  const both = parseDeliveryReceipt({ text: 'id:1 stat:UNDELIV err:453', networkErrorCode: Uint8Array.of(3, 0, 1) })!;
  assert.deepEqual(receiptOutcome(both), { final: true, status: 'undelivered', errorCode: 453, from: 'err' });
  // A malformed network_error_code is ignored.
  assert.equal(parseDeliveryReceipt({ text: 'id:1 stat:UNDELIV', networkErrorCode: Uint8Array.of(3, 1) })!.networkError, undefined);
});

test('an unrecognised state is not final', () => {
  assert.deepEqual(receiptOutcome(parseDeliveryReceipt({ text: 'id:1 stat:FOO' })!), { final: false, reason: 'unrecognised state' });
  assert.deepEqual(receiptOutcome(parseDeliveryReceipt({ receiptedMessageId: '1' })!), { final: false, reason: 'unrecognised state' });
});
