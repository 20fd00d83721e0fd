import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { createCallbackSender } from '../../src/callbacks/callbackSender.js';
import { sqliteCallbackOutbox } from '../../src/store/sqlite/callbackOutbox.js';
import { ManualClock } from '../support/manualClock.js';
import { addAccount, addEvent, openTestDatabase, startReceiver, timeline } from './support.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(allowPrivateTargets: boolean) {
  const database = openTestDatabase();
  cleanups.push(() => database.close());
  const receiver = await startReceiver();
  cleanups.push(() => receiver.close());
  const clock = new ManualClock();
  const sender = createCallbackSender({ outbox: sqliteCallbackOutbox(database.db), clock, allowPrivateTargets, userAgent: 'dgw/test' });
  cleanups.push(() => sender.stop());
  return { db: database.db, receiver, clock, sender, account: addAccount(database.db, 'a') };
}

for (const [host, refused] of [
  ['127.0.0.1', /^refused private address 127\.0\.0\.1 \(loopback\)$/],
  ['0x7f.0.0.1', /^refused private address 127\.0\.0\.1 \(loopback\)$/], // the URL parser normalises it
  ['[::ffff:127.0.0.1]', /^refused private address ::ffff:7f00:1 \(loopback\)$/],
  ['localhost', /^refused private address (127\.0\.0\.1|::1) \(loopback\)$/], // a name: checked after resolution
] as const) {
  test(`by default a callback to ${host} is refused: a failed attempt, in the timeline, no request sent`, async () => {
    const { db, receiver, clock, sender, account } = await setup(false);
    const event = addEvent(db, account, `http://${host}:${receiver.port}/cb`, clock.now());
    clock.advance(1000);
    assert.equal(await sender.tick(), 1);
    const [row] = timeline(db, event.message_uuid);
    assert.equal(row!.detail.outcome, 'retry');
    assert.equal(row!.detail.httpStatus, null);
    assert.match(String(row!.detail.error), refused);
    assert.equal(receiver.requests.length, 0);
    // A refusal says nothing of the host: it is not backed off, and a new event for it is tried at once.
    addEvent(db, account, `http://${host}:${receiver.port}/other`, clock.now());
    clock.advance(1000);
    assert.equal(await sender.tick(), 1);
    // Both still refused on their retries.
    clock.advance(5_500);
    assert.equal(await sender.tick(), 2);
    assert.equal(receiver.requests.length, 0);
  });
}

for (const host of ['127.0.0.1', 'localhost']) {
  test(`with allowPrivateTargets a callback to ${host} is delivered`, async () => {
    const { db, receiver, clock, sender, account } = await setup(true);
    const event = addEvent(db, account, `http://${host}:${receiver.port}/cb`, clock.now());
    clock.advance(1000);
    assert.equal(await sender.tick(), 1);
    assert.equal(receiver.requests.length, 1);
    assert.equal(timeline(db, event.message_uuid)[0]!.detail.outcome, 'delivered');
  });
}
