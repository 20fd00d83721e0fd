import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { createCallbackSender, type CallbackLogger } from '../../src/callbacks/callbackSender.js';
import { RETRY_WINDOW_MS } from '../../src/callbacks/retrySchedule.js';
import { generateSigningSecret } from '../../src/domain/signingSecret.js';
import { sqliteCallbackOutbox } from '../../src/store/sqlite/callbackOutbox.js';
import { ManualClock } from '../support/manualClock.js';
import { addAccount, addEvent, openTestDatabase, startReceiver, timeline, verifySignature, type Answer } from './support.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(answer: Answer) {
  const database = openTestDatabase();
  cleanups.push(() => database.close());
  const receiver = await startReceiver(answer);
  cleanups.push(() => receiver.close());
  const clock = new ManualClock();
  const warnings: { detail: object; message: string }[] = [];
  const logger: CallbackLogger = { warn: (detail, message) => warnings.push({ detail, message }), error() {} };
  const sender = createCallbackSender({
    outbox: sqliteCallbackOutbox(database.db),
    clock,
    allowPrivateTargets: true,
    userAgent: 'direct-gateway/test',
    timeoutMs: 300,
    random: () => 0.5, // no jitter: the schedule's exact delays
    logger,
  });
  cleanups.push(() => sender.stop());
  return { db: database.db, receiver, clock, sender, warnings };
}

function delivery(db: ReturnType<typeof openTestDatabase>['db']) {
  return db.prepare('select * from callback_deliveries').get() as {
    id: string;
    state: string;
    attempts: number;
    next_attempt_at: number;
    first_attempt_at: number;
  };
}

test('500, then 302, then a timeout, then 200: same id and body each time, fresh valid signature, scheduled delays', async () => {
  const script: (number | 'hang')[] = [500, 302, 'hang', 200];
  const { db, receiver, clock, sender } = await setup((index) => script[index] ?? 200);
  const secret = generateSigningSecret();
  const account = addAccount(db, 'a', secret);
  const events = [addEvent(db, account, `${receiver.origin}/cb`, clock.now()), addEvent(db, account, `${receiver.origin}/cb`, clock.now())];
  clock.advance(1000);
  const attemptTimes: number[] = [];
  const attemptNow = async () => {
    attemptTimes.push(clock.now());
    assert.equal(await sender.tick(), 1);
    verifySignature(secret, receiver.requests.at(-1)!, clock.now());
  };

  await attemptNow(); // 500
  for (const delay of [5_000, 30_000, 120_000]) {
    clock.advance(delay - 1);
    assert.equal(await sender.tick(), 0, 'not before its time');
    clock.advance(1);
    await attemptNow(); // 302, timeout, 200
  }
  assert.equal(receiver.requests.length, 4);
  const ids = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
  const bodies = new Set(receiver.requests.map((r) => r.body));
  const timestamps = receiver.requests.map((r) => Number(r.headers['webhook-timestamp']));
  assert.deepEqual([ids.size, bodies.size], [1, 1]);
  assert.deepEqual(JSON.parse([...bodies][0]!), events);
  assert.deepEqual(timestamps, attemptTimes.map((t) => Math.floor(t / 1000)));
  assert.equal(new Set(receiver.requests.map((r) => r.headers['webhook-signature'])).size, 4);
  assert.deepEqual({ state: delivery(db).state, attempts: delivery(db).attempts }, { state: 'delivered', attempts: 4 });

  for (const event of events) {
    const rows = timeline(db, event.message_uuid);
    assert.deepEqual(
      rows.map((r) => [r.kind, r.at, r.detail.attempt, r.detail.httpStatus, r.detail.error, r.detail.outcome]),
      [
        ['callback_attempt', attemptTimes[0], 1, 500, null, 'retry'],
        ['callback_attempt', attemptTimes[1], 2, 302, null, 'retry'],
        ['callback_attempt', attemptTimes[2], 3, null, 'timeout after 300 ms', 'retry'],
        ['callback_attempt', attemptTimes[3], 4, 200, null, 'delivered'],
      ],
    );
    assert.ok((rows[2]!.detail.latencyMs as number) >= 250, 'the timeout took its time');
  }
  // Delivered: never sent again.
  clock.advance(RETRY_WINDOW_MS);
  assert.equal(await sender.tick(), 0);
});

