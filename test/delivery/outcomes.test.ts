/**
 * Every simulator outcome end to end (issue 3; spec §6.x, §7, §8.3, §11; docs/simulator.md): send over HTTP →
 * the engine → GET /message/{uuid} → the callback bodies a real local receiver got, field by field.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { REFUSED_CODES, UNDELIVERED_CODES } from '../../src/connectors/simulator/magicNumbers.js';
import { startCallbackReceiver, type CallbackReceiver } from '../support/callbackReceiver.js';
import {
  HOUR,
  MINUTE,
  SECOND,
  engineRoundAt,
  messageOf,
  moneyOf,
  pause,
  ruNumber,
  settleAt,
  startDeliveryGateway,
  timelineKinds,
} from '../support/delivery.js';
import type { TestGateway } from '../support/gateway.js';
import { APPROVED_SENDERS, flashcall, isoSeconds, listUuids, sendOk, sms, uniqueName, vk, voicecode, whatsapp } from '../support/http.js';

type Channel = 'VOICECODE' | 'FLASHCALL' | 'SMS' | 'WHATSAPP' | 'VK';
const CHANNELS: Channel[] = ['VOICECODE', 'FLASHCALL', 'SMS', 'WHATSAPP', 'VK'];
const BUILDERS = { VOICECODE: voicecode, FLASHCALL: flashcall, SMS: sms, WHATSAPP: whatsapp, VK: vk };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Written from the spec's §13 table, so the simulator's table is checked against it.
const SPEC_UNDELIVERED = [11, 453, 454, 455, 456, 457, 458, 501, 502, 503, 504, 505, 506, 508, 509, 510, 601, 602, 603, 604, 612, 613, 615];
const SPEC_REFUSED = [...SPEC_UNDELIVERED, 610, 611, 614].sort((a, b) => a - b);

const pad3 = (code: number) => String(code).padStart(3, '0');

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

async function newAccount(options: { balance?: number } = {}) {
  return gateway.account(uniqueName('outcomes'), { senders: APPROVED_SENDERS, balance: options.balance ?? 100_000 });
}

function item(channel: Channel, destination: string, extra: Record<string, unknown> = {}) {
  return BUILDERS[channel]({ destination, ...extra });
}

/** The channel's price as the API shows it (config prices are in units of 1/10000). */
const priceOf = (channel: Channel) => gateway.config.prices[channel] / 10_000;

function statusEvent(uuid: string, channel: Channel, callbackEvent: string, status: string, at: number, errorCode?: number) {
  const event: Record<string, unknown> = {
    message_uuid: uuid,
    channel_type: channel,
    callback_event: callbackEvent,
    status,
    status_time: isoSeconds(at),
  };
  if (errorCode !== undefined) event.error_code = errorCode;
  return event;
}

function priceEvent(uuid: string, channel: Channel, final: boolean, at: number) {
  return {
    message_uuid: uuid,
    channel_type: channel,
    callback_event: 'price',
    price: { total_price: priceOf(channel), currency: 'RUB', invoiced_parts: 1, final },
    status_time: isoSeconds(at),
  };
}

const finalPrice = (channel: Channel) => ({ totalPrice: priceOf(channel), currency: 'RUB', invoicedParts: 1, final: true });

/**
 * Hand-off at `sentAt` (one engine round), then the carrier's reports at `doneAt`: the clock is moved before the
 * simulator's 0 ms timers can fire, so the reports carry `doneAt`.
 */
async function handOffThenReport(sentAt: number, doneAt: number): Promise<void> {
  await engineRoundAt(gateway, sentAt);
  gateway.clock.set(doneAt);
  await pause(10);
  await gateway.settle();
}

