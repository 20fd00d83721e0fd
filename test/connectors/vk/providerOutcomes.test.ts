/**
 * VK through the provider profile, over real HTTP to the provider stand-in: what each per-item error code of the
 * send answer does to a message (spec §13: 612, 613, 614, 615; domain/vkOutcomes.ts), the whole-request answers
 * (401, 5xx, 429, no answer in time), the circuit breaker a sender error opens, and the lifetime (§5.7: 605 when
 * the retries outlast it). The stand-in posts no status callbacks here (script 'sent'): the hand-off is the subject.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resumedWaiting } from '../../../src/connectors/senderBreaker.js';
import { startVkPair, VK, type VkTestPair } from '../../support/vkGateway.js';
import { itemsTo, PAST_RETRY_MS, pausedNames, requestsTo, resume, timelineStatuses } from './vkHelpers.js';

let pair: VkTestPair;
const REQUEST_TIMEOUT_MS = 1_000;
before(async () => {
  pair = await startVkPair({
    provider: { script: 'sent', dailyLimit: 0 },
    config: (config) => {
      config.vk.pauseProbeMs = 0;
      config.vk.requestTimeoutMs = REQUEST_TIMEOUT_MS;
    },
  });
});
after(() => pair?.close());

async function expectSenderPaused(): Promise<void> {
  assert.deepEqual(await pausedNames(pair), [VK.senderName]);
}

type Final = { status: 'unsent' | 'undelivered'; errorCode: number; pauses?: boolean };
const ITEM_ROWS: { code: string; final: Final }[] = [
  { code: 'not_vk_user', final: { status: 'undelivered', errorCode: 612 } },
  { code: 'inactive_user', final: { status: 'undelivered', errorCode: 612 } },
  { code: 'daily_limit', final: { status: 'unsent', errorCode: 613 } },
  { code: 'blocked', final: { status: 'unsent', errorCode: 613 } },
  { code: 'region_not_supported', final: { status: 'undelivered', errorCode: 615 } },
  { code: 'service_unknown', final: { status: 'unsent', errorCode: 614, pauses: true } },
  { code: 'service_disabled', final: { status: 'unsent', errorCode: 614, pauses: true } },
  { code: 'unauthorized', final: { status: 'unsent', errorCode: 614, pauses: true } },
  { code: 'no_such_code_anywhere', final: { status: 'unsent', errorCode: 614, pauses: false } },
];

for (const [i, row] of ITEM_ROWS.entries()) {
  test(`item error ${row.code} in the send answer: ${row.final.status} ${row.final.errorCode}${row.final.pauses ? ', sender paused' : ''}, one request`, async () => {
    const phone = `7901100${String(i).padStart(4, '0')}`;
    pair.provider.failFor(phone, row.code);
    try {
      const uuid = await pair.send(phone);
      await pair.settle();
      pair.clock.advance(PAST_RETRY_MS);
      await pair.settle();
      const message = await pair.message(uuid);
      assert.equal(message.status, row.final.status);
      assert.equal(message.errorCode, row.final.errorCode);
      assert.equal(itemsTo(pair, phone).length, 1, 'one item sent, never retried');
      if (row.final.status === 'unsent') {
        assert.equal(message.price, null, 'an unsent message is never priced');
        assert.equal(message.sentTime, null);
      } else {
        // The provider took the request and said the subscriber cannot get it: sent at no price, then undelivered.
        assert.notEqual(message.sentTime, null);
        assert.equal(message.price?.totalPrice, 0);
        assert.equal(message.price?.final, true);
        const statuses = await timelineStatuses(pair, uuid);
        assert.ok(statuses.indexOf('sent') >= 0 && statuses.indexOf('sent') < statuses.indexOf('undelivered'), `timeline ${statuses}`);
      }
      if (row.final.pauses) await expectSenderPaused();
      else assert.deepEqual(await pausedNames(pair), [], 'not a sender error: nothing paused');
    } finally {
      pair.provider.clearFailFor(phone);
      await resume(pair);
    }
  });
}

test('service_unknown pauses the sender: its next message waits with no request, and a resume lets it go', async () => {
  const phone = '79011010001';
  const next = '79011010002';
  pair.provider.failFor(phone, 'service_unknown');
  try {
    const refused = await pair.send(phone);
    await pair.settle();
    pair.provider.clearFailFor(phone);
    assert.equal((await pair.message(refused)).errorCode, 614);
    await expectSenderPaused();
    const [pause] = await pair.gateway.store.vk.pausedSenders();
    assert.match(pause!.reason, /service_unknown/);

    const waiting = await pair.send(next);
    await pair.settle();
    pair.clock.advance(31_000);
    await pair.settle();
    assert.equal((await pair.message(waiting)).status, 'sending');
    assert.equal(itemsTo(pair, next).length, 0, 'no request for a paused sender');

    assert.equal(await pair.gateway.store.vk.resumeSender(VK.senderName, resumedWaiting(pair.clock.now())), true);
    assert.deepEqual(await pausedNames(pair), []);
    pair.clock.advance(3_000);
    await pair.settle();
    pair.clock.advance(30_000);
    await pair.settle();
    const message = await pair.message(waiting);
    assert.equal(message.status, 'sent');
    assert.equal(itemsTo(pair, next).length, 1);
    assert.equal(pair.provider.sends.filter((s) => s.callbackData === waiting).length, 1);
  } finally {
    pair.provider.clearFailFor(phone);
    await resume(pair);
  }
});

for (const [i, code] of ['rate_limited', 'internal_error', 'temporarily_unavailable'].entries()) {
  test(`item error ${code}: retried — sending, then sent on a later round`, async () => {
    const phone = `7901102${String(i).padStart(4, '0')}`;
    pair.provider.failFor(phone, code);
    const uuid = await pair.send(phone);
    await pair.settle();
    assert.equal((await pair.message(uuid)).status, 'sending');
    assert.equal(itemsTo(pair, phone).length, 1);
    pair.provider.clearFailFor(phone);
    pair.clock.advance(PAST_RETRY_MS);
    await pair.settle();
    const message = await pair.message(uuid);
    assert.equal(message.status, 'sent');
    assert.equal(message.errorCode, null);
    assert.equal(itemsTo(pair, phone).length, 2, 'sent again once');
    assert.deepEqual(await pausedNames(pair), []);
  });
}

test('the whole request answered 401: unsent 614 and the sender paused', async () => {
  const phone = '79011030001';
  try {
    pair.provider.failNextRequests(1, 401, { error: { code: 'unauthorized', message: 'Invalid credentials' } });
    const uuid = await pair.send(phone);
    await pair.settle();
    const message = await pair.message(uuid);
    assert.equal(message.status, 'unsent');
    assert.equal(message.errorCode, 614);
    assert.equal(message.price, null);
    assert.equal(requestsTo(pair, phone).length, 1);
    assert.equal(requestsTo(pair, phone)[0]!.status, 401);
    await expectSenderPaused();
    const [pause] = await pair.gateway.store.vk.pausedSenders();
    assert.match(pause!.reason, /401/);
  } finally {
    await resume(pair);
  }
});

test('the whole request answered 400 (the request itself is wrong): unsent 614, no pause', async () => {
  const phone = '79011030002';
  pair.provider.failNextRequests(1, 400, { error: { code: 'invalid_request', message: 'bad' } });
  const uuid = await pair.send(phone);
  await pair.settle();
  const message = await pair.message(uuid);
  assert.equal(message.status, 'unsent');
  assert.equal(message.errorCode, 614);
  assert.deepEqual(await pausedNames(pair), []);
});

for (const [i, status] of [500, 502, 503, 429].entries()) {
  test(`the whole request answered ${status}: retried — sending, then sent`, async () => {
    const phone = `7901104${String(i).padStart(4, '0')}`;
    pair.provider.failNextRequests(1, status);
    const uuid = await pair.send(phone);
    await pair.settle();
    assert.equal((await pair.message(uuid)).status, 'sending');
    assert.equal(requestsTo(pair, phone).length, 1);
    assert.equal(requestsTo(pair, phone)[0]!.status, status);
    pair.clock.advance(PAST_RETRY_MS);
    await pair.settle();
    const message = await pair.message(uuid);
    assert.equal(message.status, 'sent');
    assert.equal(requestsTo(pair, phone).length, 2);
    assert.equal(pair.provider.sends.filter((s) => s.callbackData === uuid).length, 1);
    assert.deepEqual(await pausedNames(pair), []);
  });
}

test('a 200 answer without a "messages" list: retried (the provider deduplicates by callbackData)', async () => {
  const phone = '79011050001';
  pair.provider.failNextRequests(1, 200, { ok: true });
  const uuid = await pair.send(phone);
  await pair.settle();
  assert.equal((await pair.message(uuid)).status, 'sending');
  pair.clock.advance(PAST_RETRY_MS);
  await pair.settle();
  assert.equal((await pair.message(uuid)).status, 'sent');
});

test('no answer within vk.requestTimeoutMs: retried, then sent', async () => {
  const phone = '79011060001';
  pair.provider.hangNext(1);
  const uuid = await pair.send(phone);
  const started = Date.now();
  await pair.settle();
  assert.ok(Date.now() - started >= REQUEST_TIMEOUT_MS - 50, 'the gateway waited for the timeout');
  assert.equal((await pair.message(uuid)).status, 'sending');
  assert.equal(requestsTo(pair, phone).length, 1);
  pair.clock.advance(PAST_RETRY_MS);
  await pair.settle();
  const message = await pair.message(uuid);
  assert.equal(message.status, 'sent');
  assert.equal(requestsTo(pair, phone).length, 2);
  pair.provider.releaseHung();
});

test('5xx until past the lifetime: unsent 605, and no request once it has expired', async () => {
  const phone = '79011070001';
  pair.provider.failNextRequests(1, 503);
  const uuid = await pair.send(phone, 'Your code is 1234', { ttl: 60 });
  await pair.settle();
  assert.equal((await pair.message(uuid)).status, 'sending');
  pair.clock.advance(61_000);
  await pair.settle();
  const message = await pair.message(uuid);
  assert.equal(message.status, 'unsent');
  assert.equal(message.errorCode, 605);
  assert.equal(message.price, null);
  assert.equal(requestsTo(pair, phone).length, 1, 'nothing sent after the lifetime');
});

test('no answer until past the lifetime: unsent 605', async () => {
  const phone = '79011070002';
  pair.provider.hangNext(1);
  const uuid = await pair.send(phone, 'Your code is 1234', { ttl: 60 });
  await pair.settle();
  assert.equal((await pair.message(uuid)).status, 'sending');
  pair.clock.advance(61_000);
  await pair.settle();
  const message = await pair.message(uuid);
  assert.equal(message.status, 'unsent');
  assert.equal(message.errorCode, 605);
  assert.equal(requestsTo(pair, phone).length, 1);
  pair.provider.releaseHung();
});
