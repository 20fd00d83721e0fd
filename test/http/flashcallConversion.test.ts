/** POST /api/v1/flashcall-conversion over real HTTP (spec §6.2.4): every row of its responses table. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { call, startGateway, type TestGateway } from '../support/gateway.js';
import { APPROVED_SENDERS, JSON_CONTENT_TYPE, flashcall, getMessage, sendOk, sms, stop, uniqueName, vk, voicecode, whatsapp } from '../support/http.js';
import { storedFlashcallConversion } from '../support/sqliteProbe.js';

const PATH = '/api/v1/flashcall-conversion';
const OK = { status: 'ok' };
const NOT_FOUND = { error: { code: 4040, msg: 'Not found' } };
const invalid = (msg: string) => ({ error: { code: 4220, msg } });

let gateway: TestGateway;
let auth: string;
let token: string;
before(async () => {
  gateway = await startGateway();
  ({ auth } = await gateway.account(uniqueName('fc'), { senders: APPROVED_SENDERS }));
  token = auth.slice('Basic '.length);
});
after(() => gateway.close());

function convert(body: unknown, authorization = auth) {
  return call(gateway, 'POST', PATH, { auth: authorization, body });
}
function convertRaw(body: string, authorization = auth) {
  return call(gateway, 'POST', PATH, { auth: authorization, rawBody: body, headers: { 'content-type': 'application/json' } });
}
async function newFlashcall(): Promise<string> {
  const [uuid] = await sendOk(gateway, auth, [flashcall()]);
  return uuid!;
}

describe('200 {"status":"ok"}: stored', () => {
  it('with Basic', async () => {
    const uuid = await newFlashcall();
    const response = await convert({ messageUuid: uuid, result: 'NUMBER_VERIFIED', code: '1234' });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.text, '{"status":"ok"}');
    assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
    assert.deepEqual(storedFlashcallConversion(gateway, uuid), { result: 'NUMBER_VERIFIED', code: '1234', at: gateway.clock.now() });
  });

  it('with Bearer and the same key string (the documentation example, §6.2.4)', async () => {
    const uuid = await newFlashcall();
    const response = await convertRaw(`{"messageUuid": "${uuid}", "result": "NUMBER_VERIFIED", "code": "1234"}`, `Bearer ${token}`);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body, OK);
    assert.equal(storedFlashcallConversion(gateway, uuid)?.result, 'NUMBER_VERIFIED');
  });

  it('WRONG_CODE is stored', async () => {
    const uuid = await newFlashcall();
    assert.deepEqual((await convert({ messageUuid: uuid, result: 'WRONG_CODE', code: '9999' })).body, OK);
    assert.deepEqual(storedFlashcallConversion(gateway, uuid), { result: 'WRONG_CODE', code: '9999', at: gateway.clock.now() });
  });

  it('NUMBER_VERIFIERD is accepted as another spelling of NUMBER_VERIFIED', async () => {
    const uuid = await newFlashcall();
    const response = await convert({ messageUuid: uuid, result: 'NUMBER_VERIFIERD' });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body, OK);
    assert.equal(storedFlashcallConversion(gateway, uuid)?.result, 'NUMBER_VERIFIED');
  });

  it('a repeated call overwrites the stored result: the last one wins', async () => {
    const uuid = await newFlashcall();
    assert.equal((await convert({ messageUuid: uuid, result: 'WRONG_CODE', code: '1111' })).status, 200);
    gateway.clock.advance(5_000);
    assert.equal((await convert({ messageUuid: uuid, result: 'NUMBER_VERIFIED', code: '1234' }, `Bearer ${token}`)).status, 200);
    assert.deepEqual(storedFlashcallConversion(gateway, uuid), { result: 'NUMBER_VERIFIED', code: '1234', at: gateway.clock.now() });
    gateway.clock.advance(5_000);
    assert.equal((await convert({ messageUuid: uuid, result: 'WRONG_CODE' })).status, 200);
    assert.deepEqual(storedFlashcallConversion(gateway, uuid), { result: 'WRONG_CODE', code: null, at: gateway.clock.now() }, 'no code: none stored');
  });

  it('code is optional; null means absent; 1 and 16 characters are accepted', async () => {
    const uuid = await newFlashcall();
    for (const code of [undefined, null, '1', 'x'.repeat(16), '😀'.repeat(16), '0000']) {
      const response = await convert({ messageUuid: uuid, result: 'WRONG_CODE', ...(code === undefined ? {} : { code }) });
      assert.equal(response.status, 200, `${JSON.stringify(code)}: ${response.text}`);
    }
  });

  it('an uppercase messageUuid matches (§2.4)', async () => {
    const uuid = await newFlashcall();
    const response = await convert({ messageUuid: uuid.toUpperCase(), result: 'NUMBER_VERIFIED' });
    assert.equal(response.status, 200, response.text);
    assert.equal(storedFlashcallConversion(gateway, uuid)?.result, 'NUMBER_VERIFIED');
  });

  it('the result is not exposed in the message object in v1, and the message is otherwise unchanged', async () => {
    const uuid = await newFlashcall();
    const before = (await getMessage(gateway, auth, uuid)).body;
    await convert({ messageUuid: uuid, result: 'NUMBER_VERIFIED', code: '1234' });
    assert.deepEqual((await getMessage(gateway, auth, uuid)).body, before);
  });
});

describe('404 {"error":{"code":4040,"msg":"Not found"}}', () => {
  it('an unknown uuid', async () => {
    const response = await convert({ messageUuid: randomUUID(), result: 'NUMBER_VERIFIED' });
    assert.equal(response.status, 404);
    assert.deepEqual(response.body, NOT_FOUND);
    assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
  });

  it('a string that is not a UUID', async () => {
    for (const messageUuid of ['not-a-uuid', '', '1234']) {
      const response = await convert({ messageUuid, result: 'NUMBER_VERIFIED' });
      assert.equal(response.status, 404, `${JSON.stringify(messageUuid)}: ${response.text}`);
      assert.deepEqual(response.body, NOT_FOUND);
    }
  });

  it("another account's FLASHCALL message (Basic and Bearer); nothing stored", async () => {
    const other = await gateway.account(uniqueName('fc-other'));
    const [theirs] = await sendOk(gateway, other.auth, [flashcall()]);
    for (const authorization of [auth, `Bearer ${token}`]) {
      const response = await convert({ messageUuid: theirs, result: 'NUMBER_VERIFIED' }, authorization);
      assert.equal(response.status, 404);
      assert.deepEqual(response.body, NOT_FOUND);
    }
    assert.equal(storedFlashcallConversion(gateway, theirs!)?.result, null);
  });

  it('a message of any other channel', async () => {
    const uuids = await sendOk(gateway, auth, [voicecode(), sms(), whatsapp(), vk()]);
    for (const uuid of uuids) {
      const response = await convert({ messageUuid: uuid, result: 'NUMBER_VERIFIED', code: '1234' });
      assert.equal(response.status, 404, response.text);
      assert.deepEqual(response.body, NOT_FOUND);
      assert.equal(storedFlashcallConversion(gateway, uuid)?.result, null);
    }
  });
});

describe('422', () => {
  it('a body that is not an object → Invalid request', async () => {
    const uuid = await newFlashcall();
    for (const body of [[{ messageUuid: uuid, result: 'NUMBER_VERIFIED' }], 'NUMBER_VERIFIED', 42, null, true, []]) {
      const response = await convertRaw(JSON.stringify(body));
      assert.equal(response.status, 422, `${JSON.stringify(body)}: ${response.text}`);
      assert.deepEqual(response.body, invalid('Invalid request'));
    }
  });

  it('messageUuid missing or not a string → Invalid messageUuid', async () => {
    for (const body of [
      { result: 'NUMBER_VERIFIED' },
      { messageUuid: null, result: 'NUMBER_VERIFIED' },
      { messageUuid: 123, result: 'NUMBER_VERIFIED' },
      { messageUuid: [randomUUID()], result: 'NUMBER_VERIFIED' },
      { message_uuid: randomUUID(), result: 'NUMBER_VERIFIED' },
      {},
    ]) {
      const response = await convert(body);
      assert.equal(response.status, 422, `${JSON.stringify(body)}: ${response.text}`);
      assert.deepEqual(response.body, invalid('Invalid messageUuid'));
    }
  });

  it('result not one of the allowed values → Invalid result (before the uuid is looked up)', async () => {
    const uuid = await newFlashcall();
    for (const result of [undefined, null, '', 'OK', 'number_verified', 'NUMBER_VERIFIED ', 'VERIFIED', 1, true]) {
      for (const messageUuid of [uuid, randomUUID()]) {
        const response = await convert({ messageUuid, ...(result === undefined ? {} : { result }) });
        assert.equal(response.status, 422, `${JSON.stringify(result)}: ${response.text}`);
        assert.deepEqual(response.body, invalid('Invalid result'));
      }
    }
    assert.equal(storedFlashcallConversion(gateway, uuid)?.result, null);
  });

  it('an invalid code → Invalid code: empty, 17 characters, a number, an array', async () => {
    const uuid = await newFlashcall();
    for (const code of ['', 'x'.repeat(17), '😀'.repeat(17), 1234, ['1234'], {}]) {
      for (const messageUuid of [uuid, randomUUID()]) {
        const response = await convert({ messageUuid, result: 'NUMBER_VERIFIED', code });
        assert.equal(response.status, 422, `${JSON.stringify(code)}: ${response.text}`);
        assert.deepEqual(response.body, invalid('Invalid code'));
      }
    }
    assert.equal(storedFlashcallConversion(gateway, uuid)?.result, null);
  });

  it('failures are reported in field order: messageUuid, then result, then code', async () => {
    assert.deepEqual((await convert({ messageUuid: 1, result: 'x', code: '' })).body, invalid('Invalid messageUuid'));
    assert.deepEqual((await convert({ messageUuid: randomUUID(), result: 'x', code: '' })).body, invalid('Invalid result'));
  });
});

describe('400 and auth', () => {
  it('malformed JSON → 400 4000', async () => {
    for (const body of ['{', '{"messageUuid":', 'messageUuid=x']) {
      const response = await convertRaw(body);
      assert.equal(response.status, 400);
      assert.deepEqual(response.body, { error: { code: 4000, msg: 'Bad request' } });
    }
  });

  it('authentication failures: 401 4010 / 4012, 403 4030 for a type-2 key (Basic and Bearer)', async () => {
    const uuid = await newFlashcall();
    const body = { messageUuid: uuid, result: 'NUMBER_VERIFIED' };
    const none = await convert(body, '');
    assert.equal(none.status, 401);
    assert.deepEqual(none.body, { error: { code: 4010, msg: 'Not Authenticated' } });
    const wrong = await convert(body, `Bearer ${Buffer.from('nobody:x').toString('base64')}`);
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, { error: { code: 4012, msg: 'Bad credentials' } });
    const type2 = await gateway.account(uniqueName('fc-type2'), { keyType: 2 });
    for (const scheme of ['Basic', 'Bearer']) {
      const response = await convert(body, `${scheme} ${type2.auth.slice('Basic '.length)}`);
      assert.equal(response.status, 403);
      assert.deepEqual(response.body, { error: { code: 4030, msg: 'Access Denied' } });
    }
    assert.equal(storedFlashcallConversion(gateway, uuid)?.result, null);
  });
});

describe('a stopped FLASHCALL message is still a FLASHCALL message of the account', () => {
  it('its conversion is stored (200)', async () => {
    const uuid = await newFlashcall();
    await stop(gateway, auth, { uuids: [uuid] });
    const response = await convert({ messageUuid: uuid, result: 'WRONG_CODE' });
    assert.equal(response.status, 200, response.text);
  });
});
