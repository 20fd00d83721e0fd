/**
 * The circuit breaker of WhatsApp senders over real HTTP (spec §13 code 614; README "Circuit breaker"): a
 * credentials or account error pauses the sender, its other messages wait with no call made, and the pause ends by
 * `resumeSender` (the CLI's `whatsapp senders resume`, seen by the node within its 2 s refresh) or by one probe
 * message after `whatsapp.pauseProbeMs` that goes through. Two pairs: without probes, and with a 10 s probe.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resumedWaiting } from '../../../src/connectors/senderBreaker.js';
import { startWhatsAppPair, WA, type WhatsAppTestPair } from '../../support/whatsappGateway.js';

let plain: WhatsAppTestPair;
let probing: WhatsAppTestPair;
const PROBE_MS = 10_000;
before(async () => {
  [plain, probing] = await Promise.all([
    startWhatsAppPair({ config: (config) => void (config.whatsapp.pauseProbeMs = 0) }),
    startWhatsAppPair({ config: (config) => void (config.whatsapp.pauseProbeMs = PROBE_MS) }),
  ]);
});
after(async () => {
  await plain?.close();
  await probing?.close();
});

const TEMPLATE = { contentType: 'template', templateId: 'order_shipped', language: 'en_US', parameters: ['42', '2026-12-04'] };
const callsTo = (pair: WhatsAppTestPair, digits: string) => pair.wa.requests.filter((r) => r.method === 'POST' && (r.body as any)?.to === `+${digits}`).length;
const statusOf = async (pair: WhatsAppTestPair, uuid: string) => (await pair.message(uuid)).status as string;
const pausedNames = async (pair: WhatsAppTestPair) => (await pair.gateway.store.whatsapp.pausedSenders()).map((p) => p.senderName);

/** A 190 on the send to `digits` trips the breaker; returns the refused message's uuid. */
async function trip(pair: WhatsAppTestPair, digits: string): Promise<string> {
  pair.wa.failFor(digits, 190);
  const uuid = await pair.send(digits, TEMPLATE);
  await pair.settle();
  pair.wa.clearFailFor(digits);
  const message = await pair.message(uuid);
  assert.equal(message.status, 'unsent');
  assert.equal(message.errorCode, 614);
  assert.equal(message.price, null);
  assert.equal(callsTo(pair, digits), 1);
  assert.deepEqual(await pausedNames(pair), [WA.senderName]);
  return uuid;
}

/** Leaves the pair unpaused and its breaker refreshed, whatever a test did. */
async function resumed(pair: WhatsAppTestPair) {
  await pair.gateway.store.whatsapp.resumeSender(WA.senderName, resumedWaiting(pair.clock.now()));
  pair.clock.advance(3_000);
  await pair.settle();
}

describe('whatsapp.pauseProbeMs 0: only a resume ends the pause', () => {
  test('190 pauses the sender: that message unsent 614; the next ones stay sending with no call, however long', async () => {
    await trip(plain, '79004000001');
    const waiting = [await plain.send('79004000002', TEMPLATE), await plain.send('79004000003', TEMPLATE)];
    await plain.settle();
    for (const uuid of waiting) assert.equal(await statusOf(plain, uuid), 'sending');
    assert.equal(callsTo(plain, '79004000002') + callsTo(plain, '79004000003'), 0, 'no call for a paused sender');

    // Past the breaker's 30 s look-again: still no call, no probe.
    plain.clock.advance(31_000);
    await plain.settle();
    plain.clock.advance(31_000);
    await plain.settle();
    for (const uuid of waiting) assert.equal(await statusOf(plain, uuid), 'sending');
    assert.equal(callsTo(plain, '79004000002') + callsTo(plain, '79004000003'), 0);
    const [pause] = await plain.gateway.store.whatsapp.pausedSenders();
    assert.match(pause!.reason, /HTTP 401 code 190/);

    // Resumed: after the 2 s refresh a new message goes at once, and the waiting ones with it.
    assert.equal(await plain.gateway.store.whatsapp.resumeSender(WA.senderName, resumedWaiting(plain.clock.now())), true);
    assert.deepEqual(await pausedNames(plain), []);
    plain.clock.advance(3_000);
    const fresh = await plain.send('79004000004', TEMPLATE);
    await plain.settle();
    assert.equal(await statusOf(plain, fresh), 'delivered');
    plain.clock.advance(30_000);
    await plain.settle();
    for (const uuid of waiting) assert.equal(await statusOf(plain, uuid), 'delivered');
    assert.equal(callsTo(plain, '79004000002'), 1);
    assert.equal(callsTo(plain, '79004000003'), 1);
  });

  test(
    'the messages waiting on a paused sender go within the 2 s refresh of a resume (README: "every node within 2 s")',
    async () => {
      try {
        await trip(plain, '79004000011');
        const waiting = await plain.send('79004000012', TEMPLATE);
        await plain.settle();
        assert.equal(callsTo(plain, '79004000012'), 0);
        assert.equal(await plain.gateway.store.whatsapp.resumeSender(WA.senderName, resumedWaiting(plain.clock.now())), true);
        plain.clock.advance(3_000);
        await plain.settle();
        assert.equal(await statusOf(plain, waiting), 'delivered');
      } finally {
        await resumed(plain);
        plain.clock.advance(30_000);
        await plain.settle();
      }
    },
  );

  test('an unknown code on a 4xx is unsent 614 without pausing the sender', async () => {
    const digits = '79004000021';
    plain.wa.failFor(digits, 100, { http: 400 });
    const uuid = await plain.send(digits, TEMPLATE);
    await plain.settle();
    plain.wa.clearFailFor(digits);
    const message = await plain.message(uuid);
    assert.equal(message.status, 'unsent');
    assert.equal(message.errorCode, 614);
    assert.deepEqual(await pausedNames(plain), []);
    const next = await plain.send('79004000022', TEMPLATE);
    await plain.settle();
    assert.equal(await statusOf(plain, next), 'delivered');
  });
});

