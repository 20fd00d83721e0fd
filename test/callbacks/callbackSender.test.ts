import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { afterEach, test } from 'node:test';
import { createCallbackSender, type CallbackSenderOptions } from '../../src/callbacks/callbackSender.js';
import { generateSigningSecret } from '../../src/domain/signingSecret.js';
import { sqliteCallbackOutbox } from '../../src/store/sqlite/callbackOutbox.js';
import { ManualClock } from '../support/manualClock.js';
import { addAccount, addEvent, openTestDatabase, startReceiver, timeline, verifySignature, type Answer, type TestEvent } from './support.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(answer?: Answer, options: Partial<CallbackSenderOptions> = {}) {
  const database = openTestDatabase();
  cleanups.push(() => database.close());
  const receiver = await startReceiver(answer);
  cleanups.push(() => receiver.close());
  const clock = new ManualClock();
  const outbox = sqliteCallbackOutbox(database.db);
  const sender = createCallbackSender({ outbox, clock, allowPrivateTargets: true, userAgent: 'direct-gateway/0.1.0', ...options });
  cleanups.push(() => sender.stop());
  return { db: database.db, receiver, clock, outbox, sender };
}

const eventsOf = (body: string) => JSON.parse(body) as TestEvent[];

test('events are POSTed as JSON arrays in order, ≤ 100 per request, one (account, url) per request', async () => {
  const { db, receiver, clock, sender } = await setup();
  const a = addAccount(db, 'a');
  const b = addAccount(db, 'b');
  const one = `${receiver.origin}/one`;
  const two = `${receiver.origin}/two`;
  const groups = new Map<string, TestEvent[]>();
  const add = (account: number, url: string) => {
    const key = `${account} ${url}`;
    groups.set(key, [...(groups.get(key) ?? []), addEvent(db, account, url, clock.now())]);
  };
  db.transaction(() => {
    for (let i = 0; i < 250; i++) add(a, one);
    for (let i = 0; i < 3; i++) add(a, two);
    for (let i = 0; i < 2; i++) add(b, one);
  })();
  // At once: only the two full batches; the rest waits up to 1 s to fill.
  assert.equal(await sender.tick(), 2);
  assert.equal(await sender.tick(), 0);
  clock.advance(1000);
  assert.equal(await sender.tick(), 3);

  const deliveredTo = new Map<string, TestEvent[]>();
  const accountOf = new Map<string, number>();
  for (const [key, events] of groups) for (const e of events) accountOf.set(e.message_uuid, Number(key.split(' ')[0]));
  for (const request of receiver.requests) {
    const events = eventsOf(request.body);
    assert.ok(events.length >= 1 && events.length <= 100);
    const accounts = new Set(events.map((e) => accountOf.get(e.message_uuid)));
    assert.equal(accounts.size, 1, 'one account per request');
    const key = `${[...accounts][0]} ${receiver.origin}${request.url}`;
    deliveredTo.set(key, [...(deliveredTo.get(key) ?? []), ...events]);
  }
  assert.deepEqual(receiver.requests.map((r) => eventsOf(r.body).length).sort((x, y) => x - y), [2, 3, 50, 100, 100]);
  // Every event once, in order within its (account, url).
  assert.deepEqual(deliveredTo, groups);
});

test('headers: content type, user agent, webhook-id = delivery id, Standard Webhooks signature, Basic auth', async () => {
  const { db, receiver, clock, sender } = await setup();
  const secret = generateSigningSecret();
  const account = addAccount(db, 'signed', secret);
  const url = `http://us%40er:p%3Ass@127.0.0.1:${receiver.port}/hook?x=1`;
  const event = addEvent(db, account, url, clock.now());
  clock.advance(1000);
  assert.equal(await sender.tick(), 1);
  const [request] = receiver.requests;
  const { id } = db.prepare('select id from callback_deliveries').get() as { id: string };
  assert.equal(request!.method, 'POST');
  assert.equal(request!.url, '/hook?x=1');
  assert.equal(request!.headers['content-type'], 'application/json');
  assert.equal(request!.headers['user-agent'], 'direct-gateway/0.1.0');
  assert.equal(request!.headers['webhook-id'], id);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(request!.headers['webhook-timestamp'], String(Math.floor(clock.now() / 1000)));
  assert.equal(request!.headers.authorization, `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
  assert.equal(request!.body, `[${JSON.stringify(event)}]`);
  assert.deepEqual(verifySignature(secret, request!, clock.now()), [event]);
  // The timeline shows the URL without its password.
  const [row] = timeline(db, event.message_uuid);
  assert.deepEqual(row!.detail, {
    webhookId: id,
    url: `http://us%40er:***@127.0.0.1:${receiver.port}/hook?x=1`,
    attempt: 1,
    httpStatus: 200,
    error: null,
    latencyMs: row!.detail.latencyMs,
    outcome: 'delivered',
  });
  assert.equal(typeof row!.detail.latencyMs, 'number');
});

