/**
 * VK through the provider with two nodes on one PostgreSQL database:
 * - the daily limit (vk.dailyLimit, 5 per phone and group in 24 h) is counted in the database for every node: ten
 *   messages to one phone, accepted half by node A and half by node B, both engines running rounds at once, give
 *   exactly five hand-offs and five `unsent` 613, and more rounds change nothing;
 * - the provider's callbacks reach node A only (its callback URL is set at the provider), yet a message node B
 *   handed off ends `delivered` on both nodes; the same signed callback posted again to node B changes nothing;
 * - the count survives a node's restart: node B closed, a new node on the same database refuses the eleventh.
 * The provider stand-in enforces no daily limit of its own here (dailyLimit 0): every refusal is the gateway's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GatewayConfig } from '../../src/config.js';
import { call, startGateway, type TestGateway } from '../support/gateway.js';
import { ManualClock } from '../support/manualClock.js';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from '../support/postgresDatabase.js';
import { providerProfile, providerSender, VK } from '../support/vkGateway.js';
import { providerSignature, startVkProviderStandIn, type VkProviderStandIn } from '../support/vkProviderStandIn.js';

const DAILY_LIMIT = 5;
const DAY_MS = 86_400_000;

describe('VK across two nodes on one PostgreSQL', { skip: SKIP_WITHOUT_POSTGRES, timeout: 60_000 }, () => {
  let provider: VkProviderStandIn;
  let nodeA: TestGateway;
  let nodeB: TestGateway;
  let nodeC: TestGateway | undefined;
  let configure: (config: GatewayConfig) => void;
  let auth: string;
  let drop = async (): Promise<void> => {};
  const clock = new ManualClock(Date.now());

  before(async () => {
    const database = await createTestDatabase('dgw_vk_nodes');
    drop = database.drop;
    // No limit at the stand-in: whatever is refused is refused by the gateway's own count.
    provider = await startVkProviderStandIn({ authValue: VK.authValue, callbackSecret: VK.callbackSecret, groupRatePerSecond: 0, dailyLimit: 0 });
    configure = (config) => {
      config.database = database.url;
      config.channels.VK.connector = 'vk';
      config.vk.requestTimeoutMs = 2_000;
      config.vk.dailyLimit = DAILY_LIMIT;
      config.vk.providers = { [VK.profile]: providerProfile(provider.baseUrl) };
      config.vk.senders = [providerSender()];
      // Small rounds: the two engines claim the ten messages between them, and race for the phone's slots.
      config.engine.batchSize = 2;
    };
    // One after the other: the first creates the schema, the second finds it.
    nodeA = await startGateway(configure, clock);
    nodeB = await startGateway(configure, clock);
    ({ auth } = await nodeA.account('vk-nodes', { senders: [{ channel: 'VK', name: VK.senderName }] }));
    // The provider's callback URL (set at the provider: callbackUrl null) points at node A only.
    provider.setCallbackUrl(`${nodeA.url}/webhooks/vk/${VK.profile}`);
  });
  after(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await nodeC?.close();
    await provider?.close();
    await drop();
  });

  const sendOn = async (node: TestGateway, destinations: string[]): Promise<string[]> => {
    const answer = await call(node, 'POST', '/api/v1/message', {
      auth,
      body: destinations.map((destination) => ({ channelType: 'VK', senderName: VK.senderName, destination, content: 'Your code is 1234' })),
    });
    assert.equal(answer.status, 200, answer.text);
    const uuids = (answer.body.items as any[]).map((item) => item.messageUuid as string);
    assert.equal(uuids.length, destinations.length);
    for (const uuid of uuids) assert.equal(typeof uuid, 'string');
    return uuids;
  };
  const messageOn = async (node: TestGateway, uuid: string): Promise<any> => {
    const answer = await call(node, 'GET', `/api/v1/message/${uuid}`, { auth });
    assert.equal(answer.status, 200, answer.text);
    return answer.body;
  };
  /** Both engines at once, the provider's callbacks answered, and again. */
  const settleTogether = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      await Promise.all([nodeA.settle(), nodeB.settle()]);
      await provider.idle();
    }
    await Promise.all([nodeA.settle(), nodeB.settle()]);
  };
  const sendsTo = (phone: string) => provider.sends.filter((s) => s.phone === phone);
  const itemsTo = (phone: string) => provider.requests.flatMap((r) => (((r.body as any)?.messages ?? []) as any[]).filter((m) => m?.phone === phone));

  const PHONE = '79040000001';
  let limited: string[] = [];

  test('the daily limit across two nodes: 10 messages to one phone, half through each, both engines at once: 5 handed off, 5 unsent 613', async () => {
    assert.equal(nodeA.config.vk.dailyLimit, DAILY_LIMIT);
    const throughA = await sendOn(nodeA, Array.from({ length: 5 }, () => PHONE));
    const throughB = await sendOn(nodeB, Array.from({ length: 5 }, () => PHONE));
    limited = [...throughA, ...throughB];
    await settleTogether();

    assert.equal(sendsTo(PHONE).length, DAILY_LIMIT, 'exactly the limit handed to the provider');
    assert.equal(itemsTo(PHONE).length, DAILY_LIMIT, 'and no refused item ever reached it');
    assert.equal(provider.duplicates, 0);
    const handed = new Set(sendsTo(PHONE).map((s) => s.callbackData));
    assert.equal(handed.size, DAILY_LIMIT);
    const statuses = { delivered: 0, refused: 0 };
    for (const uuid of limited) {
      const message = await messageOn(nodeB, uuid);
      if (handed.has(uuid)) {
        assert.equal(message.status, 'delivered', `${uuid} handed off`);
        statuses.delivered++;
      } else {
        assert.equal(message.status, 'unsent', `${uuid} over the limit`);
        assert.equal(message.errorCode, 613);
        assert.equal(message.price, null, 'an unsent message is never priced');
        statuses.refused++;
      }
    }
    assert.deepEqual(statuses, { delivered: 5, refused: 5 });
    assert.equal(await nodeA.store.vk.dailyCount(VK.senderName, PHONE, clock.now() - DAY_MS), DAILY_LIMIT);

    // More rounds of both, with time passing (retries, lease ends): nothing more goes out, nothing changes.
    const before = await Promise.all(limited.map((uuid) => messageOn(nodeA, uuid)));
    clock.advance(60_000);
    await settleTogether();
    assert.equal(sendsTo(PHONE).length, DAILY_LIMIT);
    assert.equal(itemsTo(PHONE).length, DAILY_LIMIT);
    assert.deepEqual(await Promise.all(limited.map((uuid) => messageOn(nodeA, uuid))), before);
    assert.equal(await nodeB.store.vk.dailyCount(VK.senderName, PHONE, clock.now() - DAY_MS), DAILY_LIMIT);
  });

  test('handed off by node B, its callbacks received by node A: delivered through either node; the same signed callback to B changes nothing', async () => {
    const phones = Array.from({ length: 4 }, (_, i) => `7904000010${i}`);
    const uuids = await sendOn(nodeB, phones);
    // Only B's engine runs until the hand-offs: they are B's.
    await nodeB.settle();
    await provider.idle();
    const sends = uuids.map((uuid) => provider.sends.filter((s) => s.callbackData === uuid));
    for (const s of sends) assert.equal(s.length, 1, 'every message handed off once');
    const callbacks = provider.callbackAttempts.filter((a) => uuids.some((u) => a.raw.includes(u)));
    assert.ok(callbacks.length >= 2 * uuids.length, `sent and delivered for each (${callbacks.length})`);
    for (const attempt of callbacks) {
      assert.ok(attempt.url.startsWith(nodeA.url), 'every callback went to node A');
      assert.equal(attempt.status, 200);
    }
    await Promise.all([nodeA.settle(), nodeB.settle()]);
    const delivered = new Map<string, any>();
    for (const uuid of uuids) {
      for (const node of [nodeA, nodeB]) {
        const message = await messageOn(node, uuid);
        assert.equal(message.status, 'delivered', `${uuid} on ${node === nodeA ? 'A' : 'B'}`);
        delivered.set(uuid, message);
      }
    }
    const balance = (await call(nodeA, 'GET', '/api/v1/balance', { auth })).body;

    // The provider retries wherever its URL's balancer sends it: the same signed callbacks, to node B this time.
    const urlB = `${nodeB.url}/webhooks/vk/${VK.profile}`;
    const first = sends[0]![0]!;
    const again = await provider.emitStatus(provider.statusFor(first.id, 'delivered'), { url: urlB, retry: false });
    assert.equal(again.status, 200);
    // And a late `sent`: statuses never go backwards.
    assert.equal((await provider.emitStatus(provider.statusFor(first.id, 'sent'), { url: urlB, retry: false })).status, 200);
    // Exactly the bytes node A got, signed by hand.
    for (const attempt of callbacks.filter((a) => a.raw.includes(uuids[1]!))) {
      const response = await fetch(urlB, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': providerSignature(VK.callbackSecret, attempt.raw) },
        body: attempt.raw,
      });
      assert.equal(response.status, 200, await response.text());
    }
    // A wrong signature is refused.
    const forged = await fetch(urlB, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': providerSignature('not-the-secret', callbacks[0]!.raw) },
      body: callbacks[0]!.raw,
    });
    assert.equal(forged.status, 401);
    await Promise.all([nodeA.settle(), nodeB.settle()]);
    for (const uuid of uuids) {
      for (const node of [nodeA, nodeB]) assert.deepEqual(await messageOn(node, uuid), delivered.get(uuid), `${uuid}: the repeats changed nothing`);
    }
    assert.deepEqual((await call(nodeB, 'GET', '/api/v1/balance', { auth })).body, balance, 'nor took anything more');
  });

  test('the daily limit across a restart: node B closed, a new node on the same database refuses the 11th message with 613', async () => {
    assert.equal(limited.length, 10, 'runs after the first test');
    await nodeB.close();
    nodeB = undefined as unknown as TestGateway;
    nodeC = await startGateway(configure, clock);
    const [eleventh] = await sendOn(nodeC, [PHONE]);
    await nodeC.settle();
    await provider.idle();
    await nodeC.settle();
    const message = await messageOn(nodeC, eleventh!);
    assert.equal(message.status, 'unsent');
    assert.equal(message.errorCode, 613);
    assert.equal(sendsTo(PHONE).length, DAILY_LIMIT, 'still five handed off');
    assert.equal(itemsTo(PHONE).length, DAILY_LIMIT);
    assert.equal(await nodeC.store.vk.dailyCount(VK.senderName, PHONE, clock.now() - DAY_MS), DAILY_LIMIT);
    // Node A agrees.
    assert.equal((await messageOn(nodeA, eleventh!)).errorCode, 613);
  });
});
