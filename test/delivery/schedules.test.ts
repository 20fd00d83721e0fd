/**
 * Scheduling through the engine (spec §5.8, §5.7, §13: 605): localSendTime, hours and days windows at their
 * boundaries, in Moscow time (`useLocalTime: false`) and in a US subscriber's zone; a window that closes before
 * localCompletionTime or the lifetime's end gives unsent 605.
 *
 * The epoch is Friday 2026-05-01 10:00:00 UTC = 13:00 Moscow = 03:00 in Los Angeles (PDT, UTC−7).
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCallbackReceiver, type CallbackReceiver } from '../support/callbackReceiver.js';
import {
  HOUR,
  SECOND,
  T0,
  engineRoundAt,
  messageOf,
  settleAt,
  startDeliveryGateway,
  timelineKinds,
  timelineOf,
} from '../support/delivery.js';
import type { TestGateway } from '../support/gateway.js';
import { APPROVED_SENDERS, isoSeconds, sendOk, sms, uniqueName, whatsapp } from '../support/http.js';

const at = (iso: string) => Date.parse(iso);

let receiver: CallbackReceiver;
let gateway: TestGateway;
let auth: string;

before(async () => {
  receiver = await startCallbackReceiver();
});
after(() => receiver?.close());
// A gateway per test: each case starts at the same epoch and no other message is due in its rounds.
beforeEach(async () => {
  gateway = await startDeliveryGateway();
  ({ auth } = await gateway.account(uniqueName('schedule'), { senders: APPROVED_SENDERS }));
});
afterEach(() => gateway?.close());

const moscow = (fields: Record<string, unknown>) => sms({ useLocalTime: false, ...fields });
const status = async (uuid: string) => (await messageOf(gateway, auth, uuid)).status as string;

/** The `rescheduled` entries of a message's timeline: when the engine put it back to wait for its window. */
async function reschedules(uuid: string) {
  return (await timelineOf(gateway, auth, uuid)).filter((e) => e.kind === 'rescheduled');
}

describe('localSendTime (§5.8)', () => {
  it('in the future: stays sending, untouched by the engine, and is handed off at that very moment', async () => {
    const [uuid] = await sendOk(gateway, auth, [moscow({ localSendTime: '2026-05-01 15:00:00' })]);
    const m = await messageOf(gateway, auth, uuid!);
    assert.deepEqual([m.localSendTime, m.useLocalTime, m.status], ['2026-05-01 15:00:00', false, 'sending']);
    await settleAt(gateway, T0);
    await settleAt(gateway, at('2026-05-01T11:59:59.999Z'));
    assert.equal(await status(uuid!), 'sending');
    assert.deepEqual(await timelineKinds(gateway, auth, uuid!), ['accepted'], 'not claimed before it is due');
    await engineRoundAt(gateway, at('2026-05-01T12:00:00Z'));
    const sent = await messageOf(gateway, auth, uuid!);
    assert.deepEqual([sent.status, sent.sentTime], ['sent', '2026-05-01T12:00:00Z']);
  });

  it('in the subscriber\'s own time (useLocalTime true, US number in Los Angeles): 05:00 PDT = 12:00 UTC', async () => {
    const [uuid] = await sendOk(gateway, auth, [sms({ destination: '14085553911', localSendTime: '2026-05-01 05:00:00' })]);
    const m = await messageOf(gateway, auth, uuid!);
    assert.deepEqual([m.countryCode, m.useLocalTime], ['US', true]);
    await settleAt(gateway, at('2026-05-01T11:59:59.999Z'));
    assert.equal(await status(uuid!), 'sending');
    await engineRoundAt(gateway, at('2026-05-01T12:00:00Z'));
    assert.equal((await messageOf(gateway, auth, uuid!)).sentTime, '2026-05-01T12:00:00Z');
  });
});

