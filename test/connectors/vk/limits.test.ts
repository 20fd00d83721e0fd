/**
 * The limits the VK connector enforces before a hand-off (README "VK", Limits; domain/vkLimits.ts,
 * connectors/vk/groupPacer.ts), over real HTTP: the daily limit per phone and group (default 5 in any 24 h,
 * counted in the database, so it holds across a restart; a provider refusal gives its slot back, a provider
 * daily_limit keeps it, a retry counts once) and the pacing per group (throughput 50: the provider never answers
 * rate_limited). The stand-in's own daily limit is off (dailyLimit 0): every 613 here is the gateway's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { providerSender, startVkPair, type VkTestPair } from '../../support/vkGateway.js';
import { sleep } from '../../support/retryingPoster.js';
import { itemsTo, PAST_RETRY_MS } from './vkHelpers.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const SECOND_SENDER = 'SecondVK';

async function statuses(pair: VkTestPair, uuids: string[]): Promise<{ status: string; errorCode: number | null }[]> {
  return Promise.all(uuids.map(async (uuid) => {
    const m = await pair.message(uuid);
    return { status: m.status, errorCode: m.errorCode };
  }));
}
const count = (rows: { status: string; errorCode: number | null }[], status: string, errorCode: number | null = null) =>
  rows.filter((r) => r.status === status && r.errorCode === errorCode).length;

describe('the daily limit (5 per phone and group in 24 h)', () => {
  let pair: VkTestPair;
  before(async () => {
    pair = await startVkPair({
      provider: { script: 'none', dailyLimit: 0 },
      config: (config) => void config.vk.senders.push(providerSender({ senderName: SECOND_SENDER })),
    });
  });
  after(() => pair?.close());

  test('6 messages to one phone in one POST: 5 sent, the 6th unsent 613 with no provider item for it', async () => {
    const phone = '79030000001';
    const uuids = await pair.sendMany(Array.from({ length: 6 }, () => ({ destination: phone })));
    await pair.settle();
    const rows = await statuses(pair, uuids);
    assert.equal(count(rows, 'sent'), 5);
    assert.equal(count(rows, 'unsent', 613), 1);
    assert.equal(itemsTo(pair, phone).length, 5, 'no provider item for the refused one');
    const refused = uuids[rows.findIndex((r) => r.status === 'unsent')]!;
    assert.equal(pair.provider.sends.some((s) => s.callbackData === refused), false);
    assert.equal((await pair.message(refused)).price, null);
  });

  test('one at a time: the 6th is 613; 24 h later the phone gets messages again', async () => {
    const phone = '79030000002';
    for (let i = 0; i < 5; i++) await pair.send(phone);
    await pair.settle();
    const sixth = await pair.send(phone);
    await pair.settle();
    assert.deepEqual(await statuses(pair, [sixth]), [{ status: 'unsent', errorCode: 613 }]);
    pair.clock.advance(DAY_MS + 1_000);
    const later = await pair.send(phone);
    await pair.settle();
    assert.equal((await pair.message(later)).status, 'sent');
    assert.equal(itemsTo(pair, phone).length, 6);
  });

  test('the limit is per group: another sender may still send to that phone', async () => {
    const phone = '79030000003';
    await pair.sendMany(Array.from({ length: 5 }, () => ({ destination: phone })));
    await pair.settle();
    const [other] = await pair.sendMany([{ destination: phone, senderName: SECOND_SENDER }]);
    const [same] = await pair.sendMany([{ destination: phone }]);
    await pair.settle();
    assert.equal((await pair.message(other!)).status, 'sent');
    assert.equal((await pair.message(same!)).errorCode, 613);
  });

  test('a provider refusal (not_vk_user) gives its slot back: 5 more go after it', async () => {
    const phone = '79030000004';
    pair.provider.failFor(phone, 'not_vk_user');
    const refused = await pair.send(phone);
    await pair.settle();
    pair.provider.clearFailFor(phone);
    assert.equal((await pair.message(refused)).errorCode, 612);
    const uuids = await pair.sendMany(Array.from({ length: 5 }, () => ({ destination: phone })));
    await pair.settle();
    assert.equal(count(await statuses(pair, uuids), 'sent'), 5, 'the refused item was not counted');
  });

  test('a provider daily_limit keeps its slot (the subscriber\'s day is used up): only 4 more go', async () => {
    const phone = '79030000005';
    pair.provider.failFor(phone, 'daily_limit');
    const refused = await pair.send(phone);
    await pair.settle();
    pair.provider.clearFailFor(phone);
    assert.equal((await pair.message(refused)).errorCode, 613);
    const uuids = await pair.sendMany(Array.from({ length: 5 }, () => ({ destination: phone })));
    await pair.settle();
    const rows = await statuses(pair, uuids);
    assert.equal(count(rows, 'sent'), 4);
    assert.equal(count(rows, 'unsent', 613), 1);
  });

  test('a retried message counts once, however often it is sent again', async () => {
    const phone = '79030000006';
    pair.provider.failFor(phone, 'rate_limited');
    const first = await pair.send(phone);
    await pair.settle();
    pair.clock.advance(PAST_RETRY_MS);
    await pair.settle();
    pair.provider.clearFailFor(phone);
    pair.clock.advance(PAST_RETRY_MS);
    await pair.settle();
    assert.equal((await pair.message(first)).status, 'sent');
    assert.equal(itemsTo(pair, phone).length, 3, 'sent three times');
    const uuids = await pair.sendMany(Array.from({ length: 5 }, () => ({ destination: phone })));
    await pair.settle();
    const rows = await statuses(pair, uuids);
    assert.equal(count(rows, 'sent'), 4, 'first + 4 = 5');
    assert.equal(count(rows, 'unsent', 613), 1);
  });
});

describe('the daily limit across a restart (counted in the database)', () => {
  let dir: string;
  before(() => void (dir = mkdtempSync(join(tmpdir(), 'dgw-vk-limit-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('5 sent, the gateway closed and opened on the same SQLite file: the 6th is still 613; 24 h later it goes', async () => {
    const database = join(dir, 'gateway.db');
    const phone = '79030100001';
    const first = await startVkPair({ database, provider: { script: 'none', dailyLimit: 0 } });
    try {
      const uuids = await first.sendMany(Array.from({ length: 5 }, () => ({ destination: phone })));
      await first.settle();
      assert.equal(count(await statuses(first, uuids), 'sent'), 5);
    } finally {
      await first.close();
    }
    const second = await startVkPair({ database, provider: { script: 'none', dailyLimit: 0 } });
    try {
      const sixth = await second.send(phone);
      await second.settle();
      assert.deepEqual(await statuses(second, [sixth]), [{ status: 'unsent', errorCode: 613 }]);
      assert.equal(itemsTo(second, phone).length, 0, 'no request from the new process');
      second.clock.advance(DAY_MS + 1_000);
      const later = await second.send(phone);
      await second.settle();
      assert.equal((await second.message(later)).status, 'sent');
    } finally {
      await second.close();
    }
  });
});

describe('pacing: throughput 50 per group', () => {
  let pair: VkTestPair;
  before(async () => {
    pair = await startVkPair({
      provider: { script: 'delivered', batchCallbacks: true, dailyLimit: 0, groupRatePerSecond: 50 },
      config: (config) => void (config.vk.senders = [providerSender({ throughput: 50 })]),
    });
  });
  after(() => pair?.close());

  test('120 messages: at most 50 per second leave, the provider never answers rate_limited, all delivered', async () => {
    const uuids = await pair.sendMany(Array.from({ length: 120 }, (_, i) => ({ destination: String(79030200000 + i) })));
    for (let window = 0; window < 6; window++) {
      await pair.settle();
      if (pair.provider.sends.length === 120) break;
      // The pacer counts at the gateway's clock, the provider in real time: both move on a window.
      pair.clock.advance(1_200);
      await sleep(1_100);
    }
    await pair.settle();
    const rateLimited = pair.provider.requests.flatMap((r) => ((r.response as any)?.messages ?? []).filter((m: any) => m?.error?.code === 'rate_limited'));
    assert.equal(rateLimited.length, 0, 'never rate_limited');
    assert.ok(pair.provider.batchSizes.every((n) => n <= 50), `batches ${pair.provider.batchSizes}`);
    assert.equal(pair.provider.sends.length, 120);
    assert.ok(pair.provider.batchSizes.length >= 3, `at least 3 windows: ${pair.provider.batchSizes}`);
    const rows = await statuses(pair, uuids);
    assert.equal(count(rows, 'delivered'), 120, JSON.stringify(rows.filter((r) => r.status !== 'delivered').slice(0, 3)));
  });
});