describe('whatsapp.pauseProbeMs 10 s: one probe message, and a success resumes', () => {
  test('after pauseProbeMs one waiting message is sent as a probe; it goes through, the pause ends, the rest follow', async () => {
    await trip(probing, '79004000101');
    const digits = ['79004000102', '79004000103', '79004000104'];
    const waiting = [];
    for (const d of digits) waiting.push(await probing.send(d, TEMPLATE));
    await probing.settle();
    assert.equal(digits.reduce((n, d) => n + callsTo(probing, d), 0), 0);

    probing.clock.advance(PROBE_MS / 2);
    await probing.settle();
    assert.equal(digits.reduce((n, d) => n + callsTo(probing, d), 0), 0, 'no probe before pauseProbeMs');

    probing.clock.advance(PROBE_MS / 2 + 1);
    await probing.settle();
    assert.equal(digits.reduce((n, d) => n + callsTo(probing, d), 0), 1, 'exactly one probe');
    const statuses = await Promise.all(waiting.map((uuid) => statusOf(probing, uuid)));
    assert.deepEqual([...statuses].sort(), ['delivered', 'sending', 'sending']);
    assert.deepEqual(await pausedNames(probing), [], 'the probe went through: resumed');

    probing.clock.advance(PROBE_MS + 1);
    await probing.settle();
    for (const uuid of waiting) assert.equal(await statusOf(probing, uuid), 'delivered');
    for (const d of digits) assert.equal(callsTo(probing, d), 1);
  });

  test('a probe refused with 190 again is unsent 614 and the sender stays paused until the next probe', async () => {
    await trip(probing, '79004000111');
    const digits = ['79004000112', '79004000113'];
    const waiting = [];
    for (const d of digits) waiting.push(await probing.send(d, TEMPLATE));
    await probing.settle();

    probing.wa.failNext(190);
    probing.clock.advance(PROBE_MS + 1);
    await probing.settle();
    assert.equal(digits.reduce((n, d) => n + callsTo(probing, d), 0), 1, 'one probe');
    const statuses = await Promise.all(waiting.map((uuid) => probing.message(uuid)));
    assert.deepEqual(statuses.map((m) => `${m.status} ${m.errorCode}`).sort(), ['sending null', 'unsent 614']);
    assert.deepEqual(await pausedNames(probing), [WA.senderName]);

    probing.clock.advance(PROBE_MS / 2);
    await probing.settle();
    assert.equal(digits.reduce((n, d) => n + callsTo(probing, d), 0), 1, 'no second probe before pauseProbeMs');

    probing.clock.advance(PROBE_MS);
    await probing.settle();
    assert.equal(digits.reduce((n, d) => n + callsTo(probing, d), 0), 2);
    const last = statuses.find((m) => m.status === 'sending')!;
    assert.equal(await statusOf(probing, last.messageUuid), 'delivered');
    assert.deepEqual(await pausedNames(probing), []);
  });
});