describe('delivered', () => {
  it('every channel: status, times, final price; default callbackEvents → only the `delivered` event, field by field', async () => {
    const { auth } = await newAccount();
    const path = '/cb/delivered-default';
    const createdAt = gateway.clock.now();
    const uuids = await sendOk(
      gateway,
      auth,
      CHANNELS.map((c) => item(c, '79261234567', { callbackUrl: receiver.url(path) })),
    );
    const sentAt = createdAt + 1500;
    const doneAt = sentAt + 2 * SECOND;
    await engineRoundAt(gateway, sentAt);
    gateway.clock.set(doneAt);
    for (const [i, uuid] of uuids.entries()) {
      const m = await messageOf(gateway, auth, uuid);
      assert.equal(m.status, 'sent', `${CHANNELS[i]} is sent before its report is applied`);
      assert.equal(m.sentTime, isoSeconds(sentAt));
      assert.deepEqual(m.price, { ...finalPrice(CHANNELS[i]!), final: false });
    }
    await pause(10);
    await gateway.settle();

    for (const [i, uuid] of uuids.entries()) {
      const channel = CHANNELS[i]!;
      const m = await messageOf(gateway, auth, uuid);
      assert.deepEqual(
        {
          status: m.status,
          errorCode: m.errorCode,
          createdTime: m.createdTime,
          sentTime: m.sentTime,
          statusTime: m.statusTime,
          price: m.price,
          callbackEvents: m.callbackEvents,
        },
        {
          status: 'delivered',
          errorCode: null,
          createdTime: isoSeconds(createdAt),
          sentTime: isoSeconds(sentAt),
          statusTime: isoSeconds(doneAt),
          price: finalPrice(channel),
          callbackEvents: ['delivered'],
        },
        channel,
      );
      assert.deepEqual(receiver.eventsFor(uuid), [statusEvent(uuid, channel, 'delivered', 'delivered', doneAt)], channel);
    }
    const requests = receiver.requests.filter((r) => r.path === path);
    assert.ok(requests.length >= 1);
    for (const request of requests) {
      assert.equal(request.method, 'POST');
      assert.equal(request.headers['content-type'], 'application/json');
      assert.match(String(request.headers['user-agent']), /^direct-gateway\/\d+\.\d+\.\d+/);
      assert.match(String(request.headers['webhook-id']), UUID);
      assert.equal(request.headers['webhook-signature'], undefined, 'no signing secret: no signature');
      assert.equal(request.headers.authorization, undefined, 'no credentials in the URL');
      assert.ok(Array.isArray(request.body), 'the body is a JSON array of events');
    }
  });

  it('callbackEvents sent+delivered+price+read: sent, price(final:false), delivered, price(final:true) — no read outside messengers', async () => {
    const { auth } = await newAccount();
    const path = '/cb/delivered-all-events';
    const createdAt = gateway.clock.now();
    const callbackEvents = ['sent', 'delivered', 'price', 'read'];
    const uuids = await sendOk(
      gateway,
      auth,
      CHANNELS.map((c) => item(c, '79261234567', { callbackUrl: receiver.url(path), callbackEvents })),
    );
    const sentAt = createdAt + SECOND;
    const doneAt = sentAt + 3 * SECOND;
    await handOffThenReport(sentAt, doneAt);
    for (const [i, uuid] of uuids.entries()) {
      const channel = CHANNELS[i]!;
      assert.equal((await messageOf(gateway, auth, uuid)).status, 'delivered');
      assert.deepEqual(
        receiver.eventsFor(uuid),
        [
          statusEvent(uuid, channel, 'sent', 'sent', sentAt),
          priceEvent(uuid, channel, false, sentAt),
          statusEvent(uuid, channel, 'delivered', 'delivered', doneAt),
          priceEvent(uuid, channel, true, doneAt),
        ],
        channel,
      );
    }
    // Every event went to one URL of one account: they are batched (issue 3, §11.1: 1–100 events per POST).
    const requests = receiver.requests.filter((r) => r.path === path);
    assert.equal(requests.reduce((n, r) => n + (r.body as unknown[]).length, 0), 20);
    assert.ok(requests.length < 20, `batched into fewer POSTs than events (got ${requests.length})`);
  });

  it('an empty callbackEvents means `delivered` only; a duplicated event fires once', async () => {
    const { auth } = await newAccount();
    const createdAt = gateway.clock.now();
    const path = '/cb/selection';
    const [empty, duplicated] = await sendOk(gateway, auth, [
      vk({ callbackUrl: receiver.url(path), callbackEvents: [] }),
      vk({ callbackUrl: receiver.url(path), callbackEvents: ['sent', 'sent'] }),
    ]);
    await settleAt(gateway, createdAt + SECOND);
    assert.deepEqual(receiver.eventsFor(empty!), [statusEvent(empty!, 'VK', 'delivered', 'delivered', createdAt + SECOND)]);
    assert.deepEqual(receiver.eventsFor(duplicated!), [statusEvent(duplicated!, 'VK', 'sent', 'sent', createdAt + SECOND)]);
  });

  it('callbackEvents without callbackUrl: stored, nothing is sent', async () => {
    const { auth } = await newAccount();
    const [uuid] = await sendOk(gateway, auth, [sms({ callbackEvents: ['sent', 'delivered', 'price'] })]);
    await settleAt(gateway, gateway.clock.now() + SECOND);
    const m = await messageOf(gateway, auth, uuid!);
    assert.equal(m.status, 'delivered');
    assert.deepEqual(m.callbackEvents, ['sent', 'delivered', 'price']);
    assert.deepEqual(receiver.eventsFor(uuid!), []);
  });

  it('the list\'s message time (§8.1) follows the message: createdTime while sending, sentTime once sent, the unsent time', async () => {
    const { auth } = await newAccount();
    const createdAt = gateway.clock.now();
    const [delivered, refused, waiting] = await sendOk(gateway, auth, [
      sms(),
      sms({ destination: ruNumber('1502') }),
      sms({ useLocalTime: false, hours: [(new Date(createdAt).getUTCHours() + 5) % 24] }),
    ]);
    const handoffAt = createdAt + 10 * MINUTE;
    await settleAt(gateway, handoffAt);
    const window = async (from: number, to: number) =>
      (await listUuids(gateway, auth, [['time_from', isoSeconds(from)], ['time_to', isoSeconds(to)]])).sort();
    assert.deepEqual(await window(createdAt, createdAt + SECOND), [waiting!]);
    assert.deepEqual(await window(handoffAt, handoffAt + SECOND), [delivered!, refused!].sort());
  });
});

