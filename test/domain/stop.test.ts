import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES } from '../../src/domain/lifecycle.js';
import { decideStop, STOP_CODES, stoppedReport } from '../../src/domain/stop.js';

const NOW = 1_700_000_000_000;
const at = (status: string, leaseUntil: number | null = null) => decideStop({ status, leaseUntil }, NOW);

test('spec §9: unknown → 404; already unsent → 200; sent or final → 403', () => {
  assert.equal(decideStop(null, NOW), 'unknown');
  assert.equal(at('unsent'), 'already-unsent');
  for (const status of ['sent', 'delivered', 'undelivered', 'read', 'unread']) assert.equal(at(status), 'too-late', status);
  assert.deepEqual(
    [STOP_CODES.unknown, STOP_CODES['already-unsent'], STOP_CODES['too-late'], STOP_CODES['flag-for-engine'], STOP_CODES['stop-now']],
    [404, 200, 403, 202, 200],
  );
});

test('sending: stopped now unless a lease holds it, then flagged for the engine (202)', () => {
  assert.equal(at('sending'), 'stop-now');
  assert.equal(at('sending', NOW - 1), 'stop-now', 'a lease that ran out holds nothing');
  assert.equal(at('sending', NOW), 'stop-now', 'a lease ends at its time');
  assert.equal(at('sending', NOW + 1), 'flag-for-engine');
  // Status decides before the lease: a sent message under a lease is still too late.
  assert.equal(at('sent', NOW + 30_000), 'too-late');
});

test('a stop records unsent 606 at the time of the request', () => {
  assert.deepEqual(stoppedReport(NOW), { kind: 'unsent', at: NOW, errorCode: ERROR_CODES.stopped });
  assert.equal(ERROR_CODES.stopped, 606);
});
