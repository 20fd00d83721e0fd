import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CALLBACK_EVENTS, type Channel, type Status } from '../../src/domain/channels.js';
import type { Report } from '../../src/domain/lifecycle.js';
import { planReport, type MessageState, type PriceState } from '../../src/domain/reportPlan.js';

const UUID = '063474ec-a34f-4558-90c5-984395000004';
const AT = Date.UTC(2024, 4, 1, 10, 0, 40, 700);
const AT_ISO = '2024-05-01T10:00:40Z';

function message(overrides: Partial<MessageState> = {}): MessageState {
  return {
    uuid: UUID,
    channelType: 'SMS',
    callbackUrl: 'https://client.example/cb',
    callbackEvents: [...CALLBACK_EVENTS],
    shortUrl: true,
    status: 'sending',
    totalParts: 2,
    reserved: 1_000,
    price: null,
    currency: 'USD',
    billingEnabled: true,
    ...overrides,
  };
}

const unfinal = (total = 800, parts = 2): PriceState => ({ total, currency: 'USD', parts, final: false });
const events = (m: MessageState, report: Report) => planReport(m, report).callbacks.map((c) => c.callback_event);

test('hand-off: status sent, sentTime set, price set with final=false in the account currency for all parts', () => {
  const plan = planReport(message(), { kind: 'sent', at: AT, price: 800 });
  assert.equal(plan.status, 'sent');
  assert.equal(plan.errorCode, null);
  assert.equal(plan.sentAt, AT);
  assert.deepEqual(plan.changes, [{ status: 'sent', at: AT, errorCode: null }]);
  assert.deepEqual(plan.price, { total: 800, currency: 'USD', parts: 2, final: false });
});

test('hand-off settles the reservation: the price is charged, the whole reservation released', () => {
  const plan = planReport(message({ reserved: 1_000 }), { kind: 'sent', at: AT, price: 800 });
  assert.equal(plan.balanceDelta, -800);
  assert.equal(plan.reservedDelta, -1_000);
  assert.equal(plan.reserved, 0);
});

test('hand-off with billing disabled: nothing is charged, the reservation is still released', () => {
  const plan = planReport(message({ billingEnabled: false, reserved: 0 }), { kind: 'sent', at: AT, price: 800 });
  assert.equal(plan.balanceDelta, 0);
  assert.equal(plan.reservedDelta, -0);
  assert.deepEqual(plan.price, { total: 800, currency: 'USD', parts: 2, final: false });
});

test('hand-off fires sent then price (final=false), in the spec §11.4 shapes', () => {
  const plan = planReport(message(), { kind: 'sent', at: AT, price: 500 });
  assert.deepEqual(plan.callbacks, [
    { message_uuid: UUID, channel_type: 'SMS', callback_event: 'sent', status: 'sent', status_time: AT_ISO },
    {
      message_uuid: UUID,
      channel_type: 'SMS',
      callback_event: 'price',
      price: { total_price: 0.05, currency: 'USD', invoiced_parts: 2, final: false },
      status_time: AT_ISO,
    },
  ]);
});

test('a message never handed off is refunded, keeps price null and fires no price event', () => {
  for (const report of [
    { kind: 'unsent', at: AT, errorCode: 606 },
    { kind: 'expired', at: AT },
  ] as Report[]) {
    const plan = planReport(message({ reserved: 1_000 }), report);
    assert.equal(plan.status, 'unsent');
    assert.equal(plan.price, null);
    assert.equal(plan.balanceDelta, 0);
    assert.equal(plan.reservedDelta, -1_000);
    assert.equal(plan.reserved, 0);
    assert.equal(plan.sentAt, undefined);
    assert.deepEqual(plan.callbacks.map((c) => c.callback_event), ['delivered']);
  }
});

