/**
 * VK communities over real HTTP to the community stand-in (README "VK", Communities; connectors/vk/
 * communityAdapter.ts, domain/vkOutcomes.ts communityErrorOutcome, vk/randomId.ts): one messages.send per message,
 * to the peer id (the destination itself, or the sender's `peers` entry), with a random_id that is the same on
 * every retry; each error code's outcome; and the Callback API at `/webhooks/vk/community` (confirmation, the
 * secret, event ids once, message_read up to an id).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomIdOf } from '../../../src/vk/randomId.js';
import { call } from '../../support/gateway.js';
import { communitySender, startVkPair, VK, type VkTestPair } from '../../support/vkGateway.js';
import { PAST_RETRY_MS, pausedNames, resume } from './vkHelpers.js';

let pair: VkTestPair;
before(async () => {
  pair = await startVkPair({
    config: (config) => {
      config.vk.pauseProbeMs = 0;
      config.vk.senders = [config.vk.senders[0]!, communitySender({ peers: { '79001234567': '123456' } })];
    },
  });
});
after(() => pair?.close());

/** One community message; its uuid. */
async function send(destination: string, content = 'Hello from the shop'): Promise<string> {
  const [uuid] = await pair.sendMany([{ destination, content, senderName: VK.communitySender }]);
  return uuid!;
}
const sendsTo = (peer: number) => pair.community.sends.filter((s) => s.peerId === peer);
const callsTo = (peer: string) => pair.community.requests.filter((r) => r.params.peer_id === peer);

test('destination = a peer id: one messages.send with peer_id, text and random_id = randomIdOf(uuid); sent', async () => {
  const uuid = await send('2000000001', 'Привет');
  await pair.settle();
  const [s] = sendsTo(2000000001);
  assert.ok(s);
  assert.equal(s.text, 'Привет');
  assert.equal(s.randomId, randomIdOf(uuid));
  assert.equal(callsTo('2000000001').length, 1);
  assert.equal(callsTo('2000000001')[0]!.headers.authorization, `Bearer ${VK.communityToken}`);
  const message = await pair.message(uuid);
  assert.equal(message.status, 'sent');
});

test('destination in the sender\'s peers map: sent to the mapped peer', async () => {
  const uuid = await send('79001234567');
  await pair.settle();
  assert.equal(sendsTo(123456).length, 1);
  assert.equal(callsTo('79001234567').length, 0);
  assert.equal(sendsTo(123456)[0]!.randomId, randomIdOf(uuid));
  assert.equal((await pair.message(uuid)).status, 'sent');
});

for (const code of [10, 6, 9, 29]) {
  test(`error ${code}: retried with the same random_id, then sent once`, async () => {
    const peer = `20000001${String(code).padStart(2, '0')}`;
    pair.community.failNext(1, code);
    const uuid = await send(peer);
    await pair.settle();
    assert.equal((await pair.message(uuid)).status, 'sending');
    pair.clock.advance(PAST_RETRY_MS);
    await pair.settle();
    assert.equal((await pair.message(uuid)).status, 'sent');
    const calls = callsTo(peer);
    assert.equal(calls.length, 2);
    assert.deepEqual(calls.map((c) => Number(c.params.random_id)), [randomIdOf(uuid), randomIdOf(uuid)]);
    assert.equal(sendsTo(Number(peer)).length, 1);
  });
}

for (const [i, block] of (['blockedPeer', 'noPermission', 'privacy'] as const).entries()) {
  test(`error ${900 + i} (${block}): undelivered 612, price 0`, async () => {
    const peer = 2000000200 + i;
    pair.community[block](peer);
    const uuid = await send(String(peer));
    await pair.settle();
    pair.community.clearPeer(peer);
    const message = await pair.message(uuid);
    assert.equal(message.status, 'undelivered');
    assert.equal(message.errorCode, 612);
    assert.equal(message.price?.totalPrice, 0);
    assert.equal(callsTo(String(peer)).length, 1);
  });
}

test('error 914: unsent 614, no pause', async () => {
  pair.community.failNext(1, 914);
  const uuid = await send('2000000301');
  await pair.settle();
  const message = await pair.message(uuid);
  assert.equal(message.status, 'unsent');
  assert.equal(message.errorCode, 614);
  assert.deepEqual(await pausedNames(pair), []);
});

