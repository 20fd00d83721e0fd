/**
 * WHATSAPP status webhooks over real HTTP (spec §7, §5.7, §6.4, §8.3 Pricing, §10): out of order, repeated, `played`,
 * `sent`, statuses that are not ours, the lifetime against late statuses, and the price — by template category and
 * country at hand-off, confirmed (or made free by the platform's pricing block) at the final status, with the
 * balance following. The stand-in posts no status by itself here (statusScript 'none'): each test posts them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCallbackReceiver, type CallbackReceiver } from '../../support/callbackReceiver.js';
import { call } from '../../support/gateway.js';
import { startWhatsAppPair, WA, type WhatsAppTestPair } from '../../support/whatsappGateway.js';
import type { StatusOptions } from '../../support/whatsappStandIn.js';

let pair: WhatsAppTestPair;
let receiver: CallbackReceiver;
before(async () => {
  receiver = await startCallbackReceiver();
  pair = await startWhatsAppPair({
    standIn: { statusScript: 'none' },
    config: (config) => {
      config.callbacks.allowPrivateTargets = true;
      config.callbacks.batchWaitMs = 0;
      // 0.90 for a utility template to India; India's other categories and other countries keep the defaults.
      // (A partial row is valid: its type says every category, the schema does not.)
      config.whatsapp.prices.byCountry = { IN: { utility: 9_000 } };
    },
  });
});
after(async () => {
  await pair?.close();
  await receiver?.close();
});

const UTILITY = { contentType: 'template', templateId: 'order_shipped', language: 'en_US', parameters: ['42', '2026-12-04'] };
const AUTHENTICATION = { contentType: 'template', templateId: 'login_code', language: 'en_US', parameters: ['1234'] };
const ALL_EVENTS = ['sent', 'delivered', 'read', 'price'];

/** Sends a template with callbacks, settles, and returns its uuid and wamid (the message is `sent`). */
async function sent(digits: string, extra: Record<string, unknown> = {}, content: unknown = UTILITY) {
  const uuid = await pair.send(digits, content, { callbackUrl: receiver.url(`/wa/${digits}`), callbackEvents: ALL_EVENTS, ...extra });
  await pair.settle();
  const send = pair.wa.sends.find((s) => s.bizOpaqueCallbackData === uuid);
  assert.ok(send, 'the stand-in accepted it');
  const message = await pair.message(uuid);
  assert.equal(message.status, 'sent');
  return { uuid, wamid: send.wamid };
}

/** Posts statuses of one message, one POST each, in this order; each must be answered 200. */
async function emit(wamid: string, ...statuses: (string | [string, StatusOptions])[]) {
  const built = statuses.map((s) => (typeof s === 'string' ? pair.wa.statusFor(wamid, s) : pair.wa.statusFor(wamid, s[0], s[1])));
  const answers = await pair.wa.emitStatuses(WA.phoneNumberId, built, { separate: true });
  for (const answer of answers) assert.equal(answer.status, 200);
  await pair.settle();
}

async function timeline(uuid: string) {
  const answer = await call(pair.gateway, 'GET', `/api/v1/message/${uuid}/events`, { auth: pair.auth });
  assert.equal(answer.status, 200);
  return answer.body as { time: string; kind: string; detail: Record<string, any> | null }[];
}
const timelineStatuses = async (uuid: string) => (await timeline(uuid)).flatMap((e) => (e.detail?.statuses as string[] | undefined) ?? []);
const statusEvents = (uuid: string) => receiver.eventsFor(uuid).filter((e) => e.callback_event !== 'price');
const priceEvents = (uuid: string) => receiver.eventsFor(uuid).filter((e) => e.callback_event === 'price') as any[];

async function balance(): Promise<number> {
  const answer = await call(pair.gateway, 'GET', '/api/v1/balance', { auth: pair.auth });
  assert.equal(answer.status, 200);
  return answer.body.RUB;
}

