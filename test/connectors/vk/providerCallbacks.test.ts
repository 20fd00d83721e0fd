/**
 * VK provider status callbacks over real HTTP (spec §7, §5.7; domain/vkOutcomes.ts providerStatusReport), posted
 * by the provider stand-in to `/webhooks/vk/<profile>`: delivered, read, not_delivered with each reason, expired,
 * the gateway's own expiry against late statuses, repeats and reordering, and batched bodies. The stand-in posts
 * nothing by itself here (script 'none'): each test posts the statuses.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCallbackReceiver, type CallbackReceiver } from '../../support/callbackReceiver.js';
import { startVkPair, type VkTestPair } from '../../support/vkGateway.js';
import { providerSendOf, timeline, timelineStatuses } from './vkHelpers.js';

let pair: VkTestPair;
let batched: VkTestPair;
let receiver: CallbackReceiver;
before(async () => {
  receiver = await startCallbackReceiver();
  [pair, batched] = await Promise.all([
    startVkPair({
      provider: { script: 'none', dailyLimit: 0 },
      config: (config) => {
        config.callbacks.allowPrivateTargets = true;
        config.callbacks.batchWaitMs = 0;
      },
    }),
    startVkPair({ provider: { script: 'read', batchCallbacks: true, dailyLimit: 0 } }),
  ]);
});
after(async () => {
  await pair?.close();
  await batched?.close();
  await receiver?.close();
});

const ALL_EVENTS = ['sent', 'delivered', 'read'];

/** Sends one message with client callbacks, settles; it is `sent`. Returns its uuid and the provider's id. */
async function sent(phone: string, extra: Record<string, unknown> = {}) {
  const uuid = await pair.send(phone, 'Your code is 1234', { callbackUrl: receiver.url(`/vk/${phone}`), callbackEvents: ALL_EVENTS, ...extra });
  await pair.settle();
  const send = providerSendOf(pair, uuid);
  assert.equal((await pair.message(uuid)).status, 'sent');
  return { uuid, id: send.id };
}

/** Posts statuses of one message, one POST each, in this order; each must be answered 200. */
async function emit(id: string, ...statuses: (string | [string, string])[]) {
  for (const s of statuses) {
    const event = typeof s === 'string' ? pair.provider.statusFor(id, s) : pair.provider.statusFor(id, s[0], s[1]);
    const answer = await pair.provider.emitStatus(event, { retry: false });
    assert.equal(answer.status, 200, answer.body);
  }
  await pair.settle();
}

/** The timeline entries after the first `count` only record reports that were ignored: no status, no callback. */
async function expectOnlyIgnoredAfter(uuid: string, count: number) {
  const later = (await timeline(pair, uuid)).slice(count);
  for (const entry of later) {
    assert.deepEqual(entry.detail?.statuses ?? [], [], `no status from ${JSON.stringify(entry)}`);
    assert.deepEqual(entry.detail?.callbacks ?? [], []);
    assert.equal(typeof entry.detail?.ignored, 'string', `recorded as ignored: ${JSON.stringify(entry)}`);
  }
}

const clientStatuses = (uuid: string) => receiver.eventsFor(uuid).map((e) => e.status);

test('delivered → delivered, at the price of the hand-off', async () => {
  const { uuid, id } = await sent('79012000001');
  await emit(id, 'delivered');
  const message = await pair.message(uuid);
  assert.equal(message.status, 'delivered');
  assert.equal(message.errorCode, null);
  assert.deepEqual(await timelineStatuses(pair, uuid), ['sent', 'delivered']);
  assert.deepEqual(clientStatuses(uuid), ['sent', 'delivered']);
});

test('read without delivered → read, delivered recorded first', async () => {
  const { uuid, id } = await sent('79012000002');
  await emit(id, 'read');
  const message = await pair.message(uuid);
  assert.equal(message.status, 'read');
  assert.deepEqual(await timelineStatuses(pair, uuid), ['sent', 'delivered', 'read']);
  assert.deepEqual(clientStatuses(uuid), ['sent', 'delivered', 'read']);
});

test('a sent status changes nothing (the hand-off is already recorded)', async () => {
  const { uuid, id } = await sent('79012000003');
  const before = await pair.message(uuid);
  await emit(id, 'sent');
  assert.deepEqual(await pair.message(uuid), before);
  assert.deepEqual(await timelineStatuses(pair, uuid), ['sent']);
});

const NOT_DELIVERED: { reason: string | null; errorCode: number | null }[] = [
  { reason: 'not_vk_user', errorCode: 612 },
  { reason: 'inactive_user', errorCode: 612 },
  { reason: 'daily_limit', errorCode: 613 },
  { reason: 'blocked', errorCode: 613 },
  { reason: 'region_not_supported', errorCode: 615 },
  { reason: 'something_new', errorCode: null },
  { reason: null, errorCode: null },
];

for (const [i, row] of NOT_DELIVERED.entries()) {
  test(`not_delivered, reason ${row.reason}: undelivered ${row.errorCode}, price 0 final`, async () => {
    const { uuid, id } = await sent(`7901201${String(i).padStart(4, '0')}`);
    await emit(id, row.reason === null ? 'not_delivered' : ['not_delivered', row.reason]);
    const message = await pair.message(uuid);
    assert.equal(message.status, 'undelivered');
    assert.equal(message.errorCode, row.errorCode);
    assert.equal(message.price?.totalPrice, 0, 'not delivered costs nothing');
    assert.equal(message.price?.final, true);
    assert.deepEqual(clientStatuses(uuid), ['sent', 'undelivered']);
  });
}

test('expired while only sent: undelivered 127', async () => {
  const { uuid, id } = await sent('79012020001');
  await emit(id, 'expired');
  const message = await pair.message(uuid);
  assert.equal(message.status, 'undelivered');
  assert.equal(message.errorCode, 127);
});