test('unsent carries its error code into the plan and the delivered callback', () => {
  const plan = planReport(message(), { kind: 'unsent', at: AT, errorCode: 606 });
  assert.equal(plan.errorCode, 606);
  assert.deepEqual(plan.callbacks, [
    { message_uuid: UUID, channel_type: 'SMS', callback_event: 'delivered', status: 'unsent', status_time: AT_ISO, error_code: 606 },
  ]);
  assert.equal(planReport(message(), { kind: 'expired', at: AT }).errorCode, 605);
});

test('the final status confirms the price (final=true) and fires delivered then price', () => {
  for (const report of [
    { kind: 'delivered', at: AT },
    { kind: 'undelivered', at: AT, errorCode: 601 },
    { kind: 'expired', at: AT },
  ] as Report[]) {
    const plan = planReport(message({ status: 'sent', reserved: 0, price: unfinal(800) }), report);
    assert.deepEqual(plan.price, { total: 800, currency: 'USD', parts: 2, final: true }, report.kind);
    assert.deepEqual(plan.callbacks.map((c) => c.callback_event), ['delivered', 'price'], report.kind);
    assert.deepEqual(plan.callbacks[1]!.price, { total_price: 0.08, currency: 'USD', invoiced_parts: 2, final: true });
    assert.equal(plan.balanceDelta, 0, 'the charge was booked at hand-off');
    assert.equal(plan.reservedDelta, 0);
    assert.equal(plan.sentAt, undefined, 'sentTime is set by hand-off only');
  }
});

test('undelivered: the code is kept; at the end of the lifetime it is 127; error_code left out when null', () => {
  const sent = message({ status: 'sent', price: unfinal() });
  assert.equal(planReport(sent, { kind: 'undelivered', at: AT, errorCode: 601 }).errorCode, 601);
  assert.equal(planReport(sent, { kind: 'expired', at: AT }).errorCode, 127);
  const unknown = planReport(sent, { kind: 'undelivered', at: AT, errorCode: null });
  assert.equal(unknown.errorCode, null);
  assert.equal('error_code' in unknown.callbacks[0]!, false);
  assert.equal(unknown.callbacks[0]!.status, 'undelivered');
});

test('messengers: read after delivered fires read only; the price was already final', () => {
  for (const channelType of ['WHATSAPP', 'VK'] as Channel[]) {
    const delivered = message({ channelType, status: 'delivered', price: { ...unfinal(), final: true } });
    const plan = planReport(delivered, { kind: 'read', at: AT });
    assert.equal(plan.status, 'read');
    assert.deepEqual(plan.callbacks, [
      { message_uuid: UUID, channel_type: channelType, callback_event: 'read', status: 'read', status_time: AT_ISO },
    ]);
    assert.deepEqual(plan.price, { ...unfinal(), final: true });
  }
});

test('messengers: a read overtaking its delivery report records delivered (and confirms the price), then read', () => {
  const plan = planReport(message({ channelType: 'WHATSAPP', status: 'sent', price: unfinal() }), { kind: 'read', at: AT });
  assert.deepEqual(plan.changes.map((c) => c.status), ['delivered', 'read']);
  assert.equal(plan.status, 'read');
  assert.deepEqual(plan.callbacks.map((c) => [c.callback_event, c.status]), [
    ['delivered', 'delivered'],
    ['price', undefined],
    ['read', 'read'],
  ]);
  assert.equal(plan.price?.final, true);
});

test('messengers: the end of the lifetime after delivered gives unread, a read event, no second price event', () => {
  const plan = planReport(message({ channelType: 'VK', status: 'delivered', price: { ...unfinal(), final: true } }), { kind: 'expired', at: AT });
  assert.equal(plan.status, 'unread');
  assert.equal(plan.errorCode, null);
  assert.deepEqual(plan.callbacks.map((c) => c.callback_event), ['read']);
});