test('read before delivered: delivered is recorded first, then read; both callbacks and both in the timeline', async () => {
  const { uuid, wamid } = await sent('79003000001');
  await emit(wamid, 'read', 'delivered');
  const message = await pair.message(uuid);
  assert.equal(message.status, 'read');
  assert.equal(message.errorCode, null);
  assert.deepEqual(
    statusEvents(uuid).map((e) => [e.callback_event, e.status]),
    [
      ['sent', 'sent'],
      ['delivered', 'delivered'],
      ['read', 'read'],
    ],
  );
  const statuses = await timelineStatuses(uuid);
  assert.deepEqual(statuses, ['sent', 'delivered', 'read'], 'the late delivered added nothing');
  assert.equal(message.price.final, true);
});

test('the same delivered twice: the second changes nothing', async () => {
  const { uuid, wamid } = await sent('79003000002');
  const status = pair.wa.statusFor(wamid, 'delivered');
  assert.equal((await pair.wa.emitStatuses(WA.phoneNumberId, [status]))[0]!.status, 200);
  await pair.settle();
  const first = await pair.message(uuid);
  const eventsAfterFirst = receiver.eventsFor(uuid).length;
  const statusesAfterFirst = await timelineStatuses(uuid);
  assert.equal(first.status, 'delivered');

  assert.equal((await pair.wa.emitStatuses(WA.phoneNumberId, [status]))[0]!.status, 200);
  await pair.settle();
  const second = await pair.message(uuid);
  assert.deepEqual(second, first);
  assert.equal(receiver.eventsFor(uuid).length, eventsAfterFirst, 'no callback');
  assert.deepEqual(await timelineStatuses(uuid), statusesAfterFirst);
});

test('played counts as read', async () => {
  const { uuid, wamid } = await sent('79003000003');
  await emit(wamid, 'delivered', 'played');
  assert.equal((await pair.message(uuid)).status, 'read');
  assert.deepEqual(statusEvents(uuid).map((e) => e.callback_event), ['sent', 'delivered', 'read']);
});

test('a sent status changes nothing (the hand-off is already recorded)', async () => {
  const { uuid, wamid } = await sent('79003000004');
  const before = await pair.message(uuid);
  const eventsBefore = receiver.eventsFor(uuid).length;
  await emit(wamid, 'sent');
  assert.deepEqual(await pair.message(uuid), before);
  assert.equal(receiver.eventsFor(uuid).length, eventsBefore);
  assert.deepEqual(await timelineStatuses(uuid), ['sent']);
});

test('a status without biz_opaque_callback_data (not sent by the gateway) changes nothing', async () => {
  const { uuid, wamid } = await sent('79003000005');
  const before = await pair.message(uuid);
  await emit(wamid, ['delivered', { overrides: { biz_opaque_callback_data: undefined } }], ['read', { overrides: { biz_opaque_callback_data: undefined } }]);
  const after = await pair.message(uuid);
  assert.equal(after.status, 'sent');
  assert.deepEqual(after, before);
  assert.deepEqual(await timelineStatuses(uuid), ['sent']);
});

test('the lifetime ends while sent: undelivered 127; a late delivered leaves it undelivered', async () => {
  const { uuid, wamid } = await sent('79003000006', { ttl: 60 });
  pair.clock.advance(61_000);
  await pair.settle();
  let message = await pair.message(uuid);
  assert.equal(message.status, 'undelivered');
  assert.equal(message.errorCode, 127);
  await emit(wamid, 'delivered', 'read');
  message = await pair.message(uuid);
  assert.equal(message.status, 'undelivered');
  assert.equal(message.errorCode, 127);
  assert.deepEqual(statusEvents(uuid).map((e) => e.status), ['sent', 'undelivered']);
});

