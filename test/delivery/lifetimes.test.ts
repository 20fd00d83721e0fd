/**
 * Lifetimes through the engine (spec §5.7, §13: 605 and 127): a message not handed off when its lifetime ends is
 * unsent 605 and never handed off afterwards; a sent one with no final status is undelivered 127 at exactly the end;
 * the default is 25 h; the lifetime starts at localSendTime when that is later than creation.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCallbackReceiver, type CallbackReceiver } from '../support/callbackReceiver.js';
import {
  HOUR,
  MINUTE,
  SECOND,
  isoMillis,
  messageOf,
  moneyOf,
  moscowWallClock,
  ruNumber,
  settleAt,
  startDeliveryGateway,
  timelineKinds,
  timelineOf,
} from '../support/delivery.js';
import type { TestGateway } from '../support/gateway.js';
import { APPROVED_SENDERS, flashcall, isoSeconds, sendOk, sms, stop, uniqueName, voicecode, whatsapp } from '../support/http.js';

let gateway: TestGateway;
let receiver: CallbackReceiver;

before(async () => {
  gateway = await startDeliveryGateway();
  receiver = await startCallbackReceiver();
});
after(async () => {
  await gateway?.close();
  await receiver?.close();
});

const newAccount = () => gateway.account(uniqueName('lifetime'), { senders: APPROVED_SENDERS, balance: 10_000 });

/** Moves the clock to the next whole minute plus a margin (scheduling fields have second precision) and returns it. */
function freshStart(): number {
  const next = Math.ceil((gateway.clock.now() + MINUTE) / MINUTE) * MINUTE;
  gateway.clock.set(next);
  return next;
}

describe('not handed off before the lifetime ends → unsent 605 (§5.7)', () => {
  it('at exactly the end it is unsent 605, refunded, never priced; one ms earlier it would have been handed off', async () => {
    const { auth, accountId } = await newAccount();
    const before = await moneyOf(gateway, accountId);
    const t = freshStart();
    const callback = { callbackUrl: receiver.url('/lifetimes/605'), callbackEvents: ['sent', 'delivered', 'price'] };
    const [late] = await sendOk(gateway, auth, [sms({ ttl: 60, ...callback })]);
    gateway.clock.set(t + 1);
    // Created 1 ms later, so its lifetime ends 1 ms later: the same engine round is 1 ms before its end.
    const [justInTime] = await sendOk(gateway, auth, [sms({ ttl: 60, destination: ruNumber('2000'), ...callback })]);

    // The engine does not run at all until the first message's lifetime has ended.
    const end = t + 60 * SECOND;
    await settleAt(gateway, end);

    const m = await messageOf(gateway, auth, late!);
    assert.deepEqual(
      { status: m.status, errorCode: m.errorCode, sentTime: m.sentTime, statusTime: m.statusTime, price: m.price },
      { status: 'unsent', errorCode: 605, sentTime: null, statusTime: isoSeconds(end), price: null },
    );
    assert.deepEqual(receiver.eventsFor(late!), [
      { message_uuid: late, channel_type: 'SMS', callback_event: 'delivered', status: 'unsent', status_time: isoSeconds(end), error_code: 605 },
    ]);
    const timeline = await timelineOf(gateway, auth, late!);
    const unsent = timeline.find((e) => e.kind === 'expired' || e.kind === 'unsent');
    assert.ok(unsent, JSON.stringify(timeline));
    assert.equal(unsent.time, isoMillis(end));
    assert.deepEqual(unsent.detail?.statuses, ['unsent']);

    const other = await messageOf(gateway, auth, justInTime!);
    assert.deepEqual([other.status, other.sentTime], ['sent', isoSeconds(end)], 'handed off 1 ms before its end');

    // Never handed off afterwards, whatever happens next.
    await settleAt(gateway, end + HOUR);
    const kinds = await timelineKinds(gateway, auth, late!);
    assert.ok(!kinds.includes('sent'), kinds.join());
    assert.deepEqual(await messageOf(gateway, auth, late!), m);
    assert.deepEqual((await stop(gateway, auth, { uuids: [late] })).body.items, [{ messageUuid: late, code: 200 }]);
    assert.deepEqual(await messageOf(gateway, auth, late!), m, 'a stop of an unsent message changes nothing');

    // Only the message that was handed off is charged.
    const money = await moneyOf(gateway, accountId);
    assert.deepEqual(money, { balance: before.balance - gateway.config.prices.SMS, reserved: 0, available: before.balance - gateway.config.prices.SMS });
  });

  it('an engine that falls behind still never hands off an expired message', async () => {
    const { auth } = await newAccount();
    const t = freshStart();
    const uuids = await sendOk(gateway, auth, [sms({ ttl: 60 }), voicecode({ ttl: 30 }), whatsapp({ ttl: 60 }), flashcall({ ttl: 30 })]);
    await settleAt(gateway, t + 10 * MINUTE);
    for (const uuid of uuids) {
      const m = await messageOf(gateway, auth, uuid);
      assert.deepEqual([m.status, m.errorCode, m.sentTime, m.price], ['unsent', 605, null, null], m.channelType);
      assert.ok(!(await timelineKinds(gateway, auth, uuid)).includes('sent'));
    }
  });
});

