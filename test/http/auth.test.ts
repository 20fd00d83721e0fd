/** Authentication and authorization over real HTTP (spec §3.1, §3.2, §1). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeApiKey } from '../../src/auth/apiKeys.js';
import { call, startGateway, type TestGateway } from '../support/gateway.js';
import { JSON_CONTENT_TYPE, exampleKeyAccount, flashcall, rawRequest, sendOk, uniqueName, voicecode } from '../support/http.js';

const NOT_AUTHENTICATED = { error: { code: 4010, msg: 'Not Authenticated' } };
const BAD_CREDENTIALS = { error: { code: 4012, msg: 'Bad credentials' } };
const ACCESS_DENIED = { error: { code: 4030, msg: 'Access Denied' } };
const CHALLENGE = 'Basic realm="direct-api"';
const SOME_UUID = '01900000-0000-7000-8000-000000000000';

interface Endpoint {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  /** Key types the endpoint accepts (§1). */
  anyType: boolean;
}

/** Every endpoint of §1, with a body that is valid for it. */
const ENDPOINTS: Endpoint[] = [
  { name: 'POST /message', method: 'POST', path: '/api/v1/message', body: [voicecode()], anyType: false },
  { name: 'GET /message', method: 'GET', path: '/api/v1/message', anyType: false },
  { name: 'GET /message/{uuid}', method: 'GET', path: `/api/v1/message/${SOME_UUID}`, anyType: false },
  { name: 'POST /message/stop', method: 'POST', path: '/api/v1/message/stop', body: { uuids: [SOME_UUID] }, anyType: false },
  {
    name: 'POST /flashcall-conversion',
    method: 'POST',
    path: '/api/v1/flashcall-conversion',
    body: { messageUuid: SOME_UUID, result: 'NUMBER_VERIFIED' },
    anyType: false,
  },
  { name: 'GET /balance', method: 'GET', path: '/api/v1/balance', anyType: true },
  { name: 'GET /ping', method: 'GET', path: '/api/v1/ping', anyType: true },
];

let gateway: TestGateway;
/** Type-1 key of a normal account, its token (after `Basic `) and key id. */
let type1: { auth: string; accountId: number; token: string };

before(async () => {
  gateway = await startGateway();
  const account = await gateway.account(uniqueName('auth'));
  type1 = { ...account, token: account.auth.slice('Basic '.length) };
});
after(() => gateway.close());

function request(endpoint: Endpoint, authorization: string | undefined) {
  return call(gateway, endpoint.method, endpoint.path, {
    auth: authorization,
    body: endpoint.body,
  });
}

function decode(token: string): { keyId: string; secret: string } {
  const text = Buffer.from(token, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return { keyId: text.slice(0, colon), secret: text.slice(colon + 1) };
}

function assert401(response: Awaited<ReturnType<typeof call>>, body: unknown, label: string) {
  assert.equal(response.status, 401, `${label}: ${response.status} ${response.text}`);
  assert.deepEqual(response.body, body, label);
  assert.equal(response.headers.get('www-authenticate'), CHALLENGE, label);
  assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE, label);
}

describe('step 1: 401 4010 Not Authenticated, with WWW-Authenticate', () => {
  const malformed: [string, () => string | undefined][] = [
    ['a missing header', () => undefined],
    ['an empty header', () => ''],
    ['the wrong scheme (Token)', () => `Token ${type1.token}`],
    ['the wrong scheme (Digest)', () => `Digest ${type1.token}`],
    ['the scheme alone', () => 'Basic'],
    ['the scheme and a space', () => 'Basic '],
    ['no scheme at all', () => type1.token],
    ['credentials that are not base64', () => 'Basic !!!not-base64!!!'],
    ['credentials with a base64url character', () => `Basic ${type1.token.replace(/[+/]/g, '-')}-_`],
    ['base64 of a value with no colon', () => `Basic ${Buffer.from('Aladdin').toString('base64')}`],
    ['base64 of an empty value', () => 'Basic ='],
    ['Bearer (outside /flashcall-conversion)', () => `Bearer ${type1.token}`],
  ];
  for (const [label, header] of malformed) {
    it(`${label} → 4010 on every endpoint except where noted`, async () => {
      for (const endpoint of ENDPOINTS) {
        if (label.startsWith('Bearer') && endpoint.name === 'POST /flashcall-conversion') continue;
        assert401(await request(endpoint, header()), NOT_AUTHENTICATED, `${label} on ${endpoint.name}`);
      }
    });
  }
});

