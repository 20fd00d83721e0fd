/**
 * What the VK connector puts on the wire to the provider (README "VK", "The provider API"; vk/providerProfile.ts,
 * connectors/vk/providerAdapter.ts), over real HTTP: the due messages of a profile in requests of at most 1000
 * items (the engine hands the connector its round in groups of maxBatch), one request per profile, and each item's
 * fields — phone, service (the sender name or the configured `service`), text, routes, validity (the remaining
 * lifetime clamped to 15–86400 s) and callbackData (the message uuid).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FIELD_NAMES } from '../../../src/vk/providerProfile.js';
import { providerSender, startVkPair, VK, type VkTestPair } from '../../support/vkGateway.js';
import { itemsTo, PAST_RETRY_MS } from './vkHelpers.js';

const sorted = (sizes: readonly number[]) => [...sizes].sort((a, b) => b - a);

/** `count` distinct phones from `base` (so that the daily limit never bites). */
const phones = (base: number, count: number) => Array.from({ length: count }, (_, i) => String(base + i));

/** Accepts the messages in POSTs of at most 1000 items (the API's limit); their uuids. */
async function acceptAll(pair: VkTestPair, destinations: string[], senderName?: string): Promise<string[]> {
  const uuids: string[] = [];
  for (let i = 0; i < destinations.length; i += 1000) {
    uuids.push(...(await pair.sendMany(destinations.slice(i, i + 1000).map((destination) => ({ destination, senderName })))));
  }
  return uuids;
}

/** How many of these messages have each status. */
async function statusCounts(pair: VkTestPair, uuids: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const uuid of uuids) {
    const status = (await pair.message(uuid)).status as string;
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
}

describe('batching: ⌈N/1000⌉ provider requests', () => {
  let byRound: VkTestPair;
  let oneRound: VkTestPair;
  before(async () => {
    const fast = (batchSize?: number) =>
      startVkPair({
        provider: { script: 'delivered', batchCallbacks: true, dailyLimit: 0 },
        config: (config) => {
          config.vk.senders = [providerSender({ throughput: 10_000 })];
          if (batchSize !== undefined) config.engine.batchSize = batchSize;
        },
      });
    [byRound, oneRound] = await Promise.all([fast(), fast(3_000)]);
    // 2500 messages at 0.50 are more than the account's 1000.00.
    for (const pair of [byRound, oneRound]) await pair.gateway.store.accounts.topUp(pair.accountId, 10_000 * 10_000);
  });
  after(async () => {
    await byRound?.close();
    await oneRound?.close();
  });

  test('2500 due messages, engine.batchSize 1000 (default): requests of 1000, 1000 and 500; every message delivered', async () => {
    const uuids = await acceptAll(byRound, phones(79020000000, 2500));
    await byRound.settle();
    assert.deepEqual(sorted(byRound.provider.batchSizes), [1000, 1000, 500]);
    assert.equal(byRound.provider.sends.length, 2500);
    assert.equal(byRound.provider.duplicates, 0);
    assert.equal(new Set(byRound.provider.sends.map((s) => s.callbackData)).size, 2500, 'each message once');
    assert.deepEqual(await statusCounts(byRound, uuids), { delivered: 2500 });
  });

  test('2500 messages claimed in one round (engine.batchSize 3000): still requests of at most 1000 — 1000, 1000, 500', async () => {
    const uuids = await acceptAll(oneRound, phones(79021000000, 2500));
    await oneRound.settle();
    assert.deepEqual(sorted(oneRound.provider.batchSizes), [1000, 1000, 500]);
    assert.ok(oneRound.provider.batchSizes.every((n) => n <= 1000));
    assert.equal(oneRound.provider.sends.length, 2500);
    assert.deepEqual(await statusCounts(oneRound, uuids), { delivered: 2500 });
  });
});

