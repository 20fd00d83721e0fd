/**
 * The VK provider webhook door `/webhooks/vk/<profile>` (http/routes/vkWebhooks.ts, vk/signature.ts) over real
 * HTTP: a callback is taken only with the HMAC-SHA256 of its exact bytes under the profile's secret, an unknown
 * profile is 404, a signed body not shaped as the profile says is 400, and a profile's callbacks can never touch a
 * message another profile handed off. Two profiles (`notify`, `other`) on the same provider stand-in, with their
 * own secrets and senders.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call } from '../../support/gateway.js';
import { providerSender, startVkPair, VK, type VkTestPair } from '../../support/vkGateway.js';
import { providerSignature } from '../../support/vkProviderStandIn.js';
import { DEFAULT_FIELD_NAMES } from '../../../src/vk/providerProfile.js';
import { providerSendOf, timelineStatuses } from './vkHelpers.js';

const OTHER = { profile: 'other', secret: 'other-callback-secret', senderName: 'OtherVK' } as const;

let pair: VkTestPair;
let notifyUrl: string;
let otherUrl: string;
before(async () => {
  pair = await startVkPair({
    provider: { script: 'none', dailyLimit: 0 },
    config: (config) => {
      config.vk.providers[OTHER.profile] = {
        ...config.vk.providers[VK.profile]!,
        callbackSecret: OTHER.secret,
        fieldNames: { ...DEFAULT_FIELD_NAMES },
      };
      config.vk.senders.push(providerSender({ senderName: OTHER.senderName, provider: OTHER.profile }));
    },
  });
  notifyUrl = `${pair.gateway.url}/webhooks/vk/${VK.profile}`;
  otherUrl = `${pair.gateway.url}/webhooks/vk/${OTHER.profile}`;
});
after(() => pair?.close());

/** One message through `senderName`, handed off: its uuid and the provider's id. */
async function sent(phone: string, senderName: string = VK.senderName) {
  const [uuid] = await pair.sendMany([{ destination: phone, senderName }]);
  await pair.settle();
  const send = providerSendOf(pair, uuid!);
  assert.equal((await pair.message(uuid!)).status, 'sent');
  return { uuid: uuid!, id: send.id };
}

/** POSTs raw bytes with this X-Signature (undefined: none). */
async function post(url: string, raw: string, signature: string | undefined) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== undefined) headers['x-signature'] = signature;
  const response = await fetch(url, { method: 'POST', headers, body: raw });
  return { status: response.status, text: await response.text() };
}

async function unchanged(uuid: string, before: unknown) {
  await pair.settle();
  assert.deepEqual(await pair.message(uuid), before);
  assert.deepEqual(await timelineStatuses(pair, uuid), ['sent']);
}

test('no X-Signature: 401, nothing changes', async () => {
  const { uuid, id } = await sent('79013000001');
  const before = await pair.message(uuid);
  const answer = await pair.provider.emitStatus(pair.provider.statusFor(id, 'delivered'), { signature: null, retry: false });
  assert.equal(answer.status, 401);
  await unchanged(uuid, before);
});

test('a wrong X-Signature (well-formed hex, garbage, empty): 401, nothing changes', async () => {
  const { uuid, id } = await sent('79013000002');
  const before = await pair.message(uuid);
  for (const signature of ['0'.repeat(64), 'sha256=' + 'a'.repeat(64), 'not-a-signature', '']) {
    const answer = await pair.provider.emitStatus(pair.provider.statusFor(id, 'delivered'), { signature, retry: false });
    assert.equal(answer.status, 401, `signature ${JSON.stringify(signature)}`);
  }
  await unchanged(uuid, before);
});

test('signed with another secret (another profile\'s): 401, nothing changes', async () => {
  const { uuid, id } = await sent('79013000003');
  const before = await pair.message(uuid);
  for (const secret of ['not-the-secret', OTHER.secret]) {
    const answer = await pair.provider.emitStatus(pair.provider.statusFor(id, 'delivered'), { secret, retry: false });
    assert.equal(answer.status, 401);
  }
  await unchanged(uuid, before);
});

test('a tampered body (signature of another body): 401, nothing changes', async () => {
  const { uuid, id } = await sent('79013000004');
  const before = await pair.message(uuid);
  const signedRaw = JSON.stringify(pair.provider.statusFor(id, 'not_delivered', 'not_vk_user'));
  const tamperedRaw = JSON.stringify(pair.provider.statusFor(id, 'read'));
  const answer = await post(notifyUrl, tamperedRaw, providerSignature(VK.callbackSecret, signedRaw));
  assert.equal(answer.status, 401);
  // One byte appended to a signed body.
  const again = await post(notifyUrl, signedRaw + ' ', providerSignature(VK.callbackSecret, signedRaw));
  assert.equal(again.status, 401);
  await unchanged(uuid, before);
});