test('an account without a signing secret sends no signature headers, a URL without credentials no Authorization', async () => {
  const { db, receiver, clock, sender } = await setup();
  addEvent(db, addAccount(db, 'plain'), `${receiver.origin}/cb`, clock.now());
  clock.advance(1000);
  await sender.tick();
  const headers = receiver.requests[0]!.headers;
  assert.equal(headers['webhook-timestamp'], undefined);
  assert.equal(headers['webhook-signature'], undefined);
  assert.equal(headers.authorization, undefined);
  assert.ok(headers['webhook-id']);
});

test('any 2xx is success and the delivery is done', async () => {
  const { db, receiver, clock, sender } = await setup(() => 204);
  addEvent(db, addAccount(db, 'a'), `${receiver.origin}/cb`, clock.now());
  clock.advance(1000);
  assert.equal(await sender.tick(), 1);
  clock.advance(3_600_000);
  assert.equal(await sender.tick(), 0);
  assert.equal((db.prepare('select state from callback_deliveries').get() as { state: string }).state, 'delivered');
});

test('start sends continuously; stop waits for the requests in flight and records them', async () => {
  const SLOW_MS = 1_000;
  let slowArrivedAt = 0;
  const answer: Answer = (_, request) => {
    if (request.url !== '/slow') return 200;
    slowArrivedAt = performance.now();
    return { status: 200, afterMs: SLOW_MS };
  };
  const { db, receiver, clock, sender, outbox } = await setup(answer, { batchWaitMs: 0, idleMs: 5 });
  const account = addAccount(db, 'a');
  db.transaction(() => {
    for (let i = 0; i < 1000; i++) addEvent(db, account, `${receiver.origin}/u${i % 7}`, clock.now());
  })();
  sender.start();
  // Deadlines only bound a hang: a loaded machine makes this slower, not wrong.
  let deadline = Date.now() + 30_000;
  while (receiver.requests.reduce((n, r) => n + eventsOf(r.body).length, 0) < 1000 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(receiver.requests.reduce((n, r) => n + eventsOf(r.body).length, 0), 1000);
  // One more event: the receiver holds it for a while; stop must wait for it.
  receiver.requests.length = 0;
  addEvent(db, account, `${receiver.origin}/slow`, clock.now());
  deadline = Date.now() + 30_000;
  while (receiver.requests.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(slowArrivedAt > 0, 'the slow request arrived');
  await sender.stop();
  // Measured from the request's arrival, not from when this loop noticed it (a stall may notice it late): stop
  // returned only after the answer, which comes SLOW_MS after the arrival; and the delivery was recorded.
  assert.ok(performance.now() - slowArrivedAt >= SLOW_MS - 5, 'stop waited for the slow answer');
  assert.deepEqual(await outbox.pendingCount(), { unbatchedEvents: 0, pendingDeliveries: 0 });
});

test('in the loop a receiver that hangs holds one slot, not the others', async () => {
  const answer: Answer = (_, request) => (request.url === '/hang' ? 'hang' : 200);
  // The hang must outlast the rest of the test however slow the machine: a timeout far beyond it, and the receiver
  // closed at the end so that stop() need not wait for it.
  const { db, receiver, clock, sender } = await setup(answer, { batchWaitMs: 0, idleMs: 5, timeoutMs: 60_000 });
  const account = addAccount(db, 'a');
  addEvent(db, account, `${receiver.origin}/hang`, clock.now());
  sender.start();
  while (receiver.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  db.transaction(() => {
    for (let i = 0; i < 300; i++) addEvent(db, account, `${receiver.origin}/fine`, clock.now());
  })();
  while (receiver.requests.filter((r) => r.url === '/fine').length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  const hanging = db.prepare(`select attempts from callback_deliveries where url like '%/hang'`).get() as { attempts: number };
  assert.equal(hanging.attempts, 0, 'delivered while the other request still hangs');
  await receiver.close();
});
