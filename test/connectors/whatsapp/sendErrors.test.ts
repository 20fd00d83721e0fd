/**
 * WHATSAPP over real HTTP to the Cloud API stand-in: what each of the platform's error codes does to a message
 * (spec §13, codes 610–615; README "WhatsApp"), both ways an error comes — the send answered with an error body
 * (sync) and a 200 followed by a `failed` status webhook (async) — and the transient ones (throttling, 5xx, no
 * answer), which keep the message `sending` until a later round, within its lifetime (§5.7: else `unsent` 605).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call } from '../../support/gateway.js';
import { resumedWaiting } from '../../../src/connectors/senderBreaker.js';
import { startWhatsAppPair, WA, type WhatsAppTestPair } from '../../support/whatsappGateway.js';

let pair: WhatsAppTestPair;
before(async () => {
  pair = await startWhatsAppPair();
});
after(() => pair.close());

const TEMPLATE = { contentType: 'template', templateId: 'order_shipped', language: 'en_US', parameters: ['42', '2026-12-04'] };
/** Every POST to /messages for this subscriber, answered or not. */
const callsTo = (digits: string) => pair.wa.requests.filter((r) => r.method === 'POST' && (r.body as any)?.to === `+${digits}`);
/** The retry time of the connector after a transient error, plus a margin. */
const PAST_RETRY_MS = 5_001;

async function timelineStatuses(uuid: string): Promise<string[]> {
  const answer = await call(pair.gateway, 'GET', `/api/v1/message/${uuid}/events`, { auth: pair.auth });
  assert.equal(answer.status, 200);
  return (answer.body as { detail: { statuses?: string[] } | null }[]).flatMap((e) => e.detail?.statuses ?? []);
}

type Final = { status: 'unsent' | 'undelivered'; errorCode: number };
const FINAL_ROWS: { code: number; sync: Final; async: Final }[] = [
  { code: 131047, sync: { status: 'unsent', errorCode: 610 }, async: { status: 'undelivered', errorCode: 610 } },
  { code: 470, sync: { status: 'unsent', errorCode: 610 }, async: { status: 'undelivered', errorCode: 610 } },
  { code: 132000, sync: { status: 'unsent', errorCode: 611 }, async: { status: 'undelivered', errorCode: 611 } },
  { code: 132001, sync: { status: 'unsent', errorCode: 611 }, async: { status: 'undelivered', errorCode: 611 } },
  { code: 132012, sync: { status: 'unsent', errorCode: 611 }, async: { status: 'undelivered', errorCode: 611 } },
  { code: 132015, sync: { status: 'unsent', errorCode: 611 }, async: { status: 'undelivered', errorCode: 611 } },
  { code: 131026, sync: { status: 'undelivered', errorCode: 612 }, async: { status: 'undelivered', errorCode: 612 } },
  { code: 131049, sync: { status: 'unsent', errorCode: 613 }, async: { status: 'undelivered', errorCode: 613 } },
  { code: 131050, sync: { status: 'unsent', errorCode: 613 }, async: { status: 'undelivered', errorCode: 613 } },
  { code: 130497, sync: { status: 'undelivered', errorCode: 615 }, async: { status: 'undelivered', errorCode: 615 } },
];

for (const [i, row] of FINAL_ROWS.entries()) {
  test(`${row.code} answered to the send (sync): ${row.sync.status} ${row.sync.errorCode}, one call`, async () => {
    const digits = `790020001${String(i).padStart(2, '0')}`;
    pair.wa.failFor(digits, row.code, { mode: 'sync' });
    const uuid = await pair.send(digits, TEMPLATE);
    await pair.settle();
    const message = await pair.message(uuid);
    assert.equal(message.status, row.sync.status);
    assert.equal(message.errorCode, row.sync.errorCode);
    assert.equal(callsTo(digits).length, 1, 'one call, no retry');
    assert.ok(Number(callsTo(digits)[0]!.status) >= 400, 'answered with an error');
    if (row.sync.status === 'unsent') {
      assert.equal(message.price, null, 'an unsent message is never priced');
      assert.equal(message.sentTime, null);
    } else {
      // The platform took it and said at once it cannot be delivered: sent at no price, then undelivered.
      assert.notEqual(message.sentTime, null);
      assert.equal(message.price?.totalPrice, 0);
      assert.equal(message.price?.final, true);
      const statuses = await timelineStatuses(uuid);
      assert.ok(statuses.indexOf('sent') >= 0 && statuses.indexOf('sent') < statuses.indexOf('undelivered'), `timeline ${statuses}`);
    }
    assert.deepEqual(await pair.gateway.store.whatsapp.pausedSenders(), [], 'not a sender error: nothing paused');
    pair.wa.clearFailFor(digits);
  });

  test(`${row.code} in a failed status webhook (async): ${row.async.status} ${row.async.errorCode}, price 0 final`, async () => {
    const digits = `790020002${String(i).padStart(2, '0')}`;
    pair.wa.failFor(digits, row.code, { mode: 'async' });
    const uuid = await pair.send(digits, TEMPLATE);
    await pair.settle();
    const message = await pair.message(uuid);
    assert.equal(message.status, row.async.status);
    assert.equal(message.errorCode, row.async.errorCode);
    assert.notEqual(message.sentTime, null, 'the platform took it: it was sent');
    assert.equal(message.price?.totalPrice, 0, 'a failed message costs nothing');
    assert.equal(message.price?.final, true);
    assert.equal(callsTo(digits).length, 1);
    assert.equal(callsTo(digits)[0]!.status, 200);
    pair.wa.clearFailFor(digits);
  });
}

