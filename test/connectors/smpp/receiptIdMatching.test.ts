/** How a receipt's ids become lookup keys: `auto` learns from the first receipts whether the SMSC keeps its notation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReceiptIdMatching } from '../../../src/connectors/smpp/receiptIdMatching.js';

test('exact: only the id as written; any-notation: its numeric readings too', () => {
  assert.deepEqual(new ReceiptIdMatching('exact').keysOf([' 4500 ']), ['t:4500']);
  assert.deepEqual(new ReceiptIdMatching('any-notation').keysOf(['4500']), ['t:4500', 'n:4500', 'n:17664']);
});

test('auto: every notation while learning; exact once the receipts name the ids the SMSC answered', () => {
  let now = 0;
  const matching = new ReceiptIdMatching('auto', () => now);
  for (let id = 1000; id < 1019; id++) {
    matching.answeredId(String(id));
    assert.ok(matching.keysOf([String(id)]).length > 1);
    assert.equal(matching.notation, null);
  }
  // A receipt read before its submit_sm_resp (one TCP read, or another bind) counts once the answer comes.
  assert.ok(matching.keysOf(['1019']).length > 1);
  now += 5;
  matching.answeredId('1019');
  assert.equal(matching.notation, 'exact');
  // From now on a receipt for 4500 can never be taken by the message whose id 1194 reads as 0x1194 = 4500.
  assert.deepEqual(matching.keysOf(['4500']), ['t:4500']);
});

test('auto: an SMSC that answers hex and receipts in decimal keeps every notation', () => {
  let now = 0;
  const matching = new ReceiptIdMatching('auto', () => now);
  const ids = Array.from({ length: 30 }, (_, i) => (0x1a2b00 + i).toString(16).toUpperCase());
  for (const id of ids.slice(0, 20)) {
    matching.answeredId(id);
    matching.keysOf([String(parseInt(id, 16))]);
    now += 100;
  }
  assert.equal(matching.notation, null, 'a receipt not matched exactly is given time for its answer');
  now += 1_000;
  matching.keysOf([String(parseInt(ids[20]!, 16))]);
  assert.equal(matching.notation, 'any-notation');
  assert.deepEqual(matching.keysOf(['6699']), ['t:6699', 'n:6699', 'n:26265']);
});

test('auto: receipts for ids it never saw (sent before a restart) do not vote', () => {
  let now = 0;
  const matching = new ReceiptIdMatching('auto', () => now);
  for (let id = 0; id < 50; id++) {
    matching.keysOf([String(9000 + id)]);
    now += 100;
  }
  assert.equal(matching.notation, null);
});
