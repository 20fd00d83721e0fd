/** Concatenated inbound SMS put back together. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MoReassembly } from '../../src/smpp/moReassembly.js';

test('MO reassembly: complete when all parts are in; a part repeated counts once; expiry hands over what came', () => {
  const mo = new MoReassembly(1_000);
  const part = (seq: number, text: string) => ({ from: '7926', to: '4242', reference: 1, total: 3, seq, text });
  assert.equal(mo.add(part(1, 'a'), 0), undefined);
  assert.equal(mo.add(part(1, 'a'), 1), undefined);
  assert.equal(mo.add(part(3, 'c'), 2), undefined);
  assert.deepEqual(mo.add(part(2, 'b'), 3), { from: '7926', to: '4242', text: 'abc', complete: true });
  assert.equal(mo.add(part(2, 'B'), 10), undefined);
  assert.deepEqual(mo.expire(500), []);
  assert.deepEqual(mo.expire(1_010), [{ from: '7926', to: '4242', text: '…B…', complete: false }]);
  assert.deepEqual(mo.add({ ...part(1, 'single'), total: 1 }, 0), { from: '7926', to: '4242', text: 'single', complete: true });
});