describe('hours (§5.8)', () => {
  it('outside the window: claimed, rescheduled to the hour it opens, handed off at its first millisecond', async () => {
    const [uuid] = await sendOk(gateway, auth, [moscow({ hours: [15] })]);
    await settleAt(gateway, T0);
    assert.equal(await status(uuid!), 'sending');
    const [rescheduled] = await reschedules(uuid!);
    assert.ok(rescheduled, (await timelineKinds(gateway, auth, uuid!)).join());
    assert.equal(rescheduled.detail?.dueAt, '2026-05-01T12:00:00.000Z');
    assert.match(String(rescheduled.detail?.reason), /Europe\/Moscow/);
    await settleAt(gateway, at('2026-05-01T11:59:59.999Z'));
    assert.equal(await status(uuid!), 'sending', '14:59:59.999 Moscow is not hour 15');
    const waiting = await messageOf(gateway, auth, uuid!);
    assert.equal(waiting.statusTime, waiting.createdTime, 'statusTime equals createdTime while sending (§8.3)');
    await engineRoundAt(gateway, at('2026-05-01T12:00:00Z'));
    assert.equal((await messageOf(gateway, auth, uuid!)).sentTime, '2026-05-01T12:00:00Z');
    assert.deepEqual((await timelineKinds(gateway, auth, uuid!)).slice(0, 5), ['accepted', 'claimed', 'rescheduled', 'claimed', 'sent']);
  });

  it('the last millisecond of an allowed hour still sends; the next one waits for the next day', async () => {
    const [inside] = await sendOk(gateway, auth, [moscow({ hours: [13] })]);
    await settleAt(gateway, at('2026-05-01T10:59:59.999Z')); // 13:59:59.999 Moscow
    assert.equal(await status(inside!), 'delivered');

    gateway.clock.set(at('2026-05-01T11:00:00Z')); // 14:00 Moscow
    const [outside] = await sendOk(gateway, auth, [moscow({ hours: [13] })]);
    await settleAt(gateway, at('2026-05-01T11:00:00Z'));
    assert.equal(await status(outside!), 'sending');
    assert.equal((await reschedules(outside!))[0]?.detail?.dueAt, '2026-05-02T10:00:00.000Z');
    await settleAt(gateway, at('2026-05-02T09:59:59.999Z'));
    assert.equal(await status(outside!), 'sending');
    await engineRoundAt(gateway, at('2026-05-02T10:00:00Z'));
    assert.equal((await messageOf(gateway, auth, outside!)).sentTime, '2026-05-02T10:00:00Z');
  });

  it('a US number with useLocalTime true waits for 09:00 in Los Angeles (16:00 UTC); with false, for 09:00 Moscow', async () => {
    const [local, moscowTime] = await sendOk(gateway, auth, [
      sms({ destination: '14085553911', hours: [9] }),
      sms({ destination: '14085553911', hours: [9], useLocalTime: false }),
    ]);
    await settleAt(gateway, T0);
    const [localWait] = await reschedules(local!);
    assert.equal(localWait?.detail?.dueAt, '2026-05-01T16:00:00.000Z');
    assert.match(String(localWait?.detail?.reason), /America\/Los_Angeles/);
    assert.equal((await reschedules(moscowTime!))[0]?.detail?.dueAt, '2026-05-02T06:00:00.000Z');
    await settleAt(gateway, at('2026-05-01T15:59:59.999Z'));
    assert.equal(await status(local!), 'sending');
    await engineRoundAt(gateway, at('2026-05-01T16:00:00Z'));
    assert.equal((await messageOf(gateway, auth, local!)).sentTime, '2026-05-01T16:00:00Z');
    assert.equal(await status(moscowTime!), 'sending');
    await engineRoundAt(gateway, at('2026-05-02T06:00:00Z'));
    assert.equal((await messageOf(gateway, auth, moscowTime!)).sentTime, '2026-05-02T06:00:00Z');
  });
});