describe('undelivered (0NNN)', () => {
  it('the simulator covers exactly the §13 codes a carrier reports after hand-off', () => {
    assert.deepEqual([...UNDELIVERED_CODES], SPEC_UNDELIVERED);
  });

  it('each code on every channel: undelivered with that errorCode, priced final, delivered event with error_code', async () => {
    const { auth } = await newAccount();
    const path = '/cb/undelivered';
    const createdAt = gateway.clock.now();
    const cases = CHANNELS.flatMap((channel) => SPEC_UNDELIVERED.map((code) => ({ channel, code })));
    const uuids = await sendOk(
      gateway,
      auth,
      cases.map(({ channel, code }) =>
        item(channel, ruNumber(`0${pad3(code)}`), { callbackUrl: receiver.url(path), callbackEvents: ['sent', 'delivered', 'price'] }),
      ),
    );
    const sentAt = createdAt + SECOND;
    const doneAt = sentAt + 5 * SECOND;
    await handOffThenReport(sentAt, doneAt);
    for (const [i, uuid] of uuids.entries()) {
      const { channel, code } = cases[i]!;
      const label = `${channel} ${code}`;
      const m = await messageOf(gateway, auth, uuid);
      assert.deepEqual(
        { status: m.status, errorCode: m.errorCode, sentTime: m.sentTime, statusTime: m.statusTime, price: m.price },
        { status: 'undelivered', errorCode: code, sentTime: isoSeconds(sentAt), statusTime: isoSeconds(doneAt), price: finalPrice(channel) },
        label,
      );
      assert.deepEqual(
        receiver.eventsFor(uuid),
        [
          statusEvent(uuid, channel, 'sent', 'sent', sentAt),
          priceEvent(uuid, channel, false, sentAt),
          statusEvent(uuid, channel, 'delivered', 'undelivered', doneAt, code),
          priceEvent(uuid, channel, true, doneAt),
        ],
        label,
      );
    }
  });
});