test('expired after delivered: unread', async () => {
  const { uuid, id } = await sent('79012020002');
  await emit(id, 'delivered', 'expired');
  const message = await pair.message(uuid);
  assert.equal(message.status, 'unread');
  assert.deepEqual(await timelineStatuses(pair, uuid), ['sent', 'delivered', 'unread']);
});

test('the gateway\'s own expiry (ttl 60) while sent: undelivered 127; a late delivered and read change nothing', async () => {
  const { uuid, id } = await sent('79012020003', { ttl: 60 });
  pair.clock.advance(61_000);
  await pair.settle();
  let message = await pair.message(uuid);
  assert.equal(message.status, 'undelivered');
  assert.equal(message.errorCode, 127);
  const entries = (await timeline(pair, uuid)).length;
  await emit(id, 'delivered', 'read');
  message = await pair.message(uuid);
  assert.equal(message.status, 'undelivered');
  assert.equal(message.errorCode, 127);
  assert.deepEqual(clientStatuses(uuid), ['sent', 'undelivered']);
  await expectOnlyIgnoredAfter(uuid, entries);
});

test('the same delivered twice, and the same read twice: the repeats change nothing', async () => {
  const { uuid, id } = await sent('79012030001');
  const delivered = pair.provider.statusFor(id, 'delivered');
  assert.equal((await pair.provider.emitStatus(delivered, { retry: false })).status, 200);
  await pair.settle();
  const first = await pair.message(uuid);
  const entries = (await timeline(pair, uuid)).length;
  const callbacks = receiver.eventsFor(uuid).length;
  assert.equal(first.status, 'delivered');

  assert.equal((await pair.provider.emitStatus(delivered, { retry: false })).status, 200, 'a repeat is answered 200 (else the provider retries)');
  await pair.settle();
  assert.deepEqual(await pair.message(uuid), first);
  await expectOnlyIgnoredAfter(uuid, entries);
  assert.equal(receiver.eventsFor(uuid).length, callbacks, 'no second client callback');

  const read = pair.provider.statusFor(id, 'read');
  await pair.provider.emitStatus(read, { retry: false });
  await pair.settle();
  const afterRead = await pair.message(uuid);
  const entriesAfterRead = (await timeline(pair, uuid)).length;
  await pair.provider.emitStatus(read, { retry: false });
  await pair.provider.emitStatus([read, delivered], { retry: false });
  await pair.settle();
  assert.deepEqual(await pair.message(uuid), afterRead);
  await expectOnlyIgnoredAfter(uuid, entriesAfterRead);
  assert.deepEqual(clientStatuses(uuid), ['sent', 'delivered', 'read']);
});

test('reordered: read before delivered ends read, with delivered once and before read', async () => {
  const { uuid, id } = await sent('79012040001');
  await emit(id, 'read', 'delivered');
  const message = await pair.message(uuid);
  assert.equal(message.status, 'read');
  assert.deepEqual(await timelineStatuses(pair, uuid), ['sent', 'delivered', 'read']);
  assert.deepEqual(clientStatuses(uuid), ['sent', 'delivered', 'read']);
});

test('reordered: not_delivered after read changes nothing (statuses never go backwards)', async () => {
  const { uuid, id } = await sent('79012040002');
  await emit(id, 'read', ['not_delivered', 'not_vk_user'], 'expired');
  const message = await pair.message(uuid);
  assert.equal(message.status, 'read');
  assert.equal(message.errorCode, null);
});

test('one body with an array of statuses of several messages: each applied', async () => {
  const a = await sent('79012050001');
  const b = await sent('79012050002');
  const c = await sent('79012050003');
  const answer = await pair.provider.emitStatus(
    [pair.provider.statusFor(a.id, 'delivered'), pair.provider.statusFor(b.id, 'read'), pair.provider.statusFor(c.id, 'not_delivered', 'region_not_supported')],
    { retry: false },
  );
  assert.equal(answer.status, 200);
  await pair.settle();
  assert.equal((await pair.message(a.uuid)).status, 'delivered');
  assert.equal((await pair.message(b.uuid)).status, 'read');
  const cm = await pair.message(c.uuid);
  assert.equal(cm.status, 'undelivered');
  assert.equal(cm.errorCode, 615);
});

test('a status for an id the gateway never handed off is answered 200 and changes nothing', async () => {
  const { uuid, id } = await sent('79012060001');
  const event = { ...pair.provider.statusFor(id, 'delivered'), id: 'no-such-id-42', callbackData: uuid };
  assert.equal((await pair.provider.emitStatus(event, { retry: false })).status, 200);
  await pair.settle();
  assert.equal((await pair.message(uuid)).status, 'sent', 'found by the provider id, not by callbackData');
});

test('batched callbacks (arrays, scripted sent → delivered → read): every message read', async () => {
  const phones = Array.from({ length: 6 }, (_, i) => `7901207000${i}`);
  const uuids = await batched.sendMany(phones.map((destination) => ({ destination })));
  await batched.settle();
  await batched.settle();
  for (const uuid of uuids) {
    assert.equal((await batched.message(uuid)).status, 'read');
    assert.deepEqual(await timelineStatuses(batched, uuid), ['sent', 'delivered', 'read']);
  }
  const attempts = batched.provider.callbackAttempts;
  assert.ok(attempts.length > 0);
  for (const attempt of attempts) {
    assert.ok(Array.isArray(JSON.parse(attempt.raw)), 'each body is an array');
    assert.equal(attempt.status, 200);
  }
  assert.ok(attempts.length < phones.length * 3, `batched: ${attempts.length} POSTs for ${phones.length * 3} statuses`);
});
