import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type Database from 'better-sqlite3';
import type { CallbackAttemptRecord, CallbackOutbox, ClaimedDelivery } from '../../src/store/callbackOutbox.js';
import { sqliteCallbackOutbox } from '../../src/store/sqlite/callbackOutbox.js';
import { addAccount, addEvent, openTestDatabase, timeline, type TestEvent } from './support.js';

const T0 = Date.parse('2026-05-01T10:00:00Z');
const FORM = { maxEvents: 100, fillWaitMs: 1000 };
let database: ReturnType<typeof openTestDatabase>;
let db: Database.Database;
let outbox: CallbackOutbox;

beforeEach(() => {
  database = openTestDatabase();
  db = database.db;
  outbox = sqliteCallbackOutbox(db);
});
afterEach(() => database.close());

function deliveries(): { id: string; account_id: number; url: string; body: string; message_uuids: string; state: string }[] {
  return db.prepare('select * from callback_deliveries d join callback_delivery_bodies b on b.delivery_id = d.id order by id').all() as never;
}

function attemptOf(delivery: ClaimedDelivery, outcome: 'delivered' | 'retry' | 'dropped', at: number, nextAttemptAt: number | null = null): CallbackAttemptRecord {
  return {
    leaseUntil: delivery.leaseUntil,
    at,
    nextAttemptAt,
    detail: { webhookId: delivery.id, url: delivery.url, attempt: delivery.attempts + 1, httpStatus: 500, error: null, latencyMs: 3, outcome },
  };
}

test('a lone event waits for the fill time, then goes alone', async () => {
  const account = addAccount(db, 'a');
  addEvent(db, account, 'https://example.com/cb', T0);
  assert.equal(await outbox.formDeliveries(T0 + 999, FORM), 0);
  assert.deepEqual(await outbox.pendingCount(), { unbatchedEvents: 1, pendingDeliveries: 0 });
  assert.equal(await outbox.formDeliveries(T0 + 1000, FORM), 1);
  assert.deepEqual(await outbox.pendingCount(), { unbatchedEvents: 0, pendingDeliveries: 1 });
});

test('full batches of 100 go at once, in event order; the young rest waits', async () => {
  const account = addAccount(db, 'a');
  const events: TestEvent[] = [];
  db.transaction(() => {
    for (let i = 0; i < 250; i++) events.push(addEvent(db, account, 'https://example.com/cb', T0 + i));
  })();
  assert.equal(await outbox.formDeliveries(T0 + 300, FORM), 2);
  const [first, second] = deliveries();
  assert.deepEqual(JSON.parse(first!.body), events.slice(0, 100));
  assert.deepEqual(JSON.parse(second!.body), events.slice(100, 200));
  assert.deepEqual(JSON.parse(first!.message_uuids), events.slice(0, 100).map((e) => e.message_uuid));
  // The rest's first event is 200 ms old at +400: not yet; at +1200 it is 1 s old.
  assert.equal(await outbox.formDeliveries(T0 + 400, FORM), 0);
  assert.equal(await outbox.formDeliveries(T0 + 1200, FORM), 1);
  assert.deepEqual(JSON.parse(deliveries()[2]!.body), events.slice(200));
});

test('the body is the stored payloads joined exactly, and a message is listed once', async () => {
  const account = addAccount(db, 'a');
  const uuid = '00000000-0000-7000-8000-00000000abcd';
  const a = addEvent(db, account, 'https://example.com/cb', T0, uuid);
  const b = addEvent(db, account, 'https://example.com/cb', T0, uuid);
  await outbox.formDeliveries(T0 + 1000, FORM);
  const [delivery] = deliveries();
  assert.equal(delivery!.body, `[${JSON.stringify(a)},${JSON.stringify(b)}]`);
  assert.deepEqual(JSON.parse(delivery!.message_uuids), [uuid]);
});

test('two accounts or two URLs never share a delivery', async () => {
  const a = addAccount(db, 'a');
  const b = addAccount(db, 'b');
  addEvent(db, a, 'https://example.com/one', T0);
  addEvent(db, a, 'https://example.com/two', T0);
  addEvent(db, b, 'https://example.com/one', T0);
  addEvent(db, a, 'https://example.com/one', T0);
  assert.equal(await outbox.formDeliveries(T0 + 1000, FORM), 3);
  const groups = deliveries().map((d) => `${d.account_id} ${d.url} ${(JSON.parse(d.body) as unknown[]).length}`).sort();
  assert.deepEqual(groups, [`${a} https://example.com/one 2`, `${a} https://example.com/two 1`, `${b} https://example.com/one 1`]);
});

test('a round stops after about limitEvents events; the next one continues', async () => {
  const account = addAccount(db, 'a');
  db.transaction(() => {
    for (let i = 0; i < 300; i++) addEvent(db, account, 'https://example.com/cb', T0);
  })();
  assert.equal(await outbox.formDeliveries(T0, { ...FORM, limitEvents: 150 }), 2);
  assert.equal(await outbox.formDeliveries(T0, { ...FORM, limitEvents: 150 }), 1);
});

