/** The VK rules on their own: every code row, the validity, and the pieces of the protocol folder that decide. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroupPacer } from '../../src/connectors/vk/groupPacer.js';
import { DAILY_WINDOW_MS, validitySeconds } from '../../src/domain/vkLimits.js';
import { communityErrorOutcome, providerItemOutcome, providerRequestOutcome, providerStatusReport } from '../../src/domain/vkOutcomes.js';
import { DEFAULT_FIELD_NAMES, readSendAnswer, readStatusCallbacks, sendBody } from '../../src/vk/providerProfile.js';
import { randomIdOf } from '../../src/vk/randomId.js';
import { hasValidProviderSignature, providerSignatureOf } from '../../src/vk/signature.js';

describe('provider outcomes', () => {
  test('per-item codes', () => {
    assert.deepEqual(providerItemOutcome('not_vk_user'), { kind: 'undelivered', errorCode: 612 });
    assert.deepEqual(providerItemOutcome('inactive_user'), { kind: 'undelivered', errorCode: 612 });
    assert.deepEqual(providerItemOutcome('daily_limit'), { kind: 'unsent', errorCode: 613, pauseSender: false, keepsDailySlot: true });
    assert.deepEqual(providerItemOutcome('blocked'), { kind: 'unsent', errorCode: 613, pauseSender: false, keepsDailySlot: false });
    assert.deepEqual(providerItemOutcome('region_not_supported'), { kind: 'undelivered', errorCode: 615 });
    for (const code of ['unauthorized', 'service_unknown', 'service_disabled']) {
      assert.deepEqual(providerItemOutcome(code), { kind: 'unsent', errorCode: 614, pauseSender: true, keepsDailySlot: false });
    }
    for (const code of ['rate_limited', 'internal_error', 'temporarily_unavailable']) assert.deepEqual(providerItemOutcome(code), { kind: 'retry' });
    assert.deepEqual(providerItemOutcome('something_new'), { kind: 'unsent', errorCode: 614, pauseSender: false, keepsDailySlot: false });
  });

  test('whole requests: credentials pause, transient retries, other 4xx refuse', () => {
    for (const status of [null, 429, 500, 502, 503]) assert.deepEqual(providerRequestOutcome(status), { kind: 'retry' });
    for (const status of [401, 403]) assert.equal((providerRequestOutcome(status) as { pauseSender: boolean }).pauseSender, true);
    assert.deepEqual(providerRequestOutcome(400), { kind: 'unsent', errorCode: 614, pauseSender: false, keepsDailySlot: false });
  });

  test('statuses', () => {
    const at = 1_700_000_000_000;
    assert.equal(providerStatusReport({ status: 'sent', reason: null, at }), null);
    assert.equal(providerStatusReport({ status: 'queued', reason: null, at }), null);
    assert.deepEqual(providerStatusReport({ status: 'delivered', reason: null, at }), { kind: 'delivered', at });
    assert.deepEqual(providerStatusReport({ status: 'read', reason: null, at }), { kind: 'read', at });
    assert.deepEqual(providerStatusReport({ status: 'expired', reason: null, at }), { kind: 'expired', at });
    const failed = (reason: string | null) => providerStatusReport({ status: 'not_delivered', reason, at });
    assert.deepEqual(failed('not_vk_user'), { kind: 'undelivered', at, errorCode: 612, price: 0 });
    assert.deepEqual(failed('inactive_user'), { kind: 'undelivered', at, errorCode: 612, price: 0 });
    assert.deepEqual(failed('daily_limit'), { kind: 'undelivered', at, errorCode: 613, price: 0 });
    assert.deepEqual(failed('region_not_supported'), { kind: 'undelivered', at, errorCode: 615, price: 0 });
    assert.deepEqual(failed('whatever'), { kind: 'undelivered', at, errorCode: null, price: 0 });
    assert.deepEqual(failed(null), { kind: 'undelivered', at, errorCode: null, price: 0 });
  });
});

test('community error codes', () => {
  for (const code of [900, 901, 902]) assert.deepEqual(communityErrorOutcome(code), { kind: 'undelivered', errorCode: 612 });
  for (const code of [5, 15, 27]) assert.equal((communityErrorOutcome(code) as { pauseSender: boolean }).pauseSender, true);
  for (const code of [null, 6, 9, 10, 29]) assert.deepEqual(communityErrorOutcome(code), { kind: 'retry' });
  assert.deepEqual(communityErrorOutcome(914), { kind: 'unsent', errorCode: 614, pauseSender: false, keepsDailySlot: false });
});

test('validity: what is left of the lifetime, clamped to 15–86400 s', () => {
  const now = 1_000_000;
  assert.equal(validitySeconds(now + 60_000, now), 60);
  assert.equal(validitySeconds(now + 59_999, now), 59);
  assert.equal(validitySeconds(now + 3_000, now), 15);
  assert.equal(validitySeconds(now - 3_000, now), 15);
  assert.equal(validitySeconds(now + 2 * DAILY_WINDOW_MS, now), 86_400);
});

describe('provider profile', () => {
  const item = { phone: '79001234567', service: 'Shop', text: 'hi', validitySeconds: 60, callbackUrl: 'https://gw/webhooks/vk/p', callbackData: 'u1' };

  test('the send body, with renamed fields', () => {
    assert.deepEqual(sendBody([item], DEFAULT_FIELD_NAMES), {
      messages: [{ phone: '79001234567', service: 'Shop', text: 'hi', routes: ['VK'], validity: 60, callbackUrl: 'https://gw/webhooks/vk/p', callbackData: 'u1' }],
    });
    const renamed = { ...DEFAULT_FIELD_NAMES, phone: 'msisdn', callbackData: 'externalId' };
    const [row] = sendBody([{ ...item, callbackUrl: null }], renamed).messages;
    assert.deepEqual(Object.keys(row!).sort(), ['externalId', 'msisdn', 'routes', 'service', 'text', 'validity']);
  });

  test('answers are matched by callbackData, else by position', () => {
    const answer = { messages: [{ callbackData: 'u2', error: { code: 'blocked', message: 'no' } }, { id: 77, callbackData: 'u1' }] };
    assert.deepEqual(readSendAnswer(answer, ['u1', 'u2', 'u3'], DEFAULT_FIELD_NAMES), [
      { ok: true, id: '77' },
      { ok: false, code: 'blocked', message: 'no' },
      null,
    ]);
    assert.deepEqual(readSendAnswer({ messages: [{ id: 'a' }, { id: 'b' }] }, ['u1', 'u2'], DEFAULT_FIELD_NAMES), [
      { ok: true, id: 'a' },
      { ok: true, id: 'b' },
    ]);
    assert.equal(readSendAnswer({ results: [] }, ['u1'], DEFAULT_FIELD_NAMES), null);
  });

  test('callbacks: one object or an array; times as ISO or unix seconds; anything else refused whole', () => {
    const one = { id: 'p1', callbackData: 'u1', status: 'delivered', time: '2026-12-04T10:00:00.000Z' };
    assert.deepEqual(readStatusCallbacks(one, DEFAULT_FIELD_NAMES), [{ id: 'p1', callbackData: 'u1', status: 'delivered', reason: null, at: Date.parse(one.time) }]);
    const many = readStatusCallbacks([one, { id: 5, status: 'not_delivered', reason: 'not_vk_user', time: 1_764_842_400 }], DEFAULT_FIELD_NAMES);
    assert.equal(many?.[1]?.at, 1_764_842_400_000);
    assert.equal(many?.[1]?.reason, 'not_vk_user');
    assert.equal(readStatusCallbacks([one, { id: 'p2', status: 'read' }], DEFAULT_FIELD_NAMES), null);
    assert.equal(readStatusCallbacks([], DEFAULT_FIELD_NAMES), null);
    assert.equal(readStatusCallbacks({ ...one, time: 'yesterday' }, DEFAULT_FIELD_NAMES), null);
  });

  test('the callback signature is over the exact bytes', () => {
    const raw = Buffer.from('{"id":"p1","status":"read"}');
    const signature = providerSignatureOf('s3cret', raw);
    assert.equal(hasValidProviderSignature('s3cret', raw, signature), true);
    assert.equal(hasValidProviderSignature('s3cret', raw, `sha256=${signature.toUpperCase()}`), true);
    assert.equal(hasValidProviderSignature('other', raw, signature), false);
    assert.equal(hasValidProviderSignature('s3cret', Buffer.from('{"id": "p1","status":"read"}'), signature), false);
    assert.equal(hasValidProviderSignature('s3cret', raw, undefined), false);
    assert.equal(hasValidProviderSignature('s3cret', raw, 'abc'), false);
  });
});

test('random_id: a stable 31-bit number per message, case-insensitive', () => {
  const uuid = '01a23ecd-8346-721b-9046-8bbef473f387';
  assert.equal(randomIdOf(uuid), randomIdOf(uuid.toUpperCase()));
  assert.ok(randomIdOf(uuid) >= 0 && randomIdOf(uuid) <= 0x7fffffff);
  assert.notEqual(randomIdOf(uuid), randomIdOf('01a23ecd-8346-721b-9046-8bbef473f388'));
});

describe('group pacer: at most perSecond in any window', () => {
  test('a window of room goes now; the excess is spread over the following windows', () => {
    const pacer = new GroupPacer();
    const waits = pacer.take('g', 120, 50, 0);
    assert.equal(waits.filter((w) => w === 0).length, 50);
    const later = waits.slice(50);
    assert.ok(later.every((w) => w > 0));
    assert.ok(later.slice(0, 50).every((w) => w <= 1_100) && later.slice(50).every((w) => w > 1_100 && w <= 2_200));
    // Nothing more fits in the same window; groups are apart.
    assert.ok(pacer.take('g', 1, 50, 500)[0]! > 0);
    assert.equal(pacer.take('other', 1, 50, 500)[0], 0);
  });

  test('the window moves on', () => {
    const pacer = new GroupPacer();
    pacer.take('g', 50, 50, 0);
    assert.ok(pacer.take('g', 1, 50, 1_099)[0]! > 0);
    assert.equal(pacer.take('g', 50, 50, 1_100).filter((w) => w === 0).length, 50);
  });
});

test('only VK community hand-offs are without delivery reports', async () => {
  const { reportsDelivery, VK_COMMUNITY_HANDOFF } = await import('../../src/domain/deliveryReports.js');
  assert.equal(reportsDelivery(VK_COMMUNITY_HANDOFF), false);
  for (const connector of [null, undefined, 'vk', 'whatsapp', 'simulator', 'smpp:main']) assert.equal(reportsDelivery(connector), true);
});