describe('sent with no final status → undelivered 127 at exactly the end (§5.7)', () => {
  it('every channel at its minimum ttl: still sent 1 ms before the end, undelivered 127 at the end; the lifetime counts from creation', async () => {
    const { auth } = await newAccount();
    const t = freshStart();
    const items = [
      voicecode({ ttl: 30, destination: ruNumber('2000') }),
      flashcall({ ttl: 30, destination: ruNumber('2000') }),
      sms({ ttl: 60, destination: ruNumber('2000') }),
      whatsapp({ ttl: 60, destination: ruNumber('2000') }),
      { channelType: 'VK', senderName: 'vk', destination: ruNumber('2000'), content: 'hi', ttl: 60 },
    ];
    const uuids = await sendOk(gateway, auth, items);
    const sentAt = t + 20 * SECOND; // handed off late: the lifetime still counts from creation
    await settleAt(gateway, sentAt);
    for (const ttl of [30, 60]) {
      const end = t + ttl * SECOND;
      const mine = uuids.filter((_, i) => items[i]!.ttl === ttl);
      const longer = uuids.filter((_, i) => (items[i]!.ttl as number) > ttl);
      await settleAt(gateway, end - 1);
      for (const uuid of mine) assert.equal((await messageOf(gateway, auth, uuid)).status, 'sent', `ttl ${ttl}: 1 ms before the end`);
      await settleAt(gateway, end);
      for (const uuid of longer) assert.equal((await messageOf(gateway, auth, uuid)).status, 'sent', `ttl > ${ttl} still lives`);
      for (const uuid of mine) {
        const m = await messageOf(gateway, auth, uuid);
        assert.deepEqual(
          [m.status, m.errorCode, m.sentTime, m.statusTime, m.price?.final],
          ['undelivered', 127, isoSeconds(sentAt), isoSeconds(end), true],
          m.channelType,
        );
        const expired = (await timelineOf(gateway, auth, uuid)).find((e) => e.kind === 'expired');
        assert.equal(expired?.time, isoMillis(end));
        assert.deepEqual(expired?.detail?.statuses, ['undelivered']);
      }
    }
  });

  it('a final status is not changed when the lifetime ends', async () => {
    const { auth } = await newAccount();
    const t = freshStart();
    const uuids = await sendOk(gateway, auth, [
      sms({ ttl: 60 }),
      sms({ ttl: 60, destination: ruNumber('0501') }),
      sms({ ttl: 60, destination: ruNumber('1501') }),
    ]);
    await settleAt(gateway, t + SECOND);
    const before = await Promise.all(uuids.map((u) => messageOf(gateway, auth, u)));
    assert.deepEqual(before.map((m) => m.status), ['delivered', 'undelivered', 'unsent']);
    await settleAt(gateway, t + 60 * SECOND);
    await settleAt(gateway, t + 2 * HOUR);
    assert.deepEqual(await Promise.all(uuids.map((u) => messageOf(gateway, auth, u))), before);
  });
});