describe('step 2: 401 4012 Bad credentials', () => {
  it('an unknown keyId → 4012 on every endpoint', async () => {
    const header = `Basic ${encodeApiKey('nobody', 'secret')}`;
    for (const endpoint of ENDPOINTS) assert401(await request(endpoint, header), BAD_CREDENTIALS, endpoint.name);
  });

  it('a known keyId with a wrong secret → 4012 on every endpoint', async () => {
    const { keyId, secret } = decode(type1.token);
    for (const wrong of [`${secret}x`, secret.slice(0, -1), '', secret.toUpperCase() === secret ? secret.toLowerCase() : secret.toUpperCase()]) {
      const header = `Basic ${encodeApiKey(keyId, wrong)}`;
      for (const endpoint of ENDPOINTS) assert401(await request(endpoint, header), BAD_CREDENTIALS, `${endpoint.name} secret ${JSON.stringify(wrong)}`);
    }
  });

  it('a revoked key → 4012 on every endpoint; the key worked before', async () => {
    const account = await gateway.account(uniqueName('revoked'));
    assert.equal((await call(gateway, 'GET', '/api/v1/ping', { auth: account.auth })).status, 200);
    const [key] = await gateway.store.keys.listForAccount(account.accountId);
    assert.equal(await gateway.store.keys.revoke(key!.id, gateway.clock.now()), true);
    for (const endpoint of ENDPOINTS) assert401(await request(endpoint, account.auth), BAD_CREDENTIALS, endpoint.name);
  });

  it('a bad Bearer key on /flashcall-conversion → 4012', async () => {
    const endpoint = ENDPOINTS.find((e) => e.name === 'POST /flashcall-conversion')!;
    assert401(await request(endpoint, `Bearer ${encodeApiKey('nobody', 'secret')}`), BAD_CREDENTIALS, 'bearer');
  });
});