test('a report that changes nothing leaves the message as it was and fires nothing', () => {
  const cases: Array<[Status, Report]> = [
    ['sent', { kind: 'sent', at: AT, price: 900 }],
    ['delivered', { kind: 'undelivered', at: AT, errorCode: 601 }],
    ['unsent', { kind: 'delivered', at: AT }],
    ['undelivered', { kind: 'expired', at: AT }],
    ['delivered', { kind: 'read', at: AT }],
  ];
  for (const [status, report] of cases) {
    const state = message({ status, reserved: 0, price: status === 'unsent' ? null : { ...unfinal(), final: true } });
    const plan = planReport(state, report);
    assert.deepEqual(plan.changes, [], `${status} ← ${report.kind}`);
    assert.equal(plan.status, status);
    assert.equal(plan.errorCode, undefined);
    assert.equal(plan.sentAt, undefined);
    assert.deepEqual(plan.price, state.price);
    assert.equal(plan.balanceDelta, 0);
    assert.equal(plan.reservedDelta, 0);
    assert.deepEqual(plan.callbacks, []);
  }
});

test('a click changes no status and fires a click event when shortUrl is on', () => {
  const plan = planReport(message({ status: 'delivered' }), { kind: 'click', at: AT, url: 'https://shop.example/p' });
  assert.deepEqual(plan.changes, []);
  assert.equal(plan.status, 'delivered');
  assert.deepEqual(plan.callbacks, [
    { message_uuid: UUID, channel_type: 'SMS', callback_event: 'click', url: 'https://shop.example/p', click_time: AT_ISO },
  ]);
});

test('every click produces an event, whatever the status', () => {
  for (const status of ['sending', 'sent', 'delivered', 'undelivered', 'read'] as Status[]) {
    assert.deepEqual(events(message({ channelType: 'VK', status }), { kind: 'click', at: AT, url: 'https://x.example/' }), ['click'], status);
  }
});

test('click events only with shortUrl true and never on VOICECODE or FLASHCALL', () => {
  const click: Report = { kind: 'click', at: AT, url: 'https://x.example/' };
  assert.deepEqual(events(message({ shortUrl: false }), click), []);
  assert.deepEqual(events(message({ shortUrl: null }), click), []);
  assert.deepEqual(events(message({ channelType: 'VOICECODE' }), click), []);
  assert.deepEqual(events(message({ channelType: 'FLASHCALL' }), click), []);
});

test('callbacks only go to a callbackUrl, for the events the message subscribed to', () => {
  assert.deepEqual(events(message({ callbackUrl: null }), { kind: 'sent', at: AT, price: 1 }), []);
  assert.deepEqual(events(message({ callbackEvents: ['delivered'] }), { kind: 'sent', at: AT, price: 1 }), []);
  assert.deepEqual(events(message({ callbackEvents: ['price'] }), { kind: 'sent', at: AT, price: 1 }), ['price']);
  assert.deepEqual(events(message({ callbackEvents: ['sent'] }), { kind: 'sent', at: AT, price: 1 }), ['sent']);
  assert.deepEqual(
    events(message({ channelType: 'WHATSAPP', status: 'sent', price: unfinal(), callbackEvents: ['read'] }), { kind: 'read', at: AT }),
    ['read'],
  );
});

test('without callbacks the money and status still follow the report', () => {
  const plan = planReport(message({ callbackUrl: null }), { kind: 'sent', at: AT, price: 800 });
  assert.equal(plan.status, 'sent');
  assert.equal(plan.balanceDelta, -800);
  assert.deepEqual(plan.callbacks, []);
});

test('VOICECODE: priced when the call is originated (final=false), made final with the answer', () => {
  const originated = planReport(message({ channelType: 'VOICECODE', totalParts: 1 }), { kind: 'sent', at: AT, price: 300 });
  assert.deepEqual(originated.price, { total: 300, currency: 'USD', parts: 1, final: false });
  assert.deepEqual(originated.callbacks.map((c) => c.callback_event), ['sent', 'price']);
  const answered = planReport(message({ channelType: 'VOICECODE', totalParts: 1, status: 'sent', price: originated.price }), {
    kind: 'delivered',
    at: AT,
  });
  assert.equal(answered.price?.final, true);
  assert.deepEqual(answered.callbacks.map((c) => c.callback_event), ['delivered', 'price']);
});