describe('default lifetime: 25 h when ttl is omitted', () => {
  it('sent with ttl omitted: still sent 1 ms before 25 h, undelivered 127 at 25 h', async () => {
    const { auth } = await newAccount();
    const t = freshStart();
    const uuids = await sendOk(gateway, auth, [sms({ destination: ruNumber('2000') }), voicecode({ destination: ruNumber('2000') })]);
    for (const uuid of uuids) assert.equal((await messageOf(gateway, auth, uuid)).ttl, null, 'ttl null means the default lifetime');
    await settleAt(gateway, t + 5 * SECOND);
    const end = t + 25 * HOUR;
    await settleAt(gateway, end - 1);
    for (const uuid of uuids) assert.equal((await messageOf(gateway, auth, uuid)).status, 'sent');
    await settleAt(gateway, end);
    for (const uuid of uuids) {
      const m = await messageOf(gateway, auth, uuid);
      assert.deepEqual([m.status, m.errorCode, m.sentTime, m.statusTime], ['undelivered', 127, isoSeconds(t + 5 * SECOND), isoSeconds(end)]);
    }
  });

  it('not handed off within 25 h → unsent 605; handed off 1 ms before the end → sent', async () => {
    const { auth } = await newAccount();
    const t = freshStart();
    const [late] = await sendOk(gateway, auth, [sms()]);
    gateway.clock.set(t + 1);
    const [justInTime] = await sendOk(gateway, auth, [sms({ destination: ruNumber('2000') })]);
    const end = t + 25 * HOUR;
    await settleAt(gateway, end);
    const m = await messageOf(gateway, auth, late!);
    assert.deepEqual([m.status, m.errorCode, m.statusTime, m.sentTime], ['unsent', 605, isoSeconds(end), null]);
    assert.deepEqual([(await messageOf(gateway, auth, justInTime!)).status], ['sent']);
    await settleAt(gateway, end + 1);
    const last = await messageOf(gateway, auth, justInTime!);
    assert.deepEqual([last.status, last.errorCode], ['undelivered', 127]);
  });
});

describe('the lifetime starts at localSendTime when that is later than creation', () => {
  it('ttl counts from localSendTime (Moscow time): not expired at creation + ttl, expired at localSendTime + ttl', async () => {
    const { auth } = await newAccount();
    const t = freshStart();
    const sendAt = t + HOUR;
    const scheduled = (localSendTime: string, destination = '79261234567') =>
      sms({ ttl: 60, useLocalTime: false, localSendTime, destination });
    const [expiresFirst, handedOff] = await sendOk(gateway, auth, [
      scheduled(moscowWallClock(sendAt - SECOND)), // lifetime: sendAt - 1 s .. sendAt + 59 s
      scheduled(moscowWallClock(sendAt), ruNumber('2000')), // lifetime: sendAt .. sendAt + 60 s
    ]);
    // creation + ttl has passed long ago: neither expired, neither sent (not due yet).
    await settleAt(gateway, t + 2 * MINUTE);
    for (const uuid of [expiresFirst!, handedOff!]) assert.equal((await messageOf(gateway, auth, uuid)).status, 'sending');

    // The engine first runs at sendAt + 59 s: the end of the first's lifetime, 1 s before the end of the second's.
    await settleAt(gateway, sendAt + 59 * SECOND);
    const first = await messageOf(gateway, auth, expiresFirst!);
    assert.deepEqual([first.status, first.errorCode, first.statusTime], ['unsent', 605, isoSeconds(sendAt + 59 * SECOND)]);
    const second = await messageOf(gateway, auth, handedOff!);
    assert.deepEqual([second.status, second.sentTime], ['sent', isoSeconds(sendAt + 59 * SECOND)]);

    await settleAt(gateway, sendAt + 60 * SECOND - 1);
    assert.equal((await messageOf(gateway, auth, handedOff!)).status, 'sent');
    await settleAt(gateway, sendAt + 60 * SECOND);
    const ended = await messageOf(gateway, auth, handedOff!);
    assert.deepEqual([ended.status, ended.errorCode, ended.statusTime], ['undelivered', 127, isoSeconds(sendAt + 60 * SECOND)]);
  });

  it('a localSendTime earlier than creation does not move the lifetime back', async () => {
    const { auth } = await newAccount();
    const t = freshStart();
    const [uuid] = await sendOk(gateway, auth, [
      sms({ ttl: 60, useLocalTime: false, localSendTime: moscowWallClock(t - HOUR), destination: ruNumber('2000') }),
    ]);
    await settleAt(gateway, t);
    assert.equal((await messageOf(gateway, auth, uuid!)).status, 'sent', 'due at once');
    await settleAt(gateway, t + 60 * SECOND - 1);
    assert.equal((await messageOf(gateway, auth, uuid!)).status, 'sent');
    await settleAt(gateway, t + 60 * SECOND);
    assert.deepEqual([(await messageOf(gateway, auth, uuid!)).status, (await messageOf(gateway, auth, uuid!)).errorCode], ['undelivered', 127]);
  });
});
