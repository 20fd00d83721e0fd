import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flashcallCallerId, sipFailureCode } from '../../src/domain/callOutcomes.js';

test('SIP final responses map to the spec §6.1.4 codes', () => {
  const table: [number | null, number][] = [
    [486, 601], [600, 601],
    [408, 602], [480, 602],
    [603, 603],
    [404, 501], [484, 501], [604, 501],
    [400, 604], [403, 604], [487, 604], [500, 604], [503, 604], [606, 604], [null, 604],
  ];
  for (const [status, code] of table) assert.equal(sipFailureCode(status), code, `SIP ${status}`);
});

test('the FLASHCALL caller ID ends in the code; a code of another length has no caller ID', () => {
  assert.equal(flashcallCallerId('7495123XXXX', '0042'), '74951230042');
  assert.equal(flashcallCallerId('74951XXXXXX', '123456'), '74951123456');
  assert.equal(flashcallCallerId('7495123XXXX', '12345'), null);
  assert.equal(flashcallCallerId('7495123XXXX', '123'), null);
  assert.equal(flashcallCallerId('74951234567', '4567'), null, 'a pattern without X has no room for a code');
});