test('error 5 (the token refused): unsent 614 and the community sender paused; a resume lets the next go', async () => {
  try {
    pair.community.failNext(1, 5);
    const uuid = await send('2000000401');
    await pair.settle();
    const message = await pair.message(uuid);
    assert.equal(message.status, 'unsent');
    assert.equal(message.errorCode, 614);
    assert.deepEqual(await pausedNames(pair), [VK.communitySender]);
    const waiting = await send('2000000402');
    await pair.settle();
    assert.equal((await pair.message(waiting)).status, 'sending');
    assert.equal(callsTo('2000000402').length, 0);
    await resume(pair, VK.communitySender);
    await pair.settle();
    pair.clock.advance(30_000);
    await pair.settle();
    assert.equal((await pair.message(waiting)).status, 'sent');
  } finally {
    await resume(pair, VK.communitySender);
  }
});

test('confirmation: answered with the community\'s code', async () => {
  assert.equal(await pair.community.confirm(), VK.confirmationCode);
});

test('message_read up to an id: that message and the earlier ones to that peer are read; another peer\'s are not', async () => {
  const a1 = await send('2000000501');
  await pair.settle();
  const a2 = await send('2000000501');
  await pair.settle();
  const a3 = await send('2000000501');
  const b1 = await send('2000000502');
  await pair.settle();
  const [s1, s2, s3] = sendsTo(2000000501);
  assert.ok(s1 && s2 && s3);
  const answer = await pair.community.emitRead(2000000501, s2.messageId);
  assert.equal(answer.status, 200);
  assert.equal(answer.body, 'ok');
  await pair.settle();
  assert.equal((await pair.message(a1)).status, 'read');
  assert.equal((await pair.message(a2)).status, 'read');
  assert.equal((await pair.message(a3)).status, 'sent', 'a later message is not read');
  assert.equal((await pair.message(b1)).status, 'sent', 'another peer is not read');

});

test('a wrong or missing secret: 401, nothing read', async () => {
  const uuid = await send('2000000601');
  await pair.settle();
  const [s] = sendsTo(2000000601);
  for (const secret of ['not-the-secret', null]) {
    const answer = await pair.community.emitRead(2000000601, s!.messageId, { secret, retry: false });
    assert.equal(answer.status, 401);
  }
  await pair.settle();
  assert.equal((await pair.message(uuid)).status, 'sent');
});

test('the same event_id twice: answered ok both times, applied once', async () => {
  const first = await send('2000000701');
  await pair.settle();
  const [s1] = sendsTo(2000000701);
  const eventId = 'evt-repeat-0001';
  assert.equal((await pair.community.emitRead(2000000701, s1!.messageId, { eventId, retry: false })).body, 'ok');
  await pair.settle();
  assert.equal((await pair.message(first)).status, 'read');
  // A later message, then the same event again (a resend): it must not read the new one.
  const second = await send('2000000701');
  await pair.settle();
  const [, s2] = sendsTo(2000000701);
  const again = await pair.community.emitEvent(
    'message_read',
    { from_id: 2000000701, peer_id: 2000000701, read_message_id: s2!.messageId, conversation_message_id: 2 },
    { eventId, retry: false },
  );
  assert.equal(again.status, 200);
  assert.equal(again.body, 'ok');
  await pair.settle();
  assert.equal((await pair.message(second)).status, 'sent', 'the repeated event id was not applied again');
});

test('an unknown group_id: 403; not an event: 400', async () => {
  const url = `/webhooks/vk/community`;
  const unknown = await call(pair.gateway, 'POST', url, { body: { type: 'message_read', group_id: 999, event_id: 'x', secret: VK.communitySecret, object: {} } });
  assert.equal(unknown.status, 403);
  const confirmUnknown = await call(pair.gateway, 'POST', url, { body: { type: 'confirmation', group_id: 999 } });
  assert.equal(confirmUnknown.status, 403);
  assert.notEqual(confirmUnknown.text, VK.confirmationCode);
  const junk = await call(pair.gateway, 'POST', url, { rawBody: 'nope', headers: { 'content-type': 'application/json' } });
  assert.equal(junk.status, 400);
});