describe('step 3: 403 4030 Access Denied', () => {
  for (const type of [2, 3, 4] as const) {
    it(`a type-${type} key: 403 on the message endpoints, 200 on /balance and /ping`, async () => {
      const account = await gateway.account(uniqueName(`type${type}`), { keyType: type });
      for (const endpoint of ENDPOINTS) {
        const response = await request(endpoint, account.auth);
        if (endpoint.anyType) {
          assert.equal(response.status, 200, `${endpoint.name}: ${response.text}`);
        } else {
          assert.equal(response.status, 403, `${endpoint.name}: ${response.text}`);
          assert.deepEqual(response.body, ACCESS_DENIED);
          assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
          assert.equal(response.headers.get('www-authenticate'), null, '403 carries no challenge');
        }
      }
      const token = account.auth.slice('Basic '.length);
      const bearer = await call(gateway, 'POST', '/api/v1/flashcall-conversion', {
        auth: `Bearer ${token}`,
        body: { messageUuid: SOME_UUID, result: 'WRONG_CODE' },
      });
      assert.equal(bearer.status, 403);
      assert.deepEqual(bearer.body, ACCESS_DENIED);
    });
  }

  it('a type-2 key creates nothing on POST /message', async () => {
    const account = await gateway.account(uniqueName('type2-send'), { keyType: 2 });
    const response = await call(gateway, 'POST', '/api/v1/message', { auth: account.auth, body: [voicecode()] });
    assert.equal(response.status, 403);
    const balance = await call(gateway, 'GET', '/api/v1/balance', { auth: account.auth });
    assert.deepEqual(balance.body, { RUB: 1000 });
  });

  it('a type-1 key gets 200 on /balance and /ping', async () => {
    for (const path of ['/api/v1/balance', '/api/v1/ping']) {
      assert.equal((await call(gateway, 'GET', path, { auth: type1.auth })).status, 200);
    }
  });

  it('a suspended account → 403 on every endpoint, /ping and /balance included, for every key type', async () => {
    const one = await gateway.account(uniqueName('suspended'));
    const [uuid] = await sendOk(gateway, one.auth, [flashcall()]);
    await gateway.store.accounts.setSuspended(one.accountId, true);
    const endpoints: Endpoint[] = [
      ...ENDPOINTS,
      { name: 'GET own message', method: 'GET', path: `/api/v1/message/${uuid}`, anyType: false },
    ];
    for (const endpoint of endpoints) {
      const response = await request(endpoint, one.auth);
      assert.equal(response.status, 403, `${endpoint.name}: ${response.text}`);
      assert.deepEqual(response.body, ACCESS_DENIED);
    }
    const bearer = await call(gateway, 'POST', '/api/v1/flashcall-conversion', {
      auth: `Bearer ${one.auth.slice('Basic '.length)}`,
      body: { messageUuid: uuid, result: 'WRONG_CODE' },
    });
    assert.equal(bearer.status, 403);
    const four = await gateway.account(uniqueName('suspended4'), { keyType: 4 });
    await gateway.store.accounts.setSuspended(four.accountId, true);
    assert.equal((await call(gateway, 'GET', '/api/v1/ping', { auth: four.auth })).status, 403);
    assert.equal((await call(gateway, 'GET', '/api/v1/balance', { auth: four.auth })).status, 403);
    // A suspended account's message is not stopped by a request that was refused.
    await gateway.store.accounts.setSuspended(one.accountId, false);
    const message = await call(gateway, 'GET', `/api/v1/message/${uuid}`, { auth: one.auth });
    assert.equal(message.status, 200);
    assert.equal(message.body.status, 'sending');
  });
});