describe('refused at hand-off (1NNN)', () => {
  it('the simulator refuses with every undelivered code plus WhatsApp 610/611', () => {
    assert.deepEqual([...REFUSED_CODES], SPEC_REFUSED);
  });

  it('each code on every channel: unsent with the code, never priced, no sent/price events, reservation refunded', async () => {
    const { auth, accountId } = await newAccount();
    const path = '/cb/refused';
    const before = await moneyOf(gateway, accountId);
    const cases = CHANNELS.flatMap((channel) => SPEC_REFUSED.map((code) => ({ channel, code })));
    const uuids = await sendOk(
      gateway,
      auth,
      cases.map(({ channel, code }) =>
        item(channel, ruNumber(`1${pad3(code)}`), {
          callbackUrl: receiver.url(path),
          callbackEvents: ['sent', 'delivered', 'price', 'read'],
        }),
      ),
    );
    const reserved = cases.reduce((sum, c) => sum + gateway.config.prices[c.channel], 0);
    assert.deepEqual(await moneyOf(gateway, accountId), { ...before, reserved: reserved, available: before.available - reserved });
    const handoffAt = gateway.clock.now() + 2 * SECOND;
    await settleAt(gateway, handoffAt);
    for (const [i, uuid] of uuids.entries()) {
      const { channel, code } = cases[i]!;
      const label = `${channel} ${code}`;
      const m = await messageOf(gateway, auth, uuid);
      assert.deepEqual(
        { status: m.status, errorCode: m.errorCode, sentTime: m.sentTime, statusTime: m.statusTime, price: m.price },
        { status: 'unsent', errorCode: code, sentTime: null, statusTime: isoSeconds(handoffAt), price: null },
        label,
      );
      assert.deepEqual(receiver.eventsFor(uuid), [statusEvent(uuid, channel, 'delivered', 'unsent', handoffAt, code)], label);
    }
    assert.deepEqual(await moneyOf(gateway, accountId), before, 'every reservation refunded, nothing charged');
    // 604 (no route), 610 and 611 are the codes the spec itself names for refusals (§6.1.4, §6.4).
    for (const code of [604, 610, 611]) assert.ok(SPEC_REFUSED.includes(code));
  });
});

describe('never final (2000)', () => {
  it('every channel: sent until the lifetime ends, then undelivered 127 with the final price', async () => {
    const { auth } = await newAccount();
    const path = '/cb/never-final';
    const createdAt = gateway.clock.now();
    const uuids = await sendOk(
      gateway,
      auth,
      CHANNELS.map((c) => item(c, ruNumber('2000'), { ttl: 60, callbackUrl: receiver.url(path), callbackEvents: ['sent', 'delivered', 'price'] })),
    );
    const sentAt = createdAt + SECOND;
    const expiresAt = createdAt + 60 * SECOND;
    await settleAt(gateway, sentAt);
    await settleAt(gateway, expiresAt - 1);
    for (const uuid of uuids) assert.equal((await messageOf(gateway, auth, uuid)).status, 'sent');
    await settleAt(gateway, expiresAt);
    for (const [i, uuid] of uuids.entries()) {
      const channel = CHANNELS[i]!;
      const m = await messageOf(gateway, auth, uuid);
      assert.deepEqual(
        { status: m.status, errorCode: m.errorCode, sentTime: m.sentTime, statusTime: m.statusTime, price: m.price },
        { status: 'undelivered', errorCode: 127, sentTime: isoSeconds(sentAt), statusTime: isoSeconds(expiresAt), price: finalPrice(channel) },
        channel,
      );
      assert.deepEqual(
        receiver.eventsFor(uuid),
        [
          statusEvent(uuid, channel, 'sent', 'sent', sentAt),
          priceEvent(uuid, channel, false, sentAt),
          statusEvent(uuid, channel, 'delivered', 'undelivered', expiresAt, 127),
          priceEvent(uuid, channel, true, expiresAt),
        ],
        channel,
      );
    }
  });
});