test('delivered, then the lifetime ends unread (spec §5.7)', async () => {
  const { uuid, wamid } = await sent('79003000007', { ttl: 60 });
  await emit(wamid, 'delivered');
  assert.equal((await pair.message(uuid)).status, 'delivered');
  pair.clock.advance(61_000);
  await pair.settle();
  const message = await pair.message(uuid);
  assert.equal(message.status, 'unread');
  assert.equal(message.errorCode, null);
  assert.deepEqual(statusEvents(uuid).map((e) => [e.callback_event, e.status]), [
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['read', 'unread'],
  ]);
});

test('a utility template: 1.20 (whatsapp.prices.default.utility) at hand-off, not final; final at delivered; charged once', async () => {
  const before = await balance();
  const { uuid, wamid } = await sent('79003000010');
  let message = await pair.message(uuid);
  assert.deepEqual(message.price, { totalPrice: 1.2, currency: 'RUB', invoicedParts: 1, final: false });
  assert.equal(Math.round((before - (await balance())) * 100), 120);
  await emit(wamid, 'delivered');
  message = await pair.message(uuid);
  assert.deepEqual(message.price, { totalPrice: 1.2, currency: 'RUB', invoicedParts: 1, final: true });
  assert.equal(Math.round((before - (await balance())) * 100), 120);
  assert.deepEqual(
    priceEvents(uuid).map((e) => [e.price.total_price, e.price.final]),
    [
      [1.2, false],
      [1.2, true],
    ],
  );
});

for (const [i, [name, options]] of (
  [
    ['pricing type free_customer_service', { pricingType: 'free_customer_service' }],
    ['pricing type free_entry_point', { pricingType: 'free_entry_point' }],
    ['pricing billable: false', { overrides: { pricing: { billable: false, pricing_model: 'PMP', type: 'regular', category: 'utility' } } }],
  ] as [string, StatusOptions][]
).entries()) {
  test(`delivered with ${name}: price 0, final, and the balance refunded`, async () => {
    const before = await balance();
    const { uuid, wamid } = await sent(`7900300002${i}`);
    assert.equal((await pair.message(uuid)).price.totalPrice, 1.2);
    await emit(wamid, ['delivered', options]);
    const message = await pair.message(uuid);
    assert.equal(message.status, 'delivered');
    assert.equal(message.price.totalPrice, 0);
    assert.equal(message.price.final, true);
    assert.equal(await balance(), before);
    assert.deepEqual(priceEvents(uuid).at(-1)?.price, { total_price: 0, currency: 'RUB', invoiced_parts: 1, final: true });
  });
}

test('a failed status: undelivered at price 0, the balance refunded', async () => {
  const before = await balance();
  const { uuid, wamid } = await sent('79003000030');
  await emit(wamid, ['failed', { errorCode: 131026 }]);
  const message = await pair.message(uuid);
  assert.equal(message.status, 'undelivered');
  assert.equal(message.errorCode, 612);
  assert.deepEqual(message.price, { totalPrice: 0, currency: 'RUB', invoicedParts: 1, final: true });
  assert.equal(await balance(), before);
});

test('a whatsapp.prices.byCountry price for the destination country is used, at hand-off and at delivered', async () => {
  const before = await balance();
  const { uuid, wamid } = await sent('919812345601');
  let message = await pair.message(uuid);
  assert.equal(message.countryCode, 'IN');
  assert.deepEqual(message.price, { totalPrice: 0.9, currency: 'RUB', invoicedParts: 1, final: false });
  await emit(wamid, 'delivered');
  message = await pair.message(uuid);
  assert.deepEqual(message.price, { totalPrice: 0.9, currency: 'RUB', invoicedParts: 1, final: true });
  assert.equal(Math.round((before - (await balance())) * 100), 90);

  // A category the country row does not name keeps the default.
  const other = await sent('919812345602', {}, AUTHENTICATION);
  assert.equal((await pair.message(other.uuid)).price.totalPrice, 1.2);
  await emit(other.wamid, 'delivered');
  assert.deepEqual((await pair.message(other.uuid)).price, { totalPrice: 1.2, currency: 'RUB', invoicedParts: 1, final: true });
});