describe('accepted forms of the header (§3.2)', () => {
  it('missing base64 padding is tolerated', async () => {
    // A 17-char keyId, ':' and a 43-char secret: 61 bytes, so the token ends with '=='.
    assert.match(type1.token, /=$/, 'the harness token is padded');
    const unpadded = type1.token.replace(/=+$/, '');
    for (const endpoint of ENDPOINTS) {
      const response = await request(endpoint, `Basic ${unpadded}`);
      assert.notEqual(response.status, 401, `${endpoint.name}: ${response.text}`);
      assert.notEqual(response.status, 403, `${endpoint.name}: ${response.text}`);
    }
    const ping = await call(gateway, 'GET', '/api/v1/ping', { auth: `Basic ${unpadded}` });
    assert.deepEqual(ping.body, { status: 'ok' });
  });

  it('the example key without padding (QWxhZGRpbjpvcGVuIHNlc2FtZQ) decodes to Aladdin / open sesame', async () => {
    // Its own gateway: keyIds are unique per gateway.
    const own = await startGateway();
    try {
      await exampleKeyAccount(own);
      const padded = await call(own, 'GET', '/api/v1/ping', { auth: 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==' });
      assert.equal(padded.status, 200);
      const unpadded = await call(own, 'GET', '/api/v1/ping', { auth: 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ' });
      assert.equal(unpadded.status, 200, unpadded.text);
    } finally {
      await own.close();
    }
  });

  it('the scheme is case-insensitive', async () => {
    for (const scheme of ['basic', 'BASIC', 'bAsIc']) {
      for (const endpoint of ENDPOINTS) {
        const response = await request(endpoint, `${scheme} ${type1.token}`);
        assert.ok(response.status !== 401 && response.status !== 403, `${scheme} on ${endpoint.name}: ${response.status} ${response.text}`);
      }
    }
  });

  it('Bearer is accepted on /flashcall-conversion (any case), with the same key string', async () => {
    const [uuid] = await sendOk(gateway, type1.auth, [flashcall()]);
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const response = await call(gateway, 'POST', '/api/v1/flashcall-conversion', {
        auth: `${scheme} ${type1.token}`,
        body: { messageUuid: uuid, result: 'NUMBER_VERIFIED', code: '1234' },
      });
      assert.equal(response.status, 200, `${scheme}: ${response.text}`);
      assert.deepEqual(response.body, { status: 'ok' });
    }
  });

  it('Bearer fails at step 1 even with a valid key on every other endpoint', async () => {
    for (const endpoint of ENDPOINTS.filter((e) => e.name !== 'POST /flashcall-conversion')) {
      assert401(await request(endpoint, `Bearer ${type1.token}`), NOT_AUTHENTICATED, endpoint.name);
    }
  });

  it('a secret containing ":" is split at the first colon (keyIds contain no ":")', async () => {
    const { keyId } = decode(type1.token);
    const response = await call(gateway, 'GET', '/api/v1/ping', { auth: `Basic ${encodeApiKey(keyId, 'a:b')}` });
    assert401(response, BAD_CREDENTIALS, 'colon in secret');
  });
});

describe('authentication runs before the body is read (§3.2)', () => {
  const malformedBodies = ['[{', 'not json', '\u0000', '{"uuids":'];
  for (const path of ['/api/v1/message', '/api/v1/message/stop', '/api/v1/flashcall-conversion']) {
    it(`${path}: a malformed body without credentials gets 401 4010, not 400`, async () => {
      for (const body of malformedBodies) {
        const response = await call(gateway, 'POST', path, { rawBody: body, headers: { 'content-type': 'application/json' } });
        assert401(response, NOT_AUTHENTICATED, `${path} ${JSON.stringify(body)}`);
      }
    });
    it(`${path}: a malformed body with bad credentials gets 401 4012`, async () => {
      const response = await call(gateway, 'POST', path, {
        auth: `Basic ${encodeApiKey('nobody', 'x')}`,
        rawBody: '[{',
        headers: { 'content-type': 'application/json' },
      });
      assert401(response, BAD_CREDENTIALS, path);
    });
    it(`${path}: a malformed body with a type-2 key gets 403, not 400`, async () => {
      const account = await gateway.account(uniqueName('type2-body'), { keyType: 2 });
      const response = await call(gateway, 'POST', path, { auth: account.auth, rawBody: '[{', headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 403, response.text);
      assert.deepEqual(response.body, ACCESS_DENIED);
    });
  }

  it('non-UTF-8 bytes without credentials get 401', async () => {
    const response = await rawRequest(gateway, 'POST', '/api/v1/message', {
      headers: { 'content-type': 'application/json' },
      body: Buffer.from([0x5b, 0xff, 0xfe, 0x5d]),
    });
    assert.equal(response.status, 401);
    assert.deepEqual(response.body, NOT_AUTHENTICATED);
  });

  it('a too-large (17 MiB) body without credentials gets 401, not 413', async () => {
    const body = Buffer.alloc(17 * 1024 * 1024, 0x20);
    const response = await rawRequest(gateway, 'POST', '/api/v1/message', {
      headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
      body,
    });
    assert.equal(response.status, 401, response.text);
    assert.deepEqual(response.body, NOT_AUTHENTICATED);
    assert.equal(response.headers['www-authenticate'], CHALLENGE);
    const ping = await call(gateway, 'GET', '/api/v1/ping', { auth: type1.auth });
    assert.equal(ping.status, 200, 'the server is still up');
  });

  it('a too-large body with unknown credentials gets 401 4012', async () => {
    const body = Buffer.alloc(17 * 1024 * 1024, 0x20);
    const response = await rawRequest(gateway, 'POST', '/api/v1/message', {
      headers: { 'content-type': 'application/json', authorization: `Basic ${encodeApiKey('nobody', 'x')}` },
      body,
    });
    assert.equal(response.status, 401, response.text);
    assert.deepEqual(response.body, BAD_CREDENTIALS);
  });
});