describe('read (2001) and unread (2002)', () => {
  it('read on SMS, VOICECODE and FLASHCALL: delivered, and no read event ever fires', async () => {
    const { auth } = await newAccount();
    const createdAt = gateway.clock.now();
    const channels: Channel[] = ['SMS', 'VOICECODE', 'FLASHCALL'];
    const uuids = await sendOk(
      gateway,
      auth,
      channels.map((c) => item(c, ruNumber('2001'), { ttl: 60, callbackUrl: receiver.url('/cb/read-elsewhere'), callbackEvents: ['delivered', 'read'] })),
    );
    await handOffThenReport(createdAt + SECOND, createdAt + 2 * SECOND);
    await settleAt(gateway, createdAt + 61 * SECOND); // past the lifetime: no unread either
    for (const [i, uuid] of uuids.entries()) {
      const channel = channels[i]!;
      const m = await messageOf(gateway, auth, uuid);
      assert.equal(m.status, 'delivered', channel);
      assert.equal(m.statusTime, isoSeconds(createdAt + 2 * SECOND), channel);
      assert.deepEqual(receiver.eventsFor(uuid), [statusEvent(uuid, channel, 'delivered', 'delivered', createdAt + 2 * SECOND)], channel);
      assert.ok(!(await timelineKinds(gateway, auth, uuid)).includes('read'), `${channel}: the simulator sends no read report`);
    }
  });

  it('unread (2002) on WHATSAPP and VK: delivered, then unread when the lifetime ends, with a `read` event', async () => {
    const { auth } = await newAccount();
    const createdAt = gateway.clock.now();
    const channels: Channel[] = ['WHATSAPP', 'VK', 'SMS'];
    const uuids = await sendOk(
      gateway,
      auth,
      channels.map((c) => item(c, ruNumber('2002'), { ttl: 120, callbackUrl: receiver.url('/cb/unread'), callbackEvents: ['delivered', 'read'] })),
    );
    const deliveredAt = createdAt + 2 * SECOND;
    const expiresAt = createdAt + 120 * SECOND;
    await handOffThenReport(createdAt + SECOND, deliveredAt);
    await settleAt(gateway, expiresAt - 1);
    for (const uuid of uuids) assert.equal((await messageOf(gateway, auth, uuid)).status, 'delivered');
    await settleAt(gateway, expiresAt);
    for (const [i, uuid] of uuids.entries()) {
      const channel = channels[i]!;
      const m = await messageOf(gateway, auth, uuid);
      if (channel === 'SMS') {
        assert.deepEqual([m.status, m.statusTime, m.errorCode], ['delivered', isoSeconds(deliveredAt), null], 'SMS has no read state');
        assert.deepEqual(receiver.eventsFor(uuid), [statusEvent(uuid, channel, 'delivered', 'delivered', deliveredAt)]);
        continue;
      }
      assert.deepEqual(
        { status: m.status, errorCode: m.errorCode, statusTime: m.statusTime, price: m.price },
        { status: 'unread', errorCode: null, statusTime: isoSeconds(expiresAt), price: finalPrice(channel) },
        channel,
      );
      assert.deepEqual(
        receiver.eventsFor(uuid),
        [statusEvent(uuid, channel, 'delivered', 'delivered', deliveredAt), statusEvent(uuid, channel, 'read', 'unread', expiresAt)],
        channel,
      );
    }
  });

  it('a delivered WHATSAPP message with the default lifetime becomes unread only after 25 h', async () => {
    const { auth } = await newAccount();
    const createdAt = gateway.clock.now();
    const [uuid] = await sendOk(gateway, auth, [whatsapp({ destination: ruNumber('2002') })]);
    await settleAt(gateway, createdAt);
    assert.equal((await messageOf(gateway, auth, uuid!)).status, 'delivered');
    await settleAt(gateway, createdAt + 25 * HOUR - 1);
    assert.equal((await messageOf(gateway, auth, uuid!)).status, 'delivered');
    await settleAt(gateway, createdAt + 25 * HOUR);
    assert.equal((await messageOf(gateway, auth, uuid!)).status, 'unread');
  });
});

describe('click (2003)', () => {
  it('a click fires the `click` event with the original URL only when shortUrl is true', async () => {
    const { auth } = await newAccount();
    const link = 'https://shop.example.com/order/42';
    const createdAt = gateway.clock.now();
    const common = { destination: ruNumber('2003'), callbackUrl: receiver.url('/cb/click'), callbackEvents: ['delivered', 'click'] };
    const [withShort, withoutShort, wa] = await sendOk(gateway, auth, [
      sms({ ...common, content: `Your order: ${link}`, shortUrl: true }),
      sms({ ...common, content: `Your order: ${link}`, shortUrl: false }),
      whatsapp({ ...common, content: { contentType: 'text', text: `See ${link}.` }, shortUrl: true }),
    ]);
    const doneAt = createdAt + 2 * SECOND;
    await handOffThenReport(createdAt + SECOND, doneAt);
    assert.deepEqual(receiver.eventsFor(withShort!), [
      statusEvent(withShort!, 'SMS', 'delivered', 'delivered', doneAt),
      { message_uuid: withShort, channel_type: 'SMS', callback_event: 'click', url: link, click_time: isoSeconds(doneAt) },
    ]);
    assert.deepEqual(receiver.eventsFor(withoutShort!), [statusEvent(withoutShort!, 'SMS', 'delivered', 'delivered', doneAt)]);
    assert.deepEqual(receiver.eventsFor(wa!), [
      statusEvent(wa!, 'WHATSAPP', 'delivered', 'delivered', doneAt),
      { message_uuid: wa, channel_type: 'WHATSAPP', callback_event: 'click', url: link, click_time: isoSeconds(doneAt) },
    ]);
    for (const uuid of [withShort!, withoutShort!, wa!]) assert.equal((await messageOf(gateway, auth, uuid)).status, 'delivered');
  });
});

