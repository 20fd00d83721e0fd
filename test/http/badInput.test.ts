/** Bad input never crashes the server nor gives a 5xx (spec §2.1, §3.4, §4; issue 2 §7–§8). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { call, startGateway, type TestGateway } from '../support/gateway.js';
import {
  APPROVED_SENDERS,
  JSON_CONTENT_TYPE,
  countMessages,
  flashcall,
  getMessage,
  rawRequest,
  sendOk,
  sms,
  uniqueName,
  vk,
  voicecode,
  whatsapp,
} from '../support/http.js';

const BAD_REQUEST = { error: { code: 4000, msg: 'Bad request' } };
const NOT_FOUND = { error: { code: 4040, msg: 'Not found' } };
const TOO_LARGE = { error: { code: 4130, msg: 'Payload too large' } };
const MIB = 1024 * 1024;
const SOME_UUID = '01900000-0000-7000-8000-000000000000';

let gateway: TestGateway;
let auth: string;
before(async () => {
  gateway = await startGateway();
  ({ auth } = await gateway.account(uniqueName('bad'), { senders: APPROVED_SENDERS, billing: false }));
});
after(() => gateway.close());

const POST_PATHS = ['/api/v1/message', '/api/v1/message/stop', '/api/v1/flashcall-conversion'];

function postRaw(path: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return rawRequest(gateway, 'POST', path, { headers: { authorization: auth, ...headers }, body });
}

async function assertAlive(): Promise<void> {
  const ping = await call(gateway, 'GET', '/api/v1/ping', { auth });
  assert.equal(ping.status, 200);
  assert.deepEqual(ping.body, { status: 'ok' });
}

describe('malformed JSON → 400 {"error":{"code":4000,"msg":"Bad request"}} (§5.2 step 2)', () => {
  const malformed = ['[{', '{', 'not json', "[{'a':1}]", '[1,]', '{"uuids":[1,2,]}', 'undefined', 'NaN', '[] []', '\u0000', '"unterminated'];
  for (const path of POST_PATHS) {
    it(`${path}`, async () => {
      for (const body of malformed) {
        const response = await postRaw(path, body);
        assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
        assert.deepEqual(response.body, BAD_REQUEST);
        assert.equal(response.headers['content-type'], JSON_CONTENT_TYPE);
      }
    });
  }

  it('an empty body → 400', async () => {
    for (const path of POST_PATHS) {
      const response = await postRaw(path, '');
      assert.equal(response.status, 400, `${path}: ${response.text}`);
      assert.deepEqual(response.body, BAD_REQUEST);
      const bare = await rawRequest(gateway, 'POST', path, { headers: { authorization: auth } });
      assert.equal(bare.status, 400, `${path} without body or content-type: ${bare.text}`);
      assert.deepEqual(bare.body, BAD_REQUEST);
    }
  });

  it('non-UTF-8 bytes → 400 (also inside a JSON string)', async () => {
    for (const bytes of [
      [0x5b, 0xff, 0x5d],
      [0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d],
      [0x7b, 0x22, 0x75, 0x75, 0x69, 0x64, 0x73, 0x22, 0x3a, 0x5b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x5d, 0x7d],
    ]) {
      for (const path of POST_PATHS) {
        const response = await postRaw(path, Buffer.from(bytes));
        assert.equal(response.status, 400, `${path} ${bytes}: ${response.text}`);
        assert.deepEqual(response.body, BAD_REQUEST);
      }
    }
  });

  it('a Latin-1 body that is not valid UTF-8 is refused even with charset=iso-8859-1', async () => {
    const latin1 = Buffer.from(JSON.stringify([sms({ content: 'caf\u00e9' })]), 'latin1');
    const response = await postRaw('/api/v1/message', latin1, { 'content-type': 'application/json; charset=iso-8859-1' });
    assert.equal(response.status, 400, response.text);
  });
});

describe('the body is parsed as JSON whatever its Content-Type (§2.1)', () => {
  const cases: [string, Record<string, string>][] = [
    ['no Content-Type', {}],
    ['text/plain', { 'content-type': 'text/plain' }],
    ['application/x-www-form-urlencoded', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['application/json; charset=utf-8', { 'content-type': 'application/json; charset=utf-8' }],
    ['application/octet-stream', { 'content-type': 'application/octet-stream' }],
    ['multipart/form-data', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['application/json with an empty parameter list', { 'content-type': 'application/json;' }],
  ];
  for (const [name, headers] of cases) {
    it(`${name}: POST /message, /message/stop and /flashcall-conversion all parse JSON`, async () => {
      const send = await postRaw('/api/v1/message', JSON.stringify([vk()]), headers);
      assert.equal(send.status, 200, send.text);
      assert.equal(send.body.items[0].code, 201);
      const stop = await postRaw('/api/v1/message/stop', JSON.stringify({ uuids: [send.body.items[0].messageUuid] }), headers);
      assert.equal(stop.status, 200, stop.text);
      assert.equal(stop.body.items[0].code, 200);
      const [uuid] = await sendOk(gateway, auth, [flashcall()]);
      const conversion = await postRaw('/api/v1/flashcall-conversion', JSON.stringify({ messageUuid: uuid, result: 'WRONG_CODE' }), headers);
      assert.equal(conversion.status, 200, conversion.text);
    });
  }
});

describe('a Content-Type that is not even a valid media type is ignored too (§2.1)', () => {
  for (const contentType of ['', 'json', '%%%', 'application/']) {
    it(`Content-Type: ${JSON.stringify(contentType)} → the JSON body is parsed`, async () => {
      const send = await postRaw('/api/v1/message', JSON.stringify([vk()]), { 'content-type': contentType });
      assert.equal(send.status, 200, send.text);
      assert.equal(send.body.items[0].code, 201);
    });
  }
});

describe('body size (§2.1, §3.4)', () => {
  it('a 17 MiB body → 413 {"error":{"code":4130,"msg":"Payload too large"}}; the server stays up', async () => {
    for (const path of POST_PATHS) {
      const response = await postRaw(path, Buffer.alloc(17 * MIB, 0x20));
      assert.equal(response.status, 413, `${path}: ${response.text}`);
      assert.deepEqual(response.body, TOO_LARGE);
      assert.equal(response.headers['content-type'], JSON_CONTENT_TYPE);
      await assertAlive();
    }
  });

  it('a body of exactly 16 MiB is read (and judged on its content); one byte more → 413', async () => {
    const exact = Buffer.alloc(16 * MIB, 0x20);
    exact[0] = 0x5b; // '['
    exact[exact.length - 1] = 0x5d; // ']'
    const atLimit = await postRaw('/api/v1/message', exact);
    assert.equal(atLimit.status, 422, atLimit.text);
    assert.deepEqual(atLimit.body, { error: { code: 4220, msg: 'Invalid request' } });
    const over = Buffer.alloc(16 * MIB + 1, 0x20);
    over[0] = 0x5b;
    over[over.length - 1] = 0x5d;
    const overLimit = await postRaw('/api/v1/message', over);
    assert.equal(overLimit.status, 413, overLimit.text);
    assert.deepEqual(overLimit.body, TOO_LARGE);
    await assertAlive();
  });

  it('a big body sent without Content-Length (chunked) → 413 too', async () => {
    const chunks = async function* () {
      for (let i = 0; i < 17; i++) yield new Uint8Array(MIB).fill(0x20);
    };
    const response = await fetch(`${gateway.url}/api/v1/message`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      // undici takes an async iterable as a streamed (chunked) body.
      body: chunks() as unknown as BodyInit,
      duplex: 'half',
    } as RequestInit).catch((error: Error) => error);
    if (response instanceof Error) {
      // The server may close the connection as soon as the limit is passed; it must still be up.
      await assertAlive();
      return;
    }
    assert.equal(response.status, 413);
    assert.deepEqual(await response.json(), TOO_LARGE);
    await assertAlive();
  });
});

describe('unknown fields and null (§2.1)', () => {
  it('unknown fields in items are ignored and not echoed back', async () => {
    const [uuid] = await sendOk(gateway, auth, [voicecode({ priority: 'high', messageUuid: SOME_UUID, status: 'delivered', price: 0 })]);
    const message = (await getMessage(gateway, auth, uuid!)).body;
    assert.equal(message.status, 'sending');
    assert.equal(message.messageUuid, uuid);
    assert.equal(message.price, null);
    assert.ok(!('priority' in message));
  });

  it('a "__proto__" key in the JSON does nothing special', async () => {
    const body = `[{"channelType":"VK","senderName":"g","destination":"79261234567","content":"x","__proto__":{"channelType":"SMS","ttl":5}}]`;
    const response = await postRaw('/api/v1/message', body);
    assert.equal(response.status, 200, response.text);
    const message = (await getMessage(gateway, auth, response.body.items[0].messageUuid)).body;
    assert.equal(message.channelType, 'VK');
    assert.equal(message.ttl, null);
  });

  it('fields not defined for the channel are ignored (§5.4), whatever their type', async () => {
    const response = await call(gateway, 'POST', '/api/v1/message', {
      auth,
      body: [
        voicecode({ useLocalTime: 'x', localSendTime: 1, localCompletionTime: [], hours: 'all', days: {}, shortUrl: 'no' }),
        flashcall({ hours: [99], shortUrl: 5 }),
      ],
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.errors, false);
  });

  it('null in every optional field means absent, on every channel', async () => {
    const nulls = {
      ttl: null,
      tags: null,
      externalMessageId: null,
      callbackUrl: null,
      callbackEvents: null,
      useLocalTime: null,
      localSendTime: null,
      localCompletionTime: null,
      hours: null,
      days: null,
      shortUrl: null,
    };
    const response = await call(gateway, 'POST', '/api/v1/message', {
      auth,
      body: [voicecode(nulls), flashcall(nulls), sms(nulls), whatsapp(nulls), vk(nulls)],
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.errors, false);
  });

  it('unknown fields in the stop and flashcall-conversion bodies are ignored', async () => {
    const [uuid, fc] = await sendOk(gateway, auth, [vk(), flashcall()]);
    const stop = await call(gateway, 'POST', '/api/v1/message/stop', { auth, body: { uuids: [uuid], all: true } });
    assert.equal(stop.status, 200);
    const conversion = await call(gateway, 'POST', '/api/v1/flashcall-conversion', {
      auth,
      body: { messageUuid: fc, result: 'WRONG_CODE', extra: { nested: [1] } },
    });
    assert.equal(conversion.status, 200);
  });
});

describe('unknown paths and methods → 404 {"error":{"code":4040,"msg":"Not found"}} (§2.1)', () => {
  const cases: [string, string][] = [
    ['PUT', '/api/v1/message'],
    ['DELETE', '/api/v1/message'],
    ['PATCH', '/api/v1/message'],
    ['DELETE', '/api/v1/balance'],
    ['POST', '/api/v1/balance'],
    ['POST', '/api/v1/ping'],
    ['GET', '/api/v1/flashcall-conversion'],
    ['PUT', '/api/v1/message/stop'],
    ['DELETE', `/api/v1/message/${SOME_UUID}`],
    ['POST', `/api/v1/message/${SOME_UUID}`],
    ['GET', '/api/v1/messages'],
    ['GET', '/api/v2/message'],
    ['GET', '/api/v1'],
    ['GET', '/'],
    ['GET', '/nope'],
    ['POST', '/api/v1/message/stop/now'],
    ['GET', `/api/v1/message/${SOME_UUID}/status`],
  ];
  for (const [method, path] of cases) {
    it(`${method} ${path}`, async () => {
      for (const authorization of [auth, undefined]) {
        const response = await call(gateway, method, path, { auth: authorization, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
        assert.equal(response.status, 404, `${authorization ? 'with' : 'without'} auth: ${response.text}`);
        assert.deepEqual(response.body, NOT_FOUND);
        assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
      }
    });
  }
});

describe('GET /api/v1/ping (§4)', () => {
  it('→ 200 {"status":"ok"} and has no side effects', async () => {
    const before = await countMessages(gateway, auth);
    const response = await call(gateway, 'GET', '/api/v1/ping', { auth });
    assert.equal(response.status, 200);
    assert.equal(response.text, '{"status":"ok"}');
    assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
    assert.equal(await countMessages(gateway, auth), before);
  });

  it('ignores a query string', async () => {
    const response = await call(gateway, 'GET', '/api/v1/ping?x=1', { auth });
    assert.deepEqual(response.body, { status: 'ok' });
  });
});

describe('OpenAPI and docs (issue 2 §7)', () => {
  it('GET /api/v1/openapi.json is OpenAPI 3 and lists every endpoint and method of §1', async () => {
    const response = await call(gateway, 'GET', '/api/v1/openapi.json');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const spec = response.body;
    assert.match(spec.openapi, /^3\./);
    const expected: Record<string, string[]> = {
      '/api/v1/ping': ['get'],
      '/api/v1/message': ['get', 'post'],
      '/api/v1/message/{messageUuid}': ['get'],
      '/api/v1/message/stop': ['post'],
      '/api/v1/flashcall-conversion': ['post'],
      '/api/v1/balance': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      assert.ok(spec.paths[path], `missing ${path}; has ${Object.keys(spec.paths).join(', ')}`);
      for (const method of methods) assert.ok(spec.paths[path][method], `missing ${method.toUpperCase()} ${path}`);
    }
  });

  it('the OpenAPI document describes the send body and the message object', async () => {
    const spec = (await call(gateway, 'GET', '/api/v1/openapi.json')).body;
    const text = JSON.stringify(spec);
    for (const name of ['channelType', 'VOICECODE', 'FLASHCALL', 'WHATSAPP', 'sendingMethog', 'X-Total-Count', 'uuids', 'NUMBER_VERIFIED']) {
      assert.ok(text.includes(name), `the document mentions ${name}`);
    }
    assert.ok(spec.paths['/api/v1/message'].post.requestBody, 'POST /message has a request body');
  });

  it('GET /docs serves an HTML page', async () => {
    const response = await fetch(`${gateway.url}/docs`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await response.text(), /<html/i);
  });
});

describe('no 5xx anywhere; every API response is JSON in UTF-8', () => {
  const weirdItems: unknown[] = [
    [{ channelType: {} }],
    [{ channelType: ['SMS'] }],
    [{ channelType: 'SMS', senderName: {}, destination: [], content: {} }],
    [{ channelType: 'VOICECODE', senderName: 'voicecode', destination: '14085553911', content: { contentType: 'text', text: 1234 } }],
    [{ channelType: 'VOICECODE', senderName: 'voicecode', destination: '14085553911', content: [] }],
    [{ channelType: 'WHATSAPP', senderName: 'wa_sender', destination: '79261234567', content: { contentType: 'template', parameters: 'x' } }],
    [{ channelType: 'WHATSAPP', senderName: 'wa_sender', destination: '79261234567', content: { contentType: null } }],
    [{ channelType: 'SMS', senderName: 'sms_sender', destination: '79261234567', content: 'x', ttl: 1e308 }],
    [{ channelType: 'SMS', senderName: 'sms_sender', destination: '79261234567', content: 'x', ttl: -0 }],
    [{ channelType: 'SMS', senderName: 'sms_sender', destination: '79261234567', content: 'x', hours: [1.5], days: [null] }],
    [{ channelType: 'SMS', senderName: 'sms_sender', destination: '79261234567', content: 'x', localSendTime: '9999-12-31 23:59:59' }],
    [{ channelType: 'SMS', senderName: 'sms_sender', destination: '79261234567', content: 'x', localCompletionTime: '0000-01-01 00:00:00' }],
    [{ channelType: 'SMS', senderName: 'sms_sender', destination: '79261234567', content: 'x', callbackUrl: 'http://[::1' }],
    [{ channelType: 'SMS', senderName: 'sms_sender', destination: '79261234567', content: 'x', callbackUrl: 'http://a:99999/' }],
    [{ channelType: 'SMS', senderName: 'sms_sender', destination: '79261234567', content: 'x', callbackEvents: [{}] }],
    [{ channelType: 'SMS', senderName: 'sms_sender', destination: '79261234567', content: '\ud800' }],
    [{ channelType: 'FLASHCALL', senderName: 'x', destination: '14085553911', content: { code: '1234' } }],
    [{ channelType: 'VK', senderName: 'x', destination: '79261234567', content: 'x'.repeat(100_000) }],
    [{ channelType: 'VK', senderName: 'x', destination: '7'.repeat(10_000), content: 'x' }],
  ];
  it('odd items get 200 or 422, never 5xx', async () => {
    for (const body of weirdItems) {
      const response = await call(gateway, 'POST', '/api/v1/message', { auth, body });
      assert.ok(response.status === 200 || response.status === 422, `${JSON.stringify(body).slice(0, 120)} → ${response.status} ${response.text}`);
      assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
    }
  });

  it('deeply nested JSON gets 4xx, never 5xx', async () => {
    for (const depth of [1_000, 100_000]) {
      const body = '['.repeat(depth) + ']'.repeat(depth);
      for (const path of POST_PATHS) {
        const response = await postRaw(path, body);
        assert.ok(response.status >= 400 && response.status < 500, `${path} depth ${depth} → ${response.status} ${response.text.slice(0, 100)}`);
        assert.equal(response.headers['content-type'], JSON_CONTENT_TYPE);
      }
    }
    await assertAlive();
  });

  it('odd stop and flashcall-conversion bodies get 200, 404 or 422, never 5xx', async () => {
    const stops = [{ uuids: ['x'.repeat(100_000)] }, { uuids: [SOME_UUID.toUpperCase(), '\u0000'] }, { uuids: {} }, { uuids: [{}] }];
    for (const body of stops) {
      const response = await call(gateway, 'POST', '/api/v1/message/stop', { auth, body });
      assert.ok([200, 422].includes(response.status), `${JSON.stringify(body).slice(0, 80)} → ${response.status}`);
      assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
    }
    const conversions = [
      { messageUuid: {}, result: 'WRONG_CODE' },
      { messageUuid: 'x'.repeat(100_000), result: 'WRONG_CODE' },
      { messageUuid: SOME_UUID, result: ['WRONG_CODE'] },
      { messageUuid: SOME_UUID, result: 'WRONG_CODE', code: {} },
      { messageUuid: '\u0000', result: 'NUMBER_VERIFIED' },
    ];
    for (const body of conversions) {
      const response = await call(gateway, 'POST', '/api/v1/flashcall-conversion', { auth, body });
      assert.ok([404, 422].includes(response.status), `${JSON.stringify(body).slice(0, 80)} → ${response.status}`);
      assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
    }
  });

  it('odd query strings and paths get 2xx or 4xx, never 5xx', async () => {
    const paths = [
      '/api/v1/message?page=99999999999999999999',
      '/api/v1/message?per_page=1e400',
      '/api/v1/message?time_from=%ZZ',
      '/api/v1/message?status[]=sent',
      '/api/v1/message?status=sent&status',
      '/api/v1/message?content=%00',
      '/api/v1/message?content=%25',
      '/api/v1/message?content=%27%20or%201%3D1%20--',
      '/api/v1/message?traffic_center_id=99999999999999999999',
      '/api/v1/message?dispatch_id=99999999999999999999999',
      '/api/v1/message?time_from=9999-12-31T23:59:59Z',
      '/api/v1/message?time_to=0000-01-01T00:00:00Z',
      `/api/v1/message?${'tags=a&'.repeat(2000)}`,
      '/api/v1/message/%00',
      '/api/v1/message/..%2F..%2Fbalance',
    ];
    for (const path of paths) {
      const response = await call(gateway, 'GET', path, { auth });
      assert.ok(response.status < 500, `${path.slice(0, 80)} → ${response.status} ${response.text.slice(0, 100)}`);
      assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE, path.slice(0, 80));
    }
    await assertAlive();
  });

  it('GET /api/v1/message/{a string over 100 characters} → 404 4040 like any other non-UUID (§8.2)', async () => {
    for (const length of [100, 101, 5000]) {
      const response = await call(gateway, 'GET', `/api/v1/message/${'a'.repeat(length)}`, { auth });
      assert.equal(response.status, 404, `${length} characters: ${response.status} ${response.text.slice(0, 120)}`);
      assert.deepEqual(response.body, NOT_FOUND);
      assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
      const anonymous = await call(gateway, 'GET', `/api/v1/message/${'a'.repeat(length)}`);
      assert.equal(anonymous.status, 401, `${length} characters without credentials: ${anonymous.status}`);
    }
  });

  it('a path with a broken percent-encoding gets the API error envelope (400 4000 or 404 4040), in UTF-8 JSON', async () => {
    for (const path of ['/api/v1/message/%E0%A4%A', '/api/v1/message/%E0', '/%ZZ', '/api/v1/nope/%C3']) {
      for (const authorization of [auth, undefined]) {
        const response = await call(gateway, 'GET', path, { auth: authorization });
        assert.ok(response.status === 400 || response.status === 404 || response.status === 401, `${path} → ${response.status}`);
        const envelope = response.status === 400 ? BAD_REQUEST : response.status === 404 ? NOT_FOUND : { error: { code: 4010, msg: 'Not Authenticated' } };
        assert.deepEqual(response.body, envelope, `${path}: ${response.text}`);
        assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE, path);
      }
    }
  });

  it('every API endpoint answers with application/json; charset=utf-8, success and failure alike', async () => {
    const [uuid] = await sendOk(gateway, auth, [flashcall()]);
    const requests: [string, string, unknown, string | undefined][] = [
      ['GET', '/api/v1/ping', undefined, auth],
      ['GET', '/api/v1/balance', undefined, auth],
      ['GET', '/api/v1/message', undefined, auth],
      ['GET', `/api/v1/message/${uuid}`, undefined, auth],
      ['GET', '/api/v1/message?page=0', undefined, auth],
      ['POST', '/api/v1/message', [vk()], auth],
      ['POST', '/api/v1/message', [vk({ destination: '1' })], auth],
      ['POST', '/api/v1/message/stop', { uuids: [SOME_UUID] }, auth],
      ['POST', '/api/v1/flashcall-conversion', { messageUuid: uuid, result: 'WRONG_CODE' }, auth],
      ['POST', '/api/v1/flashcall-conversion', { messageUuid: SOME_UUID, result: 'WRONG_CODE' }, auth],
      ['GET', '/api/v1/ping', undefined, undefined],
      ['GET', '/api/v1/ping', undefined, 'Basic eDp5'],
    ];
    for (const [method, path, body, authorization] of requests) {
      const response = await call(gateway, method, path, { auth: authorization, body });
      assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE, `${method} ${path} (${response.status})`);
      assert.ok(response.status < 500);
      assert.doesNotThrow(() => JSON.parse(response.text), `${method} ${path} body is JSON`);
    }
  });

  it('the server is still up and consistent after all of the above', async () => {
    await assertAlive();
    const [uuid] = await sendOk(gateway, auth, [vk()]);
    assert.equal((await getMessage(gateway, auth, uuid!)).status, 200);
  });
});
