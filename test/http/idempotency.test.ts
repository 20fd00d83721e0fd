/** The Idempotency-Key header of POST /api/v1/message (spec §5.12). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateApiKey, hashSecret } from '../../src/auth/apiKeys.js';
import { call, startGateway, type TestGateway } from '../support/gateway.js';
import { JSON_CONTENT_TYPE, balance, countMessages, rawRequest, sms, uniqueName, vk, voicecode } from '../support/http.js';

const REUSED = { error: { code: 4090, msg: 'Idempotency key reused' } };
const HOUR = 3_600_000;

let gateway: TestGateway;
before(async () => {
  gateway = await startGateway();
});
after(() => gateway.close());

const newAccount = (options: Parameters<TestGateway['account']>[1] = {}) => gateway.account(uniqueName('idem'), options);

function post(auth: string, body: unknown, key?: string) {
  return call(gateway, 'POST', '/api/v1/message', {
    auth,
    rawBody: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
  });
}

describe('replay (§5.12)', () => {
  it('the same key and body → the identical response (same uuids); nothing is created or charged twice', async () => {
    const { auth } = await newAccount();
    const body = [voicecode(), vk()];
    const first = await post(auth, body, 'order-1');
    assert.equal(first.status, 200);
    const afterFirst = await balance(gateway, auth);
    const second = await post(auth, body, 'order-1');
    assert.equal(second.status, 200);
    assert.equal(second.text, first.text);
    assert.equal(second.headers.get('content-type'), JSON_CONTENT_TYPE);
    const third = await post(auth, body, 'order-1');
    assert.equal(third.text, first.text);
    assert.equal(await countMessages(gateway, auth), 2);
    assert.deepEqual(await balance(gateway, auth), afterFirst);
  });

  it('without a key, the same body twice creates twice', async () => {
    const { auth } = await newAccount();
    const body = [vk()];
    const first = await post(auth, body);
    const second = await post(auth, body);
    assert.notEqual(second.text, first.text);
    assert.equal(await countMessages(gateway, auth), 2);
  });

  it('a response with business rejections is replayed as it was, even after the account changed', async () => {
    const { auth, accountId } = await newAccount();
    await gateway.store.accounts.setChannelEnabled(accountId, 'VK', false);
    const body = [vk(), voicecode()];
    const first = await post(auth, body, 'mixed');
    assert.equal(first.body.errors, true);
    await gateway.store.accounts.setChannelEnabled(accountId, 'VK', true);
    const second = await post(auth, body, 'mixed');
    assert.equal(second.text, first.text);
    assert.equal(await countMessages(gateway, auth), 1);
  });

  it('a 422 response is stored and replayed too; the key then belongs to that body', async () => {
    const { auth } = await newAccount();
    const invalid = [voicecode({ destination: '123' })];
    const first = await post(auth, invalid, 'bad-batch');
    assert.equal(first.status, 422);
    const second = await post(auth, invalid, 'bad-batch');
    assert.equal(second.status, 422);
    assert.equal(second.text, first.text);
    const fixed = await post(auth, [voicecode()], 'bad-batch');
    assert.equal(fixed.status, 409);
    assert.deepEqual(fixed.body, REUSED);
    assert.equal(await countMessages(gateway, auth), 0);
  });

  it('an envelope 422 (empty array) is replayed too', async () => {
    const { auth } = await newAccount();
    const first = await post(auth, [], 'empty');
    assert.equal(first.status, 422);
    const second = await post(auth, [], 'empty');
    assert.equal(second.status, 422);
    assert.equal(second.text, first.text);
  });
});

describe('reuse with a different body (§5.12)', () => {
  it('→ 409 {"error":{"code":4090,"msg":"Idempotency key reused"}}; nothing created', async () => {
    const { auth } = await newAccount();
    const first = await post(auth, [vk()], 'k-409');
    assert.equal(first.status, 200);
    const other = await post(auth, [vk({ destination: '79990000000' })], 'k-409');
    assert.equal(other.status, 409);
    assert.equal(other.text, '{"error":{"code":4090,"msg":"Idempotency key reused"}}');
    assert.equal(other.headers.get('content-type'), JSON_CONTENT_TYPE);
    assert.equal(await countMessages(gateway, auth), 1);
    // The first body still replays.
    assert.equal((await post(auth, [vk()], 'k-409')).text, first.text);
  });

  it('keys are case-sensitive: "Key" and "key" are different keys', async () => {
    const { auth } = await newAccount();
    assert.equal((await post(auth, [vk()], 'Key')).status, 200);
    assert.equal((await post(auth, [sms()], 'key')).status, 200);
  });
});

describe('scope (§5.12)', () => {
  it('keys are scoped per account: the same key in two accounts creates in both', async () => {
    const a = await newAccount();
    const b = await newAccount();
    const body = [vk()];
    const fromA = await post(a.auth, body, 'shared-key');
    const fromB = await post(b.auth, body, 'shared-key');
    assert.equal(fromA.status, 200);
    assert.equal(fromB.status, 200);
    assert.notEqual(fromB.text, fromA.text);
    const otherBody = await post(b.auth, [voicecode()], 'shared-key-2');
    assert.equal(otherBody.status, 200);
    assert.equal((await post(a.auth, [vk({ destination: '79990000001' })], 'shared-key-2')).status, 200);
    assert.equal(await countMessages(gateway, a.auth), 2);
    assert.equal(await countMessages(gateway, b.auth), 2);
  });

  it('two keys of the same account share the key space', async () => {
    const a = await newAccount();
    const key = generateApiKey();
    await gateway.store.keys.create({ keyId: key.keyId, secretHash: hashSecret(key.secret), type: 1, accountId: a.accountId, trafficCenterId: 1 }, gateway.clock.now());
    const first = await post(a.auth, [vk()], 'per-account');
    const second = await post(`Basic ${key.token}`, [vk()], 'per-account');
    assert.equal(second.text, first.text);
    assert.equal(await countMessages(gateway, a.auth), 1);
  });
});

describe('requests rejected before processing do not store the key (§5.12)', () => {
  it('401: the key is still fresh afterwards', async () => {
    const { auth } = await newAccount();
    const refused = await call(gateway, 'POST', '/api/v1/message', { body: [vk()], headers: { 'idempotency-key': 'after-401' } });
    assert.equal(refused.status, 401);
    assert.equal((await post(auth, [voicecode()], 'after-401')).status, 200);
  });

  it('403 (suspended account): the key is still fresh afterwards', async () => {
    const { auth, accountId } = await newAccount();
    await gateway.store.accounts.setSuspended(accountId, true);
    assert.equal((await post(auth, [vk()], 'after-403')).status, 403);
    await gateway.store.accounts.setSuspended(accountId, false);
    const ok = await post(auth, [voicecode()], 'after-403');
    assert.equal(ok.status, 200);
    assert.equal(await countMessages(gateway, auth), 1);
  });

  it('400 (malformed JSON): the key is still fresh afterwards', async () => {
    const { auth } = await newAccount();
    assert.equal((await post(auth, '[{"channelType":', 'after-400')).status, 400);
    assert.equal((await post(auth, [vk()], 'after-400')).status, 200);
    assert.equal(await countMessages(gateway, auth), 1);
  });

  it('400 (non-UTF-8 body): the key is still fresh afterwards', async () => {
    const { auth } = await newAccount();
    const bad = await rawRequest(gateway, 'POST', '/api/v1/message', {
      headers: { authorization: auth, 'content-type': 'application/json', 'idempotency-key': 'after-400b' },
      body: Buffer.from([0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d]),
    });
    assert.equal(bad.status, 400);
    assert.equal((await post(auth, [vk()], 'after-400b')).status, 200);
  });

  it('413 (body over 16 MiB): the key is still fresh afterwards', async () => {
    const { auth } = await newAccount();
    const big = Buffer.alloc(16 * 1024 * 1024 + 1, 0x20);
    const tooLarge = await rawRequest(gateway, 'POST', '/api/v1/message', {
      headers: { authorization: auth, 'content-type': 'application/json', 'idempotency-key': 'after-413' },
      body: big,
    });
    assert.equal(tooLarge.status, 413);
    assert.equal((await post(auth, [vk()], 'after-413')).status, 200);
  });
});

describe('24 hours (§5.12)', () => {
  it('just under 24 h later the response is replayed; after 24 h the key is fresh', async () => {
    const { auth } = await newAccount();
    const original = gateway.clock.now();
    try {
      const body = [vk()];
      const first = await post(auth, body, 'day-key');
      gateway.clock.advance(24 * HOUR - 1000);
      assert.equal((await post(auth, body, 'day-key')).text, first.text);
      assert.equal((await post(auth, [sms()], 'day-key')).status, 409);
      gateway.clock.advance(2000);
      const later = await post(auth, body, 'day-key');
      assert.equal(later.status, 200);
      assert.notEqual(later.text, first.text, 'processed again: new uuids');
      assert.equal(await countMessages(gateway, auth), 2);
      // And the fresh use is itself replayed.
      assert.equal((await post(auth, body, 'day-key')).text, later.text);
    } finally {
      gateway.clock.set(original);
    }
  });

  it('after 24 h the same key may carry a different body', async () => {
    const { auth } = await newAccount();
    const original = gateway.clock.now();
    try {
      assert.equal((await post(auth, [vk()], 'day-key-2')).status, 200);
      gateway.clock.advance(24 * HOUR + 1000);
      assert.equal((await post(auth, [voicecode()], 'day-key-2')).status, 200);
    } finally {
      gateway.clock.set(original);
    }
  });
});

describe('concurrency (§5.12)', () => {
  it('concurrent requests with the same key and body create once and all get the same response', async () => {
    const { auth } = await newAccount({ billing: false });
    const body = Array.from({ length: 500 }, (_, i) => voicecode({ destination: String(14085550000 + i) }));
    const responses = await Promise.all(Array.from({ length: 5 }, () => post(auth, body, 'race')));
    for (const response of responses) {
      assert.equal(response.status, 200);
      assert.equal(response.text, responses[0]!.text);
    }
    assert.equal(await countMessages(gateway, auth), 500);
  });

  it('concurrent requests with the same key and different bodies: one is processed, the other gets 409', async () => {
    const { auth } = await newAccount({ billing: false });
    const big = Array.from({ length: 500 }, () => vk());
    const [a, b] = await Promise.all([post(auth, big, 'race-2'), post(auth, [voicecode()], 'race-2')]);
    assert.deepEqual([a.status, b.status].sort(), [200, 409]);
    const created = await countMessages(gateway, auth);
    assert.ok(created === 500 || created === 1, `created ${created}`);
  });
});

describe('an invalid key → 422 (§5.12: 1–255 printable ASCII characters)', () => {
  it('255 printable characters (space and ~ included) are a valid key', async () => {
    const { auth } = await newAccount();
    // Inner spaces only: a header value's leading and trailing whitespace is not part of it (RFC 9110).
    const key = 'a b~!' + 'k'.repeat(250);
    assert.equal(key.length, 255);
    const first = await post(auth, [vk()], key);
    assert.equal(first.status, 200, first.text);
    assert.equal((await post(auth, [vk()], key)).text, first.text);
  });

  const invalid: [string, string][] = [
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['a tab inside', 'a\tb'],
    ['a non-ASCII character', 'cl\u00e9'],
  ];
  for (const [name, key] of invalid) {
    it(`${name} → 422; nothing created`, async () => {
      const { auth } = await newAccount();
      const response = await rawRequest(gateway, 'POST', '/api/v1/message', {
        headers: { authorization: auth, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify([vk()]),
      });
      assert.equal(response.status, 422, response.text);
      assert.equal(response.body.error.code, 4220);
      assert.match(response.body.error.msg, /^Invalid /);
      assert.equal(response.body.error.details, undefined);
      assert.equal(await countMessages(gateway, auth), 0);
    });
  }
});
