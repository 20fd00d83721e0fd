/**
 * Money through the engine (spec §5.6, §8.3 Pricing, §10, §11.2 `price`): the estimated price is reserved at
 * acceptance, settled at hand-off (booked balance down by the price, available unchanged), refunded when the message
 * ends unsent; the price is set final:false at hand-off and final:true with the final status, each with a `price`
 * callback; across many messages the balances add up exactly.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCallbackReceiver, type CallbackReceiver } from '../support/callbackReceiver.js';
import {
  HOUR,
  SECOND,
  engineRoundAt,
  messageOf,
  moneyOf,
  moscowWallClock,
  pause,
  ruNumber,
  settleAt,
  startDeliveryGateway,
  units,
} from '../support/delivery.js';
import type { TestGateway } from '../support/gateway.js';
import {
  APPROVED_SENDERS,
  balance,
  flashcall,
  isoSeconds,
  list,
  send,
  sendOk,
  sms,
  stop,
  uniqueName,
  vk,
  voicecode,
  whatsapp,
} from '../support/http.js';

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

const WHOLE = 10_000;
const newAccount = (balanceRub = 1000, billing = true) =>
  gateway.account(uniqueName('money'), { senders: APPROVED_SENDERS, balance: balanceRub, billing });
const priceEvents = (uuid: string) => receiver.eventsFor(uuid).filter((e) => e.callback_event === 'price');

describe('one message', () => {
  it('reserved at acceptance, settled at hand-off (balance down, available unchanged), final price with the final status', async () => {
    const { auth, accountId } = await newAccount();
    const createdAt = gateway.clock.now();
    const twoParts = 'a'.repeat(161); // GSM-7: 161 septets → 2 parts
    const [uuid] = await sendOk(gateway, auth, [
      sms({ content: twoParts, callbackUrl: receiver.url('/money/one'), callbackEvents: ['price'] }),
    ]);
    const price = 2 * gateway.config.prices.SMS;
    assert.deepEqual(await moneyOf(gateway, accountId), { balance: 1000 * WHOLE, reserved: price, available: 1000 * WHOLE - price });
    assert.deepEqual(await balance(gateway, auth), { RUB: (1000 * WHOLE - price) / WHOLE });
    const accepted = await messageOf(gateway, auth, uuid!);
    assert.deepEqual([accepted.totalParts, accepted.price], [2, null], 'not priced before hand-off');

    const sentAt = createdAt + SECOND;
    const doneAt = createdAt + 5 * SECOND;
    await engineRoundAt(gateway, sentAt);
    gateway.clock.set(doneAt);
    assert.deepEqual(await moneyOf(gateway, accountId), { balance: 1000 * WHOLE - price, reserved: 0, available: 1000 * WHOLE - price });
    assert.deepEqual(await balance(gateway, auth), { RUB: (1000 * WHOLE - price) / WHOLE }, 'available unchanged by the settlement');
    assert.deepEqual((await messageOf(gateway, auth, uuid!)).price, { totalPrice: price / WHOLE, currency: 'RUB', invoicedParts: 2, final: false });

    await pause(10);
    await gateway.settle();
    const done = await messageOf(gateway, auth, uuid!);
    assert.equal(done.status, 'delivered');
    assert.deepEqual(done.price, { totalPrice: price / WHOLE, currency: 'RUB', invoicedParts: 2, final: true });
    assert.deepEqual(await moneyOf(gateway, accountId), { balance: 1000 * WHOLE - price, reserved: 0, available: 1000 * WHOLE - price });
    const base = { message_uuid: uuid, channel_type: 'SMS', callback_event: 'price' };
    assert.deepEqual(receiver.eventsFor(uuid!), [
      { ...base, price: { total_price: price / WHOLE, currency: 'RUB', invoiced_parts: 2, final: false }, status_time: isoSeconds(sentAt) },
      { ...base, price: { total_price: price / WHOLE, currency: 'RUB', invoiced_parts: 2, final: true }, status_time: isoSeconds(doneAt) },
    ]);
  });

  it('the price changes twice only: read and unread do not fire a third price event', async () => {
    const { auth } = await newAccount();
    const createdAt = gateway.clock.now();
    const path = '/money/read';
    const [read, unread] = await sendOk(gateway, auth, [
      whatsapp({ destination: ruNumber('2001'), callbackUrl: receiver.url(path), callbackEvents: ['price', 'read'] }),
      vk({ destination: ruNumber('2002'), ttl: 60, callbackUrl: receiver.url(path), callbackEvents: ['price', 'read'] }),
    ]);
    await settleAt(gateway, createdAt + SECOND);
    await settleAt(gateway, createdAt + 60 * SECOND);
    assert.deepEqual([(await messageOf(gateway, auth, read!)).status, (await messageOf(gateway, auth, unread!)).status], ['read', 'unread']);
    assert.deepEqual(priceEvents(read!).map((e) => (e.price as { final: boolean }).final), [false, true]);
    assert.deepEqual(priceEvents(unread!).map((e) => (e.price as { final: boolean }).final), [false, true]);
  });

  it('undelivered (after hand-off) is charged; the 127 expiry confirms the price with a price event at the lifetime end', async () => {
    const { auth, accountId } = await newAccount();
    const createdAt = gateway.clock.now();
    const cb = { callbackUrl: receiver.url('/money/undelivered'), callbackEvents: ['price'] };
    const [undelivered, expired] = await sendOk(gateway, auth, [
      voicecode({ destination: ruNumber('0602'), ...cb }),
      flashcall({ destination: ruNumber('2000'), ttl: 30, ...cb }),
    ]);
    await settleAt(gateway, createdAt);
    const charged = gateway.config.prices.VOICECODE + gateway.config.prices.FLASHCALL;
    assert.deepEqual(await moneyOf(gateway, accountId), { balance: 1000 * WHOLE - charged, reserved: 0, available: 1000 * WHOLE - charged });
    assert.deepEqual(priceEvents(undelivered!).map((e) => (e.price as { final: boolean }).final), [false, true]);
    assert.deepEqual(priceEvents(expired!).map((e) => (e.price as { final: boolean }).final), [false]);
    await settleAt(gateway, createdAt + 30 * SECOND);
    const last = priceEvents(expired!).at(-1)!;
    assert.deepEqual([(last.price as { final: boolean }).final, last.status_time], [true, isoSeconds(createdAt + 30 * SECOND)]);
    assert.deepEqual((await moneyOf(gateway, accountId)).balance, 1000 * WHOLE - charged, 'confirming does not charge twice');
  });
});

describe('refunds: a message that ends unsent costs nothing and is never priced', () => {
  it('refused at hand-off, stopped while waiting, expired before hand-off: every reservation back, no price event', async () => {
    const { auth, accountId } = await newAccount();
    const before = await moneyOf(gateway, accountId);
    const start = gateway.clock.now();
    const cb = { callbackUrl: receiver.url('/money/refunds'), callbackEvents: ['sent', 'delivered', 'price'] };
    const [refused, stopped, expired] = await sendOk(gateway, auth, [
      whatsapp({ destination: ruNumber('1610'), ...cb }),
      sms({ useLocalTime: false, localSendTime: moscowWallClock(start + HOUR), ...cb }),
      voicecode({ ttl: 30, ...cb }),
    ]);
    const reserved = gateway.config.prices.WHATSAPP + gateway.config.prices.SMS + gateway.config.prices.VOICECODE;
    assert.deepEqual(await moneyOf(gateway, accountId), { ...before, reserved, available: before.available - reserved });

    assert.equal((await stop(gateway, auth, { uuids: [stopped] })).body.items[0].code, 200);
    assert.deepEqual((await moneyOf(gateway, accountId)).reserved, reserved - gateway.config.prices.SMS, 'stop refunds at once');
    await settleAt(gateway, start + 30 * SECOND); // the engine first runs when the VOICECODE lifetime has ended
    for (const [uuid, code] of [[refused!, 610], [stopped!, 606], [expired!, 605]] as const) {
      const m = await messageOf(gateway, auth, uuid);
      assert.deepEqual([m.status, m.errorCode, m.price], ['unsent', code, null], String(code));
      assert.deepEqual(priceEvents(uuid), [], `${code}: no price event`);
      assert.deepEqual(receiver.eventsFor(uuid).map((e) => e.callback_event), ['delivered']);
    }
    assert.deepEqual(await moneyOf(gateway, accountId), before);
    assert.deepEqual(await balance(gateway, auth), { RUB: before.available / WHOLE });
  });

  it('a refund makes room: the reserved funds are available again for the next request (4020 before, 201 after)', async () => {
    const price = gateway.config.prices.SMS;
    const { auth } = await gateway.account(uniqueName('money-tight'), { senders: APPROVED_SENDERS, balance: (2 * price) / WHOLE });
    const start = gateway.clock.now();
    const first = await send(gateway, auth, [sms({ destination: ruNumber('1501') }), sms(), sms()]);
    assert.deepEqual(first.body.items.map((i: { code: number }) => i.code), [201, 201, 4020]);
    await settleAt(gateway, start + SECOND);
    assert.deepEqual(await balance(gateway, auth), { RUB: price / WHOLE }, 'one charged, one refunded');
    const second = await send(gateway, auth, [sms(), sms()]);
    assert.deepEqual(second.body.items.map((i: { code: number }) => i.code), [201, 4020]);
  });

  it('an account with billing disabled is never charged, and its balance answer is {}', async () => {
    const { auth, accountId } = await newAccount(50, false);
    const before = await moneyOf(gateway, accountId);
    const [uuid] = await sendOk(gateway, auth, [sms()]);
    await settleAt(gateway, gateway.clock.now() + SECOND);
    assert.equal((await messageOf(gateway, auth, uuid!)).status, 'delivered');
    assert.deepEqual(await moneyOf(gateway, accountId), before);
    assert.deepEqual(await balance(gateway, auth), {});
  });
});

describe('many messages', () => {
  it('balance = initial − Σ prices of handed-off messages; reserved = Σ estimates of those still sending; exact to the unit', async () => {
    const initial = 100_000;
    const { auth, accountId } = await newAccount(initial);
    const start = gateway.clock.now();
    const endings = ['79261234567', ruNumber('0505'), ruNumber('1505'), ruNumber('2000'), ruNumber('2001'), ruNumber('2004')];
    const builders = [voicecode, flashcall, sms, whatsapp, vk];
    const texts = ['Hi', 'б'.repeat(71), 'x'.repeat(400)]; // 1, 2 and 3 SMS parts
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < 600; i++) {
      const build = builders[i % builders.length]!;
      const destination = endings[Math.floor(i / builders.length) % endings.length]!;
      const extra: Record<string, unknown> = { destination };
      if (build === sms) extra.content = texts[i % texts.length];
      if (build === sms || build === whatsapp || build === vk) {
        if (i % 7 === 0) Object.assign(extra, { useLocalTime: false, localSendTime: moscowWallClock(start + 2 * HOUR) });
      }
      if (i % 11 === 0) extra.ttl = build === voicecode || build === flashcall ? 30 : 60;
      items.push(build(extra));
    }
    const uuids: string[] = [];
    for (let i = 0; i < items.length; i += 200) uuids.push(...(await sendOk(gateway, auth, items.slice(i, i + 200))));

    const estimates = await estimatesOf(auth, uuids);
    const totalEstimate = [...estimates.values()].reduce((a, b) => a + b, 0);
    assert.deepEqual(await moneyOf(gateway, accountId), { balance: initial * WHOLE, reserved: totalEstimate, available: initial * WHOLE - totalEstimate });

    const check = async (label: string) => {
      const messages = await allMessages(auth);
      assert.equal(messages.length, uuids.length);
      const charged = messages.reduce((sum, m) => sum + (m.price === null ? 0 : units(m.price.totalPrice)), 0);
      const stillReserved = messages.filter((m) => m.status === 'sending').reduce((sum, m) => sum + estimates.get(m.messageUuid)!, 0);
      for (const m of messages) {
        if (m.status === 'unsent') assert.equal(m.price, null, `${label}: unsent ${m.messageUuid} is not priced`);
        if (m.sentTime !== null) assert.equal(units(m.price.totalPrice), estimates.get(m.messageUuid), `${label}: settled at the estimate`);
      }
      const money = await moneyOf(gateway, accountId);
      assert.deepEqual(money, { balance: initial * WHOLE - charged, reserved: stillReserved, available: initial * WHOLE - charged - stillReserved }, label);
      assert.deepEqual(await balance(gateway, auth), { RUB: money.available / WHOLE }, label);
      return messages;
    };

    await settleAt(gateway, start + SECOND);
    let messages = await check('after the first hand-offs');
    assert.ok(messages.some((m) => m.status === 'sending'), 'scheduled ones still wait');
    assert.ok(messages.some((m) => m.status === 'unsent') && messages.some((m) => m.status === 'sent'));

    // Stop a third of those still waiting; let the rest go out at their time; let every lifetime end.
    const waiting = messages.filter((m) => m.status === 'sending').map((m) => m.messageUuid);
    await stop(gateway, auth, { uuids: waiting.filter((_, i) => i % 3 === 0) });
    await check('after the stops');
    await settleAt(gateway, start + 2 * HOUR);
    await pause(10);
    await gateway.settle();
    await settleAt(gateway, start + 30 * HOUR);
    messages = await check('when everything is final');
    assert.ok(messages.every((m) => m.status !== 'sending' && m.status !== 'sent'), 'every lifetime has ended');
    assert.ok(messages.every((m) => m.price === null || m.price.final === true), 'every price is final');
    assert.equal((await moneyOf(gateway, accountId)).reserved, 0);
  });
});

/** The reservation of each message: the estimate, which hand-off settles unchanged (SMS per part). */
async function estimatesOf(auth: string, uuids: string[]): Promise<Map<string, number>> {
  const messages = await allMessages(auth);
  const wanted = new Set(uuids);
  return new Map(
    messages
      .filter((m) => wanted.has(m.messageUuid))
      .map((m) => [m.messageUuid, gateway.config.prices[m.channelType as keyof typeof gateway.config.prices] * m.totalParts]),
  );
}

async function allMessages(auth: string): Promise<Record<string, any>[]> {
  const response = await list(gateway, auth, [['per_page', '1000']]);
  assert.equal(response.status, 200);
  return response.body as Record<string, any>[];
}