describe('days (§5.8)', () => {
  it('Saturday only: waits from Friday 13:00 until Saturday 00:00 Moscow (Friday 21:00 UTC)', async () => {
    const [uuid] = await sendOk(gateway, auth, [moscow({ days: [6] })]);
    await settleAt(gateway, T0);
    assert.equal((await reschedules(uuid!))[0]?.detail?.dueAt, '2026-05-01T21:00:00.000Z');
    await settleAt(gateway, at('2026-05-01T20:59:59.999Z'));
    assert.equal(await status(uuid!), 'sending');
    await engineRoundAt(gateway, at('2026-05-01T21:00:00Z'));
    assert.equal((await messageOf(gateway, auth, uuid!)).sentTime, '2026-05-01T21:00:00Z');
  });

  it('Friday only: the last millisecond of Friday sends; at Saturday 00:00 the next Friday is past the 25 h lifetime → unsent 605', async () => {
    gateway.clock.set(at('2026-05-01T20:00:00Z'));
    const [inside] = await sendOk(gateway, auth, [moscow({ days: [5] })]);
    await engineRoundAt(gateway, at('2026-05-01T20:59:59.999Z')); // Friday 23:59:59.999 Moscow
    assert.equal(await status(inside!), 'sent');

    gateway.clock.set(at('2026-05-01T21:00:00Z'));
    const [late] = await sendOk(gateway, auth, [moscow({ days: [5], callbackUrl: receiver.url('/schedules/days') })]);
    await settleAt(gateway, at('2026-05-01T21:00:00Z'));
    const m = await messageOf(gateway, auth, late!);
    assert.deepEqual([m.status, m.errorCode, m.statusTime, m.sentTime, m.price], ['unsent', 605, '2026-05-01T21:00:00Z', null, null]);
    assert.deepEqual(receiver.eventsFor(late!), [
      { message_uuid: late, channel_type: 'SMS', callback_event: 'delivered', status: 'unsent', status_time: '2026-05-01T21:00:00Z', error_code: 605 },
    ]);
  });

  it('days and hours together (Monday 09:00 Moscow), opened by localSendTime within a one-day ttl', async () => {
    const [uuid] = await sendOk(gateway, auth, [
      whatsapp({ useLocalTime: false, localSendTime: '2026-05-04 08:00:00', days: [1], hours: [9], ttl: 86400 }),
    ]);
    await settleAt(gateway, T0);
    assert.deepEqual(await timelineKinds(gateway, auth, uuid!), ['accepted'], 'not due before localSendTime');
    await settleAt(gateway, at('2026-05-04T05:00:00Z')); // Monday 08:00 Moscow
    assert.equal((await reschedules(uuid!))[0]?.detail?.dueAt, '2026-05-04T06:00:00.000Z');
    await settleAt(gateway, at('2026-05-04T05:59:59.999Z'));
    assert.equal(await status(uuid!), 'sending');
    await engineRoundAt(gateway, at('2026-05-04T06:00:00Z'));
    assert.equal((await messageOf(gateway, auth, uuid!)).sentTime, '2026-05-04T06:00:00Z');
  });
});

describe('the window closes first → unsent 605 (§5.8, §13)', () => {
  it('localCompletionTime before the next allowed hour: unsent at once; exactly at it: handed off then', async () => {
    const [tooLate, justInTime] = await sendOk(gateway, auth, [
      moscow({ hours: [15], localCompletionTime: '2026-05-01 14:59:59', callbackUrl: receiver.url('/schedules/completion') }),
      moscow({ hours: [15], localCompletionTime: '2026-05-01 15:00:00' }),
    ]);
    await settleAt(gateway, T0);
    const m = await messageOf(gateway, auth, tooLate!);
    assert.deepEqual([m.status, m.errorCode, m.statusTime, m.price], ['unsent', 605, isoSeconds(T0), null]);
    assert.deepEqual(receiver.eventsFor(tooLate!), [
      { message_uuid: tooLate, channel_type: 'SMS', callback_event: 'delivered', status: 'unsent', status_time: isoSeconds(T0), error_code: 605 },
    ]);
    assert.equal(await status(justInTime!), 'sending');
    await engineRoundAt(gateway, at('2026-05-01T12:00:00Z'));
    assert.equal((await messageOf(gateway, auth, justInTime!)).sentTime, '2026-05-01T12:00:00Z');
  });

  it('localSendTime = localCompletionTime: sent at that second; an engine round after it → unsent 605', async () => {
    const [open, closed] = await sendOk(gateway, auth, [
      moscow({ localSendTime: '2026-05-01 15:00:00', localCompletionTime: '2026-05-01 15:00:00' }),
      moscow({ localSendTime: '2026-05-01 14:59:59', localCompletionTime: '2026-05-01 14:59:59' }),
    ]);
    await engineRoundAt(gateway, at('2026-05-01T12:00:00Z'));
    assert.equal(await status(open!), 'sent');
    const m = await messageOf(gateway, auth, closed!);
    assert.deepEqual([m.status, m.errorCode, m.sentTime], ['unsent', 605, null]);
    assert.ok(!(await timelineKinds(gateway, auth, closed!)).includes('sent'));
  });

  it('the lifetime ends when the window opens (ttl 7200 s, hours [15]): unsent 605; one more second of ttl: sent', async () => {
    const [ends, fits] = await sendOk(gateway, auth, [moscow({ hours: [15], ttl: 7200 }), moscow({ hours: [15], ttl: 7201 })]);
    await settleAt(gateway, T0);
    const m = await messageOf(gateway, auth, ends!);
    assert.deepEqual([m.status, m.errorCode, m.statusTime], ['unsent', 605, isoSeconds(T0)]);
    assert.equal(await status(fits!), 'sending');
    await engineRoundAt(gateway, T0 + 2 * HOUR);
    assert.equal((await messageOf(gateway, auth, fits!)).sentTime, isoSeconds(T0 + 2 * HOUR));
  });

  it('a window never reached within the lifetime (hours [3], ttl 1 h) is unsent 605 and never handed off', async () => {
    const [uuid] = await sendOk(gateway, auth, [moscow({ hours: [3], ttl: 3600 })]);
    await settleAt(gateway, T0 + SECOND);
    await settleAt(gateway, at('2026-05-02T00:00:00Z')); // 03:00 Moscow next day
    const m = await messageOf(gateway, auth, uuid!);
    assert.deepEqual([m.status, m.errorCode, m.sentTime], ['unsent', 605, null]);
    assert.ok(!(await timelineKinds(gateway, auth, uuid!)).includes('sent'));
  });
});