test('VOICECODE, FLASHCALL and SMS never fire read events', () => {
  for (const channelType of ['VOICECODE', 'FLASHCALL', 'SMS'] as Channel[]) {
    const state = message({ channelType, status: 'sent', price: unfinal() });
    assert.deepEqual(events(state, { kind: 'read', at: AT }), [], channelType);
    assert.deepEqual(events({ ...state, status: 'delivered' }, { kind: 'expired', at: AT }), [], channelType);
  }
});

test('a free message (price 0) is still priced and fires its price events', () => {
  const plan = planReport(message(), { kind: 'sent', at: AT, price: 0 });
  assert.deepEqual(plan.price, { total: 0, currency: 'USD', parts: 2, final: false });
  assert.deepEqual(plan.callbacks.map((c) => c.callback_event), ['sent', 'price']);
  assert.equal(plan.balanceDelta, -0);
});

test('watchExpiry: after hand-off yes, after a final status no, except delivered on messengers', () => {
  assert.equal(planReport(message(), { kind: 'sent', at: AT, price: 1 }).watchExpiry, true);
  assert.equal(planReport(message({ status: 'sent' }), { kind: 'delivered', at: AT }).watchExpiry, false);
  assert.equal(planReport(message({ status: 'sent', channelType: 'WHATSAPP' }), { kind: 'delivered', at: AT }).watchExpiry, true);
  assert.equal(planReport(message({ status: 'delivered', channelType: 'WHATSAPP' }), { kind: 'read', at: AT }).watchExpiry, false);
  assert.equal(planReport(message(), { kind: 'unsent', at: AT, errorCode: 606 }).watchExpiry, false);
  assert.equal(planReport(message({ status: 'sent' }), { kind: 'sent', at: AT, price: 1 }).watchExpiry, true, 'unchanged');
});

test('planReport does not modify the state it is given', () => {
  const state = message({ status: 'sent', price: unfinal() });
  const copy = structuredClone(state);
  planReport(state, { kind: 'delivered', at: AT });
  assert.deepEqual(state, copy);
});

test("a platform's price with the final status replaces the hand-off's and settles the difference; without one the price stays", () => {
  const sent = message({ channelType: 'WHATSAPP', status: 'sent', reserved: 0, price: unfinal(12_000, 1) });
  const free = planReport(sent, { kind: 'delivered', at: AT, price: 0 });
  assert.deepEqual(free.price, { total: 0, currency: 'USD', parts: 1, final: true });
  assert.equal(free.balanceDelta, 12_000, 'refunded');
  const read = planReport(sent, { kind: 'read', at: AT, price: 3_500 });
  assert.deepEqual([read.status, read.price?.total, read.price?.final, read.balanceDelta], ['read', 3_500, true, 8_500]);
  const failed = planReport(sent, { kind: 'undelivered', at: AT, errorCode: 612, price: 0 });
  assert.deepEqual([failed.status, failed.price?.total, failed.balanceDelta], ['undelivered', 0, 12_000]);
  const plain = planReport(sent, { kind: 'delivered', at: AT });
  assert.deepEqual([plain.price?.total, plain.price?.final, plain.balanceDelta], [12_000, true, 0]);
  const unbilled = planReport({ ...sent, billingEnabled: false }, { kind: 'delivered', at: AT, price: 0 });
  assert.equal(unbilled.balanceDelta, 0, 'nothing was charged, nothing is refunded');
  const alreadyFinal = planReport({ ...sent, status: 'delivered', price: { ...unfinal(12_000, 1), final: true } }, { kind: 'read', at: AT, price: 0 });
  assert.deepEqual([alreadyFinal.price?.total, alreadyFinal.balanceDelta], [12_000, 0], 'a final price never changes');
});