test('a receiver that never answers 2xx is retried for 24 h, then the delivery is dropped, logged and in the timeline', async () => {
  const { db, receiver, clock, sender, warnings } = await setup(() => 503);
  const account = addAccount(db, 'a');
  const event = addEvent(db, account, `${receiver.origin}/cb`, clock.now());
  clock.advance(1000);
  const first = clock.now();
  const attemptTimes: number[] = [first];
  assert.equal(await sender.tick(), 1);
  while (delivery(db).state === 'pending') {
    clock.set(delivery(db).next_attempt_at);
    attemptTimes.push(clock.now());
    assert.equal(await sender.tick(), 1);
  }
  const gaps = attemptTimes.slice(1).map((t, i) => t - attemptTimes[i]!);
  assert.deepEqual(gaps, [5_000, 30_000, 120_000, 600_000, 1_800_000, ...new Array<number>(23).fill(3_600_000)]);
  assert.equal(attemptTimes.length, 29);
  assert.ok(attemptTimes.at(-1)! <= first + RETRY_WINDOW_MS && attemptTimes.at(-1)! + 3_600_000 > first + RETRY_WINDOW_MS);
  assert.equal(receiver.requests.length, 29);
  assert.deepEqual({ state: delivery(db).state, attempts: delivery(db).attempts }, { state: 'dropped', attempts: 29 });

  const rows = timeline(db, event.message_uuid);
  assert.equal(rows.length, 29);
  assert.ok(rows.slice(0, -1).every((r) => r.detail.outcome === 'retry' && r.detail.httpStatus === 503));
  assert.deepEqual([rows.at(-1)!.detail.outcome, rows.at(-1)!.detail.attempt], ['dropped', 29]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!.message, /dropped/);
  assert.equal((warnings[0]!.detail as { webhookId: string }).webhookId, delivery(db).id);

  clock.advance(10 * RETRY_WINDOW_MS);
  assert.equal(await sender.tick(), 0, 'a dropped delivery is never tried again');
});

test('a connection error is a failed attempt with the error in the timeline', async () => {
  const { db, receiver, clock, sender } = await setup(() => 200);
  const account = addAccount(db, 'a');
  const closed = await startReceiver();
  await closed.close(); // a port where nothing listens any more
  const event = addEvent(db, account, `${closed.origin}/cb`, clock.now());
  clock.advance(1000);
  assert.equal(await sender.tick(), 1);
  const [row] = timeline(db, event.message_uuid);
  assert.equal(row!.detail.outcome, 'retry');
  assert.equal(row!.detail.httpStatus, null);
  assert.match(String(row!.detail.error), /ECONNREFUSED/);
  assert.equal(receiver.requests.length, 0);
});

test('a TLS error is a failed attempt (https to a plain-HTTP port)', async () => {
  const { db, receiver, clock, sender } = await setup(() => 200);
  const event = addEvent(db, addAccount(db, 'a'), `https://127.0.0.1:${receiver.port}/cb`, clock.now());
  clock.advance(1000);
  assert.equal(await sender.tick(), 1);
  const [row] = timeline(db, event.message_uuid);
  assert.deepEqual([row!.detail.outcome, row!.detail.httpStatus], ['retry', null]);
  assert.ok(row!.detail.error);
});

test('a 4xx is a failed attempt, retried', async () => {
  const { db, receiver, clock, sender } = await setup((index) => (index === 0 ? 404 : 200));
  const event = addEvent(db, addAccount(db, 'a'), `${receiver.origin}/cb`, clock.now());
  clock.advance(1000);
  await sender.tick();
  clock.advance(5000);
  await sender.tick();
  assert.deepEqual(
    timeline(db, event.message_uuid).map((r) => [r.detail.httpStatus, r.detail.outcome]),
    [
      [404, 'retry'],
      [200, 'delivered'],
    ],
  );
});