test('a valid signature over extra whitespace and reordered keys is accepted (the exact bytes are signed)', async () => {
  const a = await sent('79013000005');
  const b = await sent('79013000006');
  const eventA = pair.provider.statusFor(a.id, 'delivered');
  const spaced = JSON.stringify(eventA, null, 4) + '\n';
  assert.equal((await pair.provider.emitStatus(eventA, { rawBody: spaced, retry: false })).status, 200);
  const eventB = pair.provider.statusFor(b.id, 'read');
  const reordered = JSON.stringify(Object.fromEntries(Object.entries(eventB).reverse()));
  assert.equal((await pair.provider.emitStatus(eventB, { rawBody: reordered, retry: false })).status, 200);
  await pair.settle();
  assert.equal((await pair.message(a.uuid)).status, 'delivered');
  assert.equal((await pair.message(b.uuid)).status, 'read');
});

test('the signature with a sha256= prefix, or in upper case: accepted', async () => {
  const a = await sent('79013000007');
  const b = await sent('79013000008');
  const rawA = JSON.stringify(pair.provider.statusFor(a.id, 'delivered'));
  assert.equal((await post(notifyUrl, rawA, `sha256=${providerSignature(VK.callbackSecret, rawA)}`)).status, 200);
  const rawB = JSON.stringify(pair.provider.statusFor(b.id, 'delivered'));
  assert.equal((await post(notifyUrl, rawB, providerSignature(VK.callbackSecret, rawB).toUpperCase())).status, 200);
  await pair.settle();
  assert.equal((await pair.message(a.uuid)).status, 'delivered');
  assert.equal((await pair.message(b.uuid)).status, 'delivered');
});

test('an unknown profile path: 404', async () => {
  const { uuid, id } = await sent('79013000009');
  const before = await pair.message(uuid);
  const raw = JSON.stringify(pair.provider.statusFor(id, 'delivered'));
  const answer = await post(`${pair.gateway.url}/webhooks/vk/nosuchprofile`, raw, providerSignature(VK.callbackSecret, raw));
  assert.equal(answer.status, 404);
  await unchanged(uuid, before);
});

test('signed, but not the profile\'s shape: 400, and nothing of the body applied', async () => {
  const { uuid, id } = await sent('79013000010');
  const before = await pair.message(uuid);
  const good = pair.provider.statusFor(id, 'delivered');
  const bodies = [
    '{"hello":"world"}',
    'not json at all',
    '[]',
    JSON.stringify({ ...good, time: 'yesterday' }),
    JSON.stringify({ ...good, status: 42 }),
    // One bad row spoils the batch: nothing of it is applied.
    JSON.stringify([good, { id: 'x' }]),
  ];
  for (const raw of bodies) {
    const answer = await post(notifyUrl, raw, providerSignature(VK.callbackSecret, raw));
    assert.equal(answer.status, 400, `${raw}: ${answer.text}`);
  }
  await unchanged(uuid, before);
});

test('profile isolation: a callback for B\'s message posted (signed) to A\'s path changes nothing; to B\'s path it applies', async () => {
  const { uuid, id } = await sent('79013000011', OTHER.senderName);
  const before = await pair.message(uuid);
  const event = pair.provider.statusFor(id, 'not_delivered', 'not_vk_user');
  // Signed with A's secret, to A's path: accepted (it is A's to sign), but the id is not A's.
  assert.equal((await pair.provider.emitStatus(event, { url: notifyUrl, retry: false })).status, 200);
  await unchanged(uuid, before);
  // B's secret at A's path: refused.
  assert.equal((await pair.provider.emitStatus(event, { url: notifyUrl, secret: OTHER.secret, retry: false })).status, 401);
  await unchanged(uuid, before);
  // A's secret at B's path: refused.
  assert.equal((await pair.provider.emitStatus(event, { url: otherUrl, retry: false })).status, 401);
  await unchanged(uuid, before);
  // B's own callback: applied.
  assert.equal((await pair.provider.emitStatus(pair.provider.statusFor(id, 'delivered'), { url: otherUrl, secret: OTHER.secret, retry: false })).status, 200);
  await pair.settle();
  assert.equal((await pair.message(uuid)).status, 'delivered');
});

test('profile isolation the other way: A\'s message is not touched by a callback at B\'s path', async () => {
  const { uuid, id } = await sent('79013000012');
  const before = await pair.message(uuid);
  const event = pair.provider.statusFor(id, 'read');
  assert.equal((await pair.provider.emitStatus(event, { url: otherUrl, secret: OTHER.secret, retry: false })).status, 200);
  await unchanged(uuid, before);
});

test('the webhook door needs no API key, and refuses a GET', async () => {
  const answer = await call(pair.gateway, 'GET', `/webhooks/vk/${VK.profile}`);
  assert.ok(answer.status === 404 || answer.status === 405, `GET answered ${answer.status}`);
});