describe('one request per profile and round; community messages one call each', () => {
  let pair: VkTestPair;
  before(async () => {
    pair = await startVkPair({
      provider: { script: 'none', dailyLimit: 0 },
      config: (config) => {
        config.vk.providers.other = { ...config.vk.providers[VK.profile]!, callbackSecret: 'other-secret', fieldNames: { ...DEFAULT_FIELD_NAMES } };
        config.vk.senders.push(providerSender({ senderName: 'OtherVK', provider: 'other' }));
      },
    });
  });
  after(() => pair?.close());

  test('4 messages of profile notify, 3 of profile other and 2 community messages in one POST: requests of 4 and 3, 2 messages.send', async () => {
    const uuids = await pair.sendMany([
      ...phones(79022000000, 4).map((destination) => ({ destination })),
      ...phones(79022000100, 3).map((destination) => ({ destination, senderName: 'OtherVK' })),
      { destination: '2000000001', senderName: VK.communitySender },
      { destination: '2000000002', senderName: VK.communitySender },
    ]);
    await pair.settle();
    assert.deepEqual(sorted(pair.provider.batchSizes), [4, 3]);
    assert.equal(pair.community.sends.length, 2);
    assert.deepEqual(await statusCounts(pair, uuids), { sent: 9 });
  });
});

describe('the fields of each item', () => {
  let pair: VkTestPair;
  before(async () => {
    pair = await startVkPair({
      provider: { script: 'none', dailyLimit: 0 },
      config: (config) => {
        config.vk.senders.push(providerSender({ senderName: 'NamedVK', service: 'shop_group_42' }));
      },
    });
  });
  after(() => pair?.close());

  const only = (phone: string) => {
    const items = itemsTo(pair, phone);
    assert.equal(items.length, 1, `one item for ${phone}`);
    return items[0]!;
  };

  test('phone, service = the sender name, text, routes ["VK"], callbackData = the uuid; the profile\'s credentials', async () => {
    const uuid = await pair.send('79023000001', 'Ваш код 4321');
    await pair.settle();
    const item = only('79023000001');
    assert.equal(item.phone, '79023000001');
    assert.equal(item.service, VK.senderName);
    assert.equal(item.text, 'Ваш код 4321');
    assert.deepEqual(item.routes, ['VK']);
    assert.equal(item.callbackData, uuid);
    assert.equal('callbackUrl' in item, false, 'no callbackUrl: the profile sets none (null)');
    const request = pair.provider.requests.find((r) => ((r.body as any)?.messages ?? []).some((m: any) => m.phone === '79023000001'))!;
    assert.equal(request.headers.authorization, VK.authValue);
    assert.equal((await pair.message(uuid)).status, 'sent');
  });

  test('service = the configured `service` when the sender row has one', async () => {
    await pair.sendMany([{ destination: '79023000002', senderName: 'NamedVK' }]);
    await pair.settle();
    assert.equal(only('79023000002').service, 'shop_group_42');
  });

  test('validity: ttl 60 → 60 (or 59); ttl 3600 → 3600 (or 3599); no ttl (25 h) → clamped to 86400', async () => {
    await pair.send('79023000003', 'x', { ttl: 60 });
    await pair.send('79023000004', 'x', { ttl: 3600 });
    await pair.send('79023000005', 'x');
    await pair.send('79023000006', 'x', { ttl: 86_400 });
    await pair.settle();
    assert.ok([59, 60].includes(only('79023000003').validity), `validity ${only('79023000003').validity}`);
    assert.ok([3599, 3600].includes(only('79023000004').validity), `validity ${only('79023000004').validity}`);
    assert.equal(only('79023000005').validity, 86_400);
    assert.ok([86_399, 86_400].includes(only('79023000006').validity));
  });

  test('validity after waiting: what is left of the lifetime (ttl 600, retried 300 s later → about 300)', async () => {
    pair.provider.failNextRequests(1, 503);
    await pair.send('79023000007', 'x', { ttl: 600 });
    await pair.settle();
    pair.clock.advance(300_000);
    await pair.settle();
    const items = itemsTo(pair, '79023000007');
    assert.equal(items.length, 2);
    assert.ok([599, 600].includes(items[0]!.validity), `first ${items[0]!.validity}`);
    assert.ok(items[1]!.validity >= 298 && items[1]!.validity <= 300, `retry ${items[1]!.validity}`);
  });

  test('validity never below 15 s: ttl 60 retried 50 s later (10 s left) → 15', async () => {
    pair.provider.failNextRequests(1, 503);
    const uuid = await pair.send('79023000008', 'x', { ttl: 60 });
    await pair.settle();
    pair.clock.advance(PAST_RETRY_MS + 45_000);
    await pair.settle();
    const items = itemsTo(pair, '79023000008');
    assert.equal(items.length, 2);
    assert.equal(items[1]!.validity, 15);
    assert.equal(items[1]!.callbackData, uuid, 'the same callbackData on the retry (the provider deduplicates by it)');
    assert.equal((await pair.message(uuid)).status, 'sent');
  });
});
