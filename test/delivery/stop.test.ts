/**
 * Stop with the engine running (spec §9, §13: 606, §8.1 ready_to_stop): 200 while the message waits, 202 while a
 * worker holds it for hand-off, 403 once handed off, 404 unknown or another account's; stopped → unsent 606 with
 * the `delivered` callback, refunded, and never handed off.
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startCallbackReceiver, type CallbackReceiver } from '../support/callbackReceiver.js';
import {
  HOUR,
  SECOND,
  T0,
  messageOf,
  moneyOf,
  moscowWallClock,
  pause,
  ruNumber,
  settleAt,
  startDeliveryGateway,
  timelineKinds,
  timelineOf,
} from '../support/delivery.js';
import type { TestGateway } from '../support/gateway.js';
import { APPROVED_SENDERS, isoSeconds, listUuids, sendOk, sms, stop, uniqueName, vk, whatsapp } from '../support/http.js';

let receiver: CallbackReceiver;
let gateway: TestGateway;
let auth: string;
let accountId: number;

before(async () => {
  receiver = await startCallbackReceiver();
});
after(() => receiver?.close());
// A gateway per test: direct claims take every due message, so no other test's messages may be around.
beforeEach(async () => {
  gateway = await startDeliveryGateway();
  ({ auth, accountId } = await gateway.account(uniqueName('stop'), { senders: APPROVED_SENDERS }));
});
afterEach(() => gateway?.close());

const callbacks = (path: string) => ({ callbackUrl: receiver.url(path), callbackEvents: ['sent', 'delivered', 'price'] });
const scheduled = (fields: Record<string, unknown> = {}) =>
  sms({ useLocalTime: false, localSendTime: moscowWallClock(T0 + HOUR), ...fields });
const OTHER_WORKER = 'another-worker';

describe('200: the message is waiting', () => {
  it('scheduled in the future → 200, unsent 606 at once, `delivered` callback with unsent/606, refunded, never handed off', async () => {
    const money = await moneyOf(gateway, accountId);
    const [uuid] = await sendOk(gateway, auth, [scheduled(callbacks('/stop/waiting'))]);
    assert.equal((await moneyOf(gateway, accountId)).reserved, gateway.config.prices.SMS);
    await settleAt(gateway, T0 + 10 * SECOND);
    assert.equal((await messageOf(gateway, auth, uuid!)).status, 'sending');

    const stoppedAt = T0 + 20 * SECOND;
    gateway.clock.set(stoppedAt);
    const response = await stop(gateway, auth, { uuids: [uuid] });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { errors: false, items: [{ messageUuid: uuid, code: 200 }] });
    await gateway.settle();

    const m = await messageOf(gateway, auth, uuid!);
    assert.deepEqual(
      { status: m.status, errorCode: m.errorCode, statusTime: m.statusTime, sentTime: m.sentTime, price: m.price },
      { status: 'unsent', errorCode: 606, statusTime: isoSeconds(stoppedAt), sentTime: null, price: null },
    );
    assert.deepEqual(receiver.eventsFor(uuid!), [
      { message_uuid: uuid, channel_type: 'SMS', callback_event: 'delivered', status: 'unsent', status_time: isoSeconds(stoppedAt), error_code: 606 },
    ]);
    assert.deepEqual(await moneyOf(gateway, accountId), money, 'refunded');

    // Its send time comes and goes: nothing happens.
    await settleAt(gateway, T0 + HOUR);
    await settleAt(gateway, T0 + 2 * HOUR);
    assert.deepEqual(await messageOf(gateway, auth, uuid!), m);
    const kinds = await timelineKinds(gateway, auth, uuid!);
    assert.ok(!kinds.includes('claimed') && !kinds.includes('sent'), kinds.join());
    assert.equal(receiver.eventsFor(uuid!).length, 1, 'one callback, not two');
  });

  it('waiting for its hours window (claimed once, put back) → 200 and unsent 606; the window opens on nothing', async () => {
    const [uuid] = await sendOk(gateway, auth, [sms({ useLocalTime: false, hours: [15], ...callbacks('/stop/window') })]);
    await settleAt(gateway, T0);
    assert.deepEqual(await timelineKinds(gateway, auth, uuid!), ['accepted', 'claimed', 'rescheduled']);
    const response = await stop(gateway, auth, { uuids: [uuid!.toUpperCase()] });
    assert.deepEqual(response.body.items, [{ messageUuid: uuid!.toUpperCase(), code: 200 }], 'uuids match case-insensitively');
    await settleAt(gateway, Date.parse('2026-05-01T12:00:00Z'));
    const m = await messageOf(gateway, auth, uuid!);
    assert.deepEqual([m.status, m.errorCode, m.statusTime], ['unsent', 606, isoSeconds(T0)]);
    assert.ok(!(await timelineKinds(gateway, auth, uuid!)).includes('sent'));
  });

  it('an already unsent message (refused, expired) → 200 again, with no new callback and no second refund', async () => {
    const [refused, expired] = await sendOk(gateway, auth, [
      sms({ destination: ruNumber('1501'), ...callbacks('/stop/unsent') }),
      sms({ ttl: 60, ...callbacks('/stop/unsent') }),
    ]);
    await settleAt(gateway, T0 + 60 * SECOND);
    assert.deepEqual((await messageOf(gateway, auth, refused!)).errorCode, 501);
    assert.deepEqual((await messageOf(gateway, auth, expired!)).errorCode, 605);
    const money = await moneyOf(gateway, accountId);
    const events = receiver.events().length;
    gateway.clock.advance(SECOND);
    const response = await stop(gateway, auth, { uuids: [refused, expired] });
    assert.deepEqual(response.body, { errors: false, items: [{ messageUuid: refused, code: 200 }, { messageUuid: expired, code: 200 }] });
    await gateway.settle();
    assert.deepEqual([(await messageOf(gateway, auth, refused!)).errorCode, (await messageOf(gateway, auth, expired!)).errorCode], [501, 605]);
    assert.deepEqual(await moneyOf(gateway, accountId), money);
    assert.equal(receiver.events().length, events);
  });
});

describe('202: a worker holds the message for hand-off', () => {
  it('202 while claimed; the engine\'s next claim makes it unsent 606 — never handed off, refunded', async () => {
    const money = await moneyOf(gateway, accountId);
    const [uuid] = await sendOk(gateway, auth, [sms(callbacks('/stop/claimed'))]);
    const claimed = await gateway.store.engine.claimDue(OTHER_WORKER, T0, 5 * SECOND, 100);
    assert.deepEqual(claimed.map((c) => c.uuid), [uuid]);

    const response = await stop(gateway, auth, { uuids: [uuid] });
    assert.deepEqual(response.body, { errors: false, items: [{ messageUuid: uuid, code: 202 }] });
    assert.equal((await messageOf(gateway, auth, uuid!)).status, 'sending', 'may not be stopped yet');
    assert.deepEqual(await listUuids(gateway, auth, [['ready_to_stop', 'true']]), [], 'not in ready_to_stop while claimed');
    assert.deepEqual((await stop(gateway, auth, { uuids: [uuid] })).body.items, [{ messageUuid: uuid, code: 202 }], 'still 202');

    // The holder never hands it off (it died); while its lease lives, nobody else may take it.
    await settleAt(gateway, T0 + 5 * SECOND - 1);
    assert.equal((await messageOf(gateway, auth, uuid!)).status, 'sending');
    const endedAt = T0 + 5 * SECOND;
    await settleAt(gateway, endedAt);
    const m = await messageOf(gateway, auth, uuid!);
    assert.deepEqual(
      { status: m.status, errorCode: m.errorCode, statusTime: m.statusTime, sentTime: m.sentTime, price: m.price },
      { status: 'unsent', errorCode: 606, statusTime: isoSeconds(endedAt), sentTime: null, price: null },
    );
    const timeline = await timelineOf(gateway, auth, uuid!);
    assert.deepEqual(
      timeline.map((e) => e.kind),
      ['accepted', 'claimed', 'claimed', 'unsent', 'callback_attempt'],
    );
    assert.equal(timeline[1]!.detail?.worker, OTHER_WORKER);
    assert.notEqual(timeline[2]!.detail?.worker, OTHER_WORKER);
    assert.deepEqual(receiver.eventsFor(uuid!), [
      { message_uuid: uuid, channel_type: 'SMS', callback_event: 'delivered', status: 'unsent', status_time: isoSeconds(endedAt), error_code: 606 },
    ]);
    assert.deepEqual(await moneyOf(gateway, accountId), money, 'refunded');
  });

  it('202, then the claim ends in a wait for the sending window: still unsent 606 within a few seconds (§9)', async () => {
    const [uuid] = await sendOk(gateway, auth, [sms({ useLocalTime: false, hours: [15], ...callbacks('/stop/claimed-window') })]);
    // What one engine round does with a message outside its window, with a stop arriving between the claim and
    // the release (the round's hand-offs of other messages may take seconds on a real network).
    const owner = gateway.engine.owner;
    const [claimed] = await gateway.store.engine.claimDue(owner, T0, gateway.config.engine.leaseMs, 100);
    assert.equal(claimed?.uuid, uuid);
    assert.deepEqual((await stop(gateway, auth, { uuids: [uuid] })).body.items, [{ messageUuid: uuid, code: 202 }]);
    await gateway.store.engine.reschedule(owner, [{ uuid: uuid!, dueAt: Date.parse('2026-05-01T12:00:00Z'), note: 'window' }], T0);

    await settleAt(gateway, T0 + 5 * SECOND);
    const m = await messageOf(gateway, auth, uuid!);
    assert.deepEqual([m.status, m.errorCode], ['unsent', 606], 'a 202 must end unsent within seconds, not when the window opens 2 h later');
  });
});

describe('403 and 404', () => {
  it('403 once sent, delivered, undelivered, read: nothing changes, no callback', async () => {
    const uuids = await sendOk(gateway, auth, [
      sms({ destination: ruNumber('2000'), ...callbacks('/stop/403') }),
      sms(callbacks('/stop/403')),
      sms({ destination: ruNumber('0501'), ...callbacks('/stop/403') }),
      whatsapp({ destination: ruNumber('2001'), ...callbacks('/stop/403') }),
      vk({ destination: ruNumber('2002'), ...callbacks('/stop/403') }),
    ]);
    await settleAt(gateway, T0 + SECOND);
    await pause(10);
    await gateway.settle();
    const before = await Promise.all(uuids.map((u) => messageOf(gateway, auth, u)));
    assert.deepEqual(before.map((m) => m.status), ['sent', 'delivered', 'undelivered', 'read', 'delivered']);
    const events = receiver.events().length;
    gateway.clock.advance(SECOND);
    const response = await stop(gateway, auth, { uuids });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { errors: true, items: uuids.map((u) => ({ messageUuid: u, code: 403 })) });
    await gateway.settle();
    assert.deepEqual(await Promise.all(uuids.map((u) => messageOf(gateway, auth, u))), before);
    assert.equal(receiver.events().length, events);
  });

  it('404: unknown uuid, another account\'s message, not a uuid; the others in the request are still stopped', async () => {
    const other = await gateway.account(uniqueName('other'), { senders: APPROVED_SENDERS });
    const [theirs] = await sendOk(gateway, other.auth, [scheduled()]);
    const [mine] = await sendOk(gateway, auth, [scheduled()]);
    const unknown = randomUUID();
    const response = await stop(gateway, auth, { uuids: [unknown, theirs, 'not-a-uuid', mine] });
    assert.deepEqual(response.body, {
      errors: true,
      items: [
        { messageUuid: unknown, code: 404 },
        { messageUuid: theirs, code: 404 },
        { messageUuid: 'not-a-uuid', code: 404 },
        { messageUuid: mine, code: 200 },
      ],
    });
    assert.equal((await messageOf(gateway, other.auth, theirs!)).status, 'sending', 'another account cannot stop it');
    assert.equal((await messageOf(gateway, auth, mine!)).status, 'unsent');
    await settleAt(gateway, T0 + HOUR);
    assert.equal((await messageOf(gateway, other.auth, theirs!)).status, 'delivered');
  });
});

describe('ready_to_stop (§8.1) agrees with the stop codes', () => {
  it('true lists exactly the messages a stop answers 200, false the others', async () => {
    // Final or handed off first, so that the direct claim below finds only the message meant for it.
    const [sent, delivered, refused, toStop] = await sendOk(gateway, auth, [
      sms({ destination: ruNumber('2000') }),
      sms(),
      sms({ destination: ruNumber('1453') }),
      scheduled(),
    ]);
    await settleAt(gateway, T0);
    assert.equal((await stop(gateway, auth, { uuids: [toStop] })).body.items[0].code, 200);
    const [waiting, windowed] = await sendOk(gateway, auth, [scheduled(), sms({ useLocalTime: false, hours: [15] })]);
    await settleAt(gateway, T0 + SECOND);
    const [claimed] = await sendOk(gateway, auth, [sms()]);
    const taken = await gateway.store.engine.claimDue(OTHER_WORKER, T0 + SECOND, 30 * SECOND, 100);
    assert.deepEqual(taken.map((c) => c.uuid), [claimed]);

    const all = { sent, delivered, refused, toStop, waiting, windowed, claimed } as Record<string, string>;
    const statuses = Object.fromEntries(
      await Promise.all(Object.entries(all).map(async ([name, uuid]) => [name, (await messageOf(gateway, auth, uuid)).status])),
    );
    assert.deepEqual(statuses, {
      sent: 'sent',
      delivered: 'delivered',
      refused: 'unsent',
      toStop: 'unsent',
      waiting: 'sending',
      windowed: 'sending',
      claimed: 'sending',
    });
    const ready = new Set(await listUuids(gateway, auth, [['ready_to_stop', 'true']]));
    const notReady = new Set(await listUuids(gateway, auth, [['ready_to_stop', 'false']]));
    const codes = (await stop(gateway, auth, { uuids: Object.values(all) })).body.items.map((i: { code: number }) => i.code);
    const codeOf = (name: string): number => codes[Object.keys(all).indexOf(name)];
    const byCode = Object.fromEntries(Object.keys(all).map((name) => [name, codeOf(name)]));
    assert.deepEqual(byCode, { sent: 403, delivered: 403, refused: 200, toStop: 200, waiting: 200, windowed: 200, claimed: 202 });
    for (const [name, uuid] of Object.entries(all)) {
      assert.equal(ready.has(uuid), codeOf(name) === 200, `${name}: ready_to_stop=true iff a stop answers 200`);
      assert.equal(notReady.has(uuid), codeOf(name) !== 200, `${name}: ready_to_stop=false iff a stop does not answer 200`);
    }
  });
});