describe('daylight saving time in the subscriber\'s zone (§5.8)', () => {
  // Los Angeles springs forward on Sunday 2026-03-08: 02:00 PST becomes 03:00 PDT (10:00 UTC).
  const SATURDAY_NOON_PST = at('2026-03-07T20:00:00Z');

  it('a localSendTime in the DST gap moves forward to the first valid minute (03:00 PDT = 10:00 UTC)', async () => {
    gateway.clock.set(SATURDAY_NOON_PST);
    const [uuid] = await sendOk(gateway, auth, [sms({ destination: '14085553911', localSendTime: '2026-03-08 02:30:00' })]);
    await settleAt(gateway, at('2026-03-08T09:59:59.999Z'));
    assert.equal(await status(uuid!), 'sending');
    await engineRoundAt(gateway, at('2026-03-08T10:00:00Z'));
    assert.equal((await messageOf(gateway, auth, uuid!)).sentTime, '2026-03-08T10:00:00Z');
  });

  it('hours [3] opens at 10:00 UTC that day; hours [2] does not exist that day, so the window lies past the lifetime → 605', async () => {
    gateway.clock.set(SATURDAY_NOON_PST);
    const [three, two] = await sendOk(gateway, auth, [
      sms({ destination: '14085553911', hours: [3] }),
      sms({ destination: '14085553911', hours: [2] }),
    ]);
    await settleAt(gateway, SATURDAY_NOON_PST);
    assert.equal((await reschedules(three!))[0]?.detail?.dueAt, '2026-03-08T10:00:00.000Z');
    const m = await messageOf(gateway, auth, two!);
    assert.deepEqual([m.status, m.errorCode], ['unsent', 605], 'next 02:00 is Monday 09:00 UTC, after the 25 h lifetime');
    await settleAt(gateway, at('2026-03-08T09:59:59.999Z'));
    assert.equal(await status(three!), 'sending');
    await engineRoundAt(gateway, at('2026-03-08T10:00:00Z'));
    assert.equal((await messageOf(gateway, auth, three!)).sentTime, '2026-03-08T10:00:00Z');
  });

  it('a US number whose area code names no zone uses the documented default, New York (09:00 EDT = 13:00 UTC)', async () => {
    const [uuid] = await sendOk(gateway, auth, [sms({ destination: '18005550123', hours: [9] })]);
    await settleAt(gateway, T0);
    const [wait] = await reschedules(uuid!);
    assert.equal(wait?.detail?.dueAt, '2026-05-01T13:00:00.000Z');
    assert.match(String(wait?.detail?.reason), /America\/New_York/);
  });
});

describe('channels without scheduling (§5.4)', () => {
  it('VOICECODE and FLASHCALL ignore scheduling fields: handed off at once', async () => {
    const fields = { useLocalTime: false, localSendTime: '2026-05-01 15:00:00', hours: [15], days: [6] };
    const uuids = await sendOk(gateway, auth, [
      { channelType: 'VOICECODE', senderName: 'voicecode', destination: '79261234567', content: { contentType: 'text', text: 'Код авторизации от acme: 1234' }, ...fields },
      { channelType: 'FLASHCALL', senderName: 'x', destination: '79261234567', content: '1234', ...fields },
    ]);
    await engineRoundAt(gateway, T0);
    for (const uuid of uuids) {
      const m = await messageOf(gateway, auth, uuid);
      assert.deepEqual([m.status, m.sentTime, m.localSendTime, m.hours, m.useLocalTime], ['sent', isoSeconds(T0), null, null, null]);
    }
  });
});