describe('with real simulator delays', () => {
  // Real timers: each test must look between two of them, so they are far enough apart (≥ 0.5 s of slack) for the
  // looks to land in between on a loaded machine.
  const SLOW_MS = 1_000;
  const READ_MS = 1_000;
  let timed: TestGateway;
  before(async () => {
    timed = await startDeliveryGateway((config) => {
      config.simulator = { deliveryDelayMs: 1, slowDelayMs: SLOW_MS, readDelayMs: READ_MS };
    });
  });
  after(() => timed?.close());

  it('read (2001) on WHATSAPP and VK: delivered, then read readDelayMs later, with `delivered` and `read` events', async () => {
    const { auth } = await timed.account(uniqueName('read'), { senders: APPROVED_SENDERS });
    const createdAt = timed.clock.now();
    const channels: Channel[] = ['WHATSAPP', 'VK'];
    const uuids = await sendOk(
      timed,
      auth,
      channels.map((c) =>
        BUILDERS[c]({ destination: ruNumber('2001'), callbackUrl: receiver.url('/cb/read'), callbackEvents: ['sent', 'delivered', 'read'] }),
      ),
    );
    const sentAt = createdAt + SECOND;
    const deliveredAt = sentAt + SECOND;
    const readAt = deliveredAt + MINUTE;
    await engineRoundAt(timed, sentAt);
    timed.clock.set(deliveredAt);
    await pause(40); // the delivered reports (0 ms) have fired; the read reports are READ_MS away
    await timed.settle();
    for (const uuid of uuids) assert.equal((await messageOf(timed, auth, uuid)).status, 'delivered');
    timed.clock.set(readAt);
    await pause(READ_MS + 50);
    await timed.settle();
    for (const [i, uuid] of uuids.entries()) {
      const channel = channels[i]!;
      const m = await messageOf(timed, auth, uuid);
      assert.deepEqual(
        { status: m.status, errorCode: m.errorCode, sentTime: m.sentTime, statusTime: m.statusTime, price: m.price },
        { status: 'read', errorCode: null, sentTime: isoSeconds(sentAt), statusTime: isoSeconds(readAt), price: finalPrice(channel) },
        channel,
      );
      assert.deepEqual(
        receiver.eventsFor(uuid),
        [
          statusEvent(uuid, channel, 'sent', 'sent', sentAt),
          statusEvent(uuid, channel, 'delivered', 'delivered', deliveredAt),
          statusEvent(uuid, channel, 'read', 'read', readAt),
        ],
        channel,
      );
      const kinds = await timelineKinds(timed, auth, uuid);
      assert.ok(kinds.indexOf('delivered') < kinds.indexOf('read'), kinds.join());
    }
  });

  it('slow (2004): stays sent until slowDelayMs has passed, then delivered; an ordinary number is not held up', async () => {
    const { auth } = await timed.account(uniqueName('slow'), { senders: APPROVED_SENDERS });
    const createdAt = timed.clock.now();
    const [slow, normal] = await sendOk(timed, auth, [
      sms({ destination: ruNumber('2004'), callbackUrl: receiver.url('/cb/slow') }),
      sms({ destination: '79261234567', callbackUrl: receiver.url('/cb/slow') }),
    ]);
    const sentAt = createdAt + SECOND;
    await settleAt(timed, sentAt);
    const started = Date.now(); // after the hand-off, which armed the slow timer: its report is due ≤ SLOW_MS from here
    assert.equal((await messageOf(timed, auth, normal!)).status, 'delivered');
    assert.equal((await messageOf(timed, auth, slow!)).status, 'sent');
    await pause(SLOW_MS / 2 - (Date.now() - started));
    await timed.settle();
    assert.equal((await messageOf(timed, auth, slow!)).status, 'sent', 'half of slowDelayMs: still sent');
    assert.deepEqual(receiver.eventsFor(slow!), []);
    const deliveredAt = sentAt + 30 * SECOND;
    timed.clock.set(deliveredAt);
    await pause(SLOW_MS - (Date.now() - started) + 50);
    await timed.settle();
    const m = await messageOf(timed, auth, slow!);
    assert.deepEqual([m.status, m.sentTime, m.statusTime], ['delivered', isoSeconds(sentAt), isoSeconds(deliveredAt)]);
    assert.deepEqual(receiver.eventsFor(slow!), [statusEvent(slow!, 'SMS', 'delivered', 'delivered', deliveredAt)]);
  });
});
