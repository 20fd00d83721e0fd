/** POST /api/v1/message/stop over real HTTP (spec §9). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { call, startGateway, type TestGateway } from '../support/gateway.js';
import { APPROVED_SENDERS, JSON_CONTENT_TYPE, balance, getMessage, isoSeconds, sendOk, sms, stop, uniqueName, vk, voicecode } from '../support/http.js';

let gateway: TestGateway;
before(async () => {
  gateway = await startGateway();
});
after(() => gateway.close());

const newAccount = (options: Parameters<TestGateway['account']>[1] = {}) =>
  gateway.account(uniqueName('stop'), { senders: APPROVED_SENDERS, ...options });

describe('stopping (§9)', () => {
  it('a sending message → 200; it becomes unsent with errorCode 606 and statusTime set; the reservation is refunded', async () => {
    const { auth } = await newAccount();
    const createdAt = gateway.clock.now();
    const [uuid] = await sendOk(gateway, auth, [voicecode()]);
    assert.deepEqual(await balance(gateway, auth), { RUB: 1000 - gateway.config.prices.VOICECODE / 10_000 });
    gateway.clock.advance(90_500);
    const stoppedAt = gateway.clock.now();
    const response = await stop(gateway, auth, { uuids: [uuid] });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
    assert.deepEqual(response.body, { errors: false, items: [{ messageUuid: uuid, code: 200 }] });
    const message = (await getMessage(gateway, auth, uuid!)).body;
    assert.equal(message.status, 'unsent');
    assert.equal(message.errorCode, 606);
    assert.equal(message.statusTime, isoSeconds(stoppedAt));
    assert.equal(message.createdTime, isoSeconds(createdAt));
    assert.notEqual(message.statusTime, message.createdTime);
    assert.equal(message.sentTime, null);
    assert.equal(message.price, null, 'never handed off: never priced');
    assert.deepEqual(await balance(gateway, auth), { RUB: 1000 });
  });

  it('an already unsent message → 200 again; nothing changes and nothing is refunded twice', async () => {
    const { auth } = await newAccount();
    const [uuid, other] = await sendOk(gateway, auth, [sms(), sms()]);
    await stop(gateway, auth, { uuids: [uuid] });
    const first = (await getMessage(gateway, auth, uuid!)).body;
    const afterFirst = await balance(gateway, auth);
    gateway.clock.advance(10_000);
    const again = await stop(gateway, auth, { uuids: [uuid] });
    assert.deepEqual(again.body, { errors: false, items: [{ messageUuid: uuid, code: 200 }] });
    assert.deepEqual((await getMessage(gateway, auth, uuid!)).body, first, 'statusTime is not moved');
    assert.deepEqual(await balance(gateway, auth), afterFirst);
    assert.equal((await getMessage(gateway, auth, other!)).body.status, 'sending');
  });

  it('every channel can be stopped while sending', async () => {
    const { auth } = await newAccount({ billing: false });
    const uuids = await sendOk(gateway, auth, [
      voicecode(),
      { channelType: 'FLASHCALL', senderName: 's', destination: '14085553911', content: '0000' },
      sms(),
      { channelType: 'WHATSAPP', senderName: 'wa_sender', destination: '79261234567', content: { contentType: 'text', text: 'x' } },
      vk(),
    ]);
    const response = await stop(gateway, auth, { uuids });
    assert.deepEqual(
      response.body.items.map((i: any) => i.code),
      [200, 200, 200, 200, 200],
    );
    for (const uuid of uuids) assert.equal((await getMessage(gateway, auth, uuid)).body.errorCode, 606);
  });

  it('an uppercase uuid is matched case-insensitively', async () => {
    const { auth } = await newAccount();
    const [uuid] = await sendOk(gateway, auth, [vk()]);
    const response = await stop(gateway, auth, { uuids: [uuid!.toUpperCase()] });
    assert.equal(response.body.items[0].code, 200);
    assert.equal(response.body.errors, false);
    assert.equal((await getMessage(gateway, auth, uuid!)).body.status, 'unsent');
  });
});

describe('404 (§9)', () => {
  it('an unknown uuid, a string that is not a UUID, and another account’s message → 404; errors true', async () => {
    const { auth } = await newAccount();
    const other = await newAccount();
    const [theirs] = await sendOk(gateway, other.auth, [vk()]);
    const [mine] = await sendOk(gateway, auth, [vk()]);
    const unknown = randomUUID();
    const response = await stop(gateway, auth, { uuids: [unknown, 'not-a-uuid', '', theirs, mine] });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, {
      errors: true,
      items: [
        { messageUuid: unknown, code: 404 },
        { messageUuid: 'not-a-uuid', code: 404 },
        { messageUuid: '', code: 404 },
        { messageUuid: theirs, code: 404 },
        { messageUuid: mine, code: 200 },
      ],
    });
    assert.equal((await getMessage(gateway, other.auth, theirs!)).body.status, 'sending');
  });
});

describe('the response (§9)', () => {
  it('one item per element, in order; duplicates are repeated', async () => {
    const { auth } = await newAccount();
    const [a, b] = await sendOk(gateway, auth, [vk(), vk()]);
    const unknown = randomUUID();
    const uuids = [b, a, b, unknown, a, b];
    const response = await stop(gateway, auth, { uuids });
    assert.deepEqual(
      response.body.items.map((i: any) => i.messageUuid),
      uuids,
    );
    assert.deepEqual(
      response.body.items.map((i: any) => i.code),
      [200, 200, 200, 404, 200, 200],
    );
    assert.equal(response.body.errors, true);
    assert.deepEqual(await balance(gateway, auth), { RUB: 1000 }, 'each message refunded exactly once');
  });

  it('errors is false when every item is 200', async () => {
    const { auth } = await newAccount();
    const uuids = await sendOk(gateway, auth, [vk(), sms(), voicecode()]);
    const response = await stop(gateway, auth, { uuids: [...uuids, ...uuids] });
    assert.equal(response.body.errors, false);
    assert.equal(response.body.items.length, 6);
  });

  it('10000 entries are accepted', async () => {
    const { auth } = await newAccount();
    const [mine] = await sendOk(gateway, auth, [vk()]);
    const uuids = Array.from({ length: 10_000 }, (_, i) => (i === 9_999 ? mine! : randomUUID()));
    const response = await stop(gateway, auth, { uuids });
    assert.equal(response.status, 200, response.text.slice(0, 200));
    assert.equal(response.body.items.length, 10_000);
    assert.equal(response.body.errors, true);
    assert.deepEqual(response.body.items[9_999], { messageUuid: mine, code: 200 });
    assert.ok(response.body.items.slice(0, 9_999).every((i: any) => i.code === 404));
  });

  it('extra fields in the body are ignored', async () => {
    const { auth } = await newAccount();
    const [uuid] = await sendOk(gateway, auth, [vk()]);
    const response = await stop(gateway, auth, { uuids: [uuid], force: true, reason: 'x' });
    assert.equal(response.status, 200);
    assert.equal(response.body.items[0].code, 200);
  });
});

describe('request errors (§9)', () => {
  const invalidRequest = { error: { code: 4220, msg: 'Invalid request' } };
  const invalidUuids = { error: { code: 4220, msg: 'Invalid uuids' } };

  for (const [name, body] of [
    ['an array', [randomUUID()]],
    ['a string', 'x'],
    ['a number', 1],
    ['null', null],
    ['true', true],
  ] as const) {
    it(`a body that is ${name} → 422 Invalid request`, async () => {
      const { auth } = await newAccount();
      const response = await call(gateway, 'POST', '/api/v1/message/stop', {
        auth,
        rawBody: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(response.status, 422, response.text);
      assert.deepEqual(response.body, invalidRequest);
    });
  }

  for (const [name, body] of [
    ['uuids missing', {}],
    ['uuids null', { uuids: null }],
    ['uuids empty', { uuids: [] }],
    ['uuids a string', { uuids: '0190a000-0000-7000-8000-000000000000' }],
    ['uuids an object', { uuids: { 0: 'x' } }],
    ['a number element', { uuids: [randomUUID(), 7] }],
    ['a null element', { uuids: [null] }],
    ['an array element', { uuids: [[randomUUID()]] }],
    ['10001 entries', { uuids: Array.from({ length: 10_001 }, () => randomUUID()) }],
  ] as const) {
    it(`${name} → 422 Invalid uuids; nothing is stopped`, async () => {
      const { auth } = await newAccount();
      const [uuid] = await sendOk(gateway, auth, [vk()]);
      const withMine = JSON.parse(JSON.stringify(body).replace('0190a000-0000-7000-8000-000000000000', uuid!));
      if (Array.isArray(withMine.uuids) && withMine.uuids.length > 0 && typeof withMine.uuids[0] === 'string') withMine.uuids[0] = uuid;
      const response = await stop(gateway, auth, withMine);
      assert.equal(response.status, 422, response.text.slice(0, 200));
      assert.deepEqual(response.body, invalidUuids);
      assert.equal((await getMessage(gateway, auth, uuid!)).body.status, 'sending');
    });
  }

  it('malformed JSON → 400 Bad request', async () => {
    const { auth } = await newAccount();
    const response = await call(gateway, 'POST', '/api/v1/message/stop', { auth, rawBody: '{"uuids":[', headers: { 'content-type': 'application/json' } });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body, { error: { code: 4000, msg: 'Bad request' } });
  });
});

// 403, 202, "a 200 is never handed off" and the stopped message's callback need the delivery engine:
// they are in test/delivery/stop.test.ts.
