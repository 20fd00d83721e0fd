/** The two drivers of the sender over stand-in steps: what each hands to the store, and when. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendOneRound, startSendLoop, type SenderSteps } from '../../src/callbacks/senderLoops.js';
import type { CallbackAttemptRecord, ClaimedDelivery } from '../../src/store/callbackOutbox.js';

const claimed = (id: string): ClaimedDelivery => ({
  id,
  accountId: 1,
  url: 'http://example.test/hook',
  body: '[]',
  attempts: 0,
  firstAttemptAt: null,
  messageUuids: [],
  signingSecret: null,
  leaseUntil: 0,
});

const recordOf = (delivery: ClaimedDelivery): CallbackAttemptRecord => ({
  leaseUntil: 0,
  at: 0,
  nextAttemptAt: null,
  detail: { webhookId: delivery.id, url: delivery.url, attempt: 1, httpStatus: 200, error: null, latencyMs: 0, outcome: 'delivered' },
});

function recordingSteps(batches: ClaimedDelivery[][], attemptMs = 0) {
  const log = { exchanged: [] as string[][], recorded: [] as string[][], loggedAfterExchange: [] as string[][] };
  const steps: SenderSteps = {
    async exchange(records) {
      log.exchanged.push(records.map((r) => r.detail.webhookId));
      return batches.shift() ?? [];
    },
    async attempt(delivery) {
      if (attemptMs > 0) await sleep(attemptMs);
      return recordOf(delivery);
    },
    async record(records) {
      log.recorded.push(records.map((r) => r.detail.webhookId));
    },
    recorded(records) {
      log.loggedAfterExchange.push(records.map((r) => r.detail.webhookId));
    },
  };
  return { steps, log };
}

test('one round: claims with nothing to record, attempts every delivery, records them all at once', async () => {
  const { steps, log } = recordingSteps([[claimed('a'), claimed('b'), claimed('c')]]);
  assert.equal(await sendOneRound(steps, 1_000), 3);
  assert.deepEqual(log.exchanged, [[]]);
  assert.deepEqual(log.recorded, [['a', 'b', 'c']]);
});

test('the loop: finished attempts go back with the next exchange; stop waits for what is in flight and records it', async () => {
  const { steps, log } = recordingSteps([[claimed('a')], [claimed('b')]], 30);
  const logger = { errors: [] as string[], error(_detail: object, message: string) { this.errors.push(message); } };
  const loop = startSendLoop(steps, { clock: { now: () => 0 }, idleMs: 5, logger });
  // 'a' finishes, and is recorded by an exchange that also claims 'b'.
  for (let i = 0; i < 200 && !log.exchanged.some((ids) => ids.includes('a')); i++) await sleep(5);
  await loop.stop();
  const exchangedIds = log.exchanged.flat();
  assert.ok(exchangedIds.includes('a'), `'a' recorded by an exchange: ${JSON.stringify(log.exchanged)}`);
  assert.ok(log.loggedAfterExchange.flat().includes('a'));
  // 'b' was in flight at stop (or already exchanged): either way it is recorded exactly once.
  const bRecorded = exchangedIds.filter((id) => id === 'b').length + log.recorded.flat().filter((id) => id === 'b').length;
  assert.equal(bRecorded, 1);
  assert.deepEqual(logger.errors, []);
});

test('the loop survives a failed exchange: logged, and the next round goes on', async () => {
  let calls = 0;
  const steps: SenderSteps = {
    async exchange() {
      calls += 1;
      if (calls === 1) throw new Error('database busy');
      return [];
    },
    attempt: async (delivery) => recordOf(delivery),
    record: async () => undefined,
    recorded: () => undefined,
  };
  const errors: string[] = [];
  const loop = startSendLoop(steps, { clock: { now: () => 0 }, idleMs: 2, logger: { error: (_d, message) => errors.push(message) } });
  for (let i = 0; i < 200 && calls < 3; i++) await sleep(2);
  await loop.stop();
  assert.ok(calls >= 3, `rounds after the failure: ${calls}`);
  assert.deepEqual(errors, ['callback sender round failed']);
});