test('claimDue returns due deliveries with the account secret and leases them', async () => {
  const signed = addAccount(db, 'signed', 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0');
  const plain = addAccount(db, 'plain');
  addEvent(db, signed, 'https://example.com/cb', T0);
  addEvent(db, plain, 'https://example.com/cb', T0);
  await outbox.formDeliveries(T0 + 1000, FORM);
  const claimed = await outbox.claimDue(T0 + 1000, 60_000, 10);
  assert.equal(claimed.length, 2);
  const bySecret = new Map(claimed.map((d) => [d.accountId, d.signingSecret]));
  assert.equal(bySecret.get(signed), 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0');
  assert.equal(bySecret.get(plain), null);
  assert.ok(claimed.every((d) => d.attempts === 0 && d.firstAttemptAt === null && d.leaseUntil === T0 + 61_000));
  assert.equal((await outbox.claimDue(T0 + 1000, 60_000, 10)).length, 0, 'leased deliveries are not claimed twice');
});

test('claimDue respects the limit and next_attempt_at', async () => {
  const account = addAccount(db, 'a');
  for (let i = 0; i < 3; i++) addEvent(db, account, `https://example.com/${i}`, T0);
  await outbox.formDeliveries(T0 + 1000, FORM);
  assert.equal((await outbox.claimDue(T0 + 999, 1000, 10)).length, 0);
  assert.equal((await outbox.claimDue(T0 + 1000, 1000, 2)).length, 2);
  assert.equal((await outbox.claimDue(T0 + 1000, 1000, 2)).length, 1);
});

test('an expired lease can be claimed again, and the old holder can no longer record', async () => {
  const account = addAccount(db, 'a');
  addEvent(db, account, 'https://example.com/cb', T0);
  await outbox.formDeliveries(T0 + 1000, FORM);
  const [old] = await outbox.claimDue(T0 + 1000, 5_000, 10);
  assert.equal((await outbox.claimDue(T0 + 5_999, 5_000, 10)).length, 0);
  const [fresh] = await outbox.claimDue(T0 + 6_000, 5_000, 10);
  assert.ok(fresh && fresh.leaseUntil > old!.leaseUntil);
  assert.equal(await outbox.recordAttempts([attemptOf(old!, 'delivered', T0 + 6_000)]), 0);
  assert.equal(deliveries()[0]!.state, 'pending');
  assert.equal(await outbox.recordAttempts([attemptOf(fresh!, 'delivered', T0 + 6_000)]), 1);
  assert.equal(deliveries()[0]!.state, 'delivered');
  assert.equal(await outbox.recordAttempts([attemptOf(fresh!, 'delivered', T0 + 6_000)]), 0, 'recorded once');
});

test('a retry keeps the delivery pending until its next attempt; the timeline gets a row per message', async () => {
  const account = addAccount(db, 'a');
  const events = [addEvent(db, account, 'https://u:p@example.com/cb', T0), addEvent(db, account, 'https://u:p@example.com/cb', T0)];
  await outbox.formDeliveries(T0 + 1000, FORM);
  const [claimed] = await outbox.claimDue(T0 + 1000, 60_000, 10);
  await outbox.recordAttempts([attemptOf(claimed!, 'retry', T0 + 1000, T0 + 6000)]);
  const row = db.prepare('select * from callback_deliveries').get() as Record<string, unknown>;
  assert.deepEqual(
    { state: row.state, attempts: row.attempts, first: row.first_attempt_at, next: row.next_attempt_at, lease: row.lease_until },
    { state: 'pending', attempts: 1, first: T0 + 1000, next: T0 + 6000, lease: null },
  );
  assert.deepEqual(JSON.parse(row.last_result as string), { at: T0 + 1000, httpStatus: 500, error: null });
  assert.equal((await outbox.claimDue(T0 + 5999, 60_000, 10)).length, 0);
  const [again] = await outbox.claimDue(T0 + 6000, 60_000, 10);
  assert.deepEqual([again!.attempts, again!.firstAttemptAt, again!.body], [1, T0 + 1000, claimed!.body]);
  await outbox.recordAttempts([attemptOf(again!, 'dropped', T0 + 6000)]);
  assert.equal((db.prepare('select state from callback_deliveries').get() as { state: string }).state, 'dropped');
  assert.equal((await outbox.claimDue(T0 + 99_999_999, 60_000, 10)).length, 0);
  for (const event of events) {
    const rows = timeline(db, event.message_uuid);
    assert.deepEqual(rows.map((r) => [r.kind, r.at, r.detail.outcome, r.detail.attempt]), [
      ['callback_attempt', T0 + 1000, 'retry', 1],
      ['callback_attempt', T0 + 6000, 'dropped', 2],
    ]);
  }
});