const SENDER_CODES = [0, 3, 10, 190, 200, 299, 368, 131031];
for (const [i, code] of SENDER_CODES.entries()) {
  test(`${code} answered to the send: unsent 614, one call, and the sender is paused`, async () => {
    const digits = `790020003${String(i).padStart(2, '0')}`;
    pair.wa.failFor(digits, code, { mode: 'sync' });
    const uuid = await pair.send(digits, TEMPLATE);
    await pair.settle();
    const message = await pair.message(uuid);
    assert.equal(message.status, 'unsent');
    assert.equal(message.errorCode, 614);
    assert.equal(message.price, null);
    assert.equal(callsTo(digits).length, 1);
    const paused = await pair.gateway.store.whatsapp.pausedSenders();
    assert.deepEqual(paused.map((p) => p.senderName), [WA.senderName]);
    assert.match(paused[0]!.reason, new RegExp(`code ${code}\\b`));
    // Back to normal for the next tests: resumed, and the breaker reads the pauses again (every 2 s).
    pair.wa.clearFailFor(digits);
    assert.equal(await pair.gateway.store.whatsapp.resumeSender(WA.senderName, resumedWaiting(pair.clock.now())), true);
    pair.clock.advance(3_000);
  });
}

/** How a transient failure is arranged for the next call to this subscriber, and undone. */
const TRANSIENT_ROWS: { name: string; arrange(digits: string): void }[] = [
  ...[130429, 131057, 4, 80007, 131000].map((code) => ({ name: `code ${code}`, arrange: (digits: string) => pair.wa.failFor(digits, code) })),
  { name: 'HTTP 500 with a Meta body (code 1)', arrange: () => pair.wa.failNext(1, { http: 500 }) },
  { name: 'HTTP 500 with an HTML page', arrange: () => pair.wa.rawNext(500, '<html><body>502 Bad Gateway</body></html>') },
  { name: 'HTTP 503 with an empty body', arrange: () => pair.wa.rawNext(503, '') },
];

for (const [i, row] of TRANSIENT_ROWS.entries()) {
  test(`${row.name}: the message stays sending, and is sent on a later round`, async () => {
    const digits = `790020004${String(i).padStart(2, '0')}`;
    row.arrange(digits);
    const uuid = await pair.send(digits, TEMPLATE);
    await pair.settle();
    let message = await pair.message(uuid);
    assert.equal(message.status, 'sending');
    assert.equal(message.errorCode, null);
    assert.equal(message.price, null);
    assert.equal(callsTo(digits).length, 1);
    await pair.settle();
    assert.equal(callsTo(digits).length, 1, 'not before its retry time');

    pair.wa.clearFailFor(digits);
    pair.clock.advance(PAST_RETRY_MS);
    await pair.settle();
    message = await pair.message(uuid);
    assert.equal(message.status, 'delivered');
    assert.equal(message.price?.totalPrice, 1.2);
    assert.equal(callsTo(digits).length, 2);
  });
}

test('no answer within whatsapp.requestTimeoutMs: the message stays sending, and is sent on a later round', async () => {
  const digits = '79002000500';
  pair.wa.hangNext(1);
  const uuid = await pair.send(digits, TEMPLATE);
  await pair.settle();
  assert.equal((await pair.message(uuid)).status, 'sending');
  assert.equal(callsTo(digits).length, 1);
  assert.equal(callsTo(digits)[0]!.status, 'hang');

  pair.clock.advance(PAST_RETRY_MS);
  await pair.settle();
  const message = await pair.message(uuid);
  assert.equal(message.status, 'delivered');
  assert.equal(callsTo(digits).length, 2);
});

test('a message retried past its lifetime ends unsent 605, never priced', async () => {
  const digits = '79002000501';
  pair.wa.failFor(digits, 130429);
  const uuid = await pair.send(digits, TEMPLATE, { ttl: 60 });
  await pair.settle();
  assert.equal((await pair.message(uuid)).status, 'sending');
  pair.clock.advance(PAST_RETRY_MS);
  await pair.settle();
  assert.equal((await pair.message(uuid)).status, 'sending');
  assert.equal(callsTo(digits).length, 2);

  pair.clock.advance(60_000);
  await pair.settle();
  const message = await pair.message(uuid);
  assert.equal(message.status, 'unsent');
  assert.equal(message.errorCode, 605);
  assert.equal(message.price, null);
  assert.ok(callsTo(digits).length <= 3, `calls: ${callsTo(digits).length}`);
  pair.wa.clearFailFor(digits);
  pair.clock.advance(PAST_RETRY_MS);
  await pair.settle();
  assert.equal((await pair.message(uuid)).status, 'unsent', 'final: never sent after its lifetime');
  assert.equal(pair.wa.sends.filter((s) => s.bizOpaqueCallbackData === uuid).length, 0);
});
