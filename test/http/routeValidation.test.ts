/**
 * Issue 11 item 3: every route but POST /message is checked by its schema (http/validatorCompiler.ts), and each
 * failure is the spec's envelope (http/validationError.ts): a bad path parameter 404 4040 (§8.2), a bad query or
 * body 422 4220 naming the first invalid field in the spec's order (§6.2.4, §8.1, §9), no body 400 4000.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { call, startGateway, type TestGateway } from '../support/gateway.js';
import { APPROVED_SENDERS, JSON_CONTENT_TYPE, flashcall, list, rawRequest, sendOk, uniqueName, vk } from '../support/http.js';

const NOT_FOUND = { error: { code: 4040, msg: 'Not found' } };
const BAD_REQUEST = { error: { code: 4000, msg: 'Bad request' } };
const invalid = (msg: string) => ({ error: { code: 4220, msg } });

let gateway: TestGateway;
let auth: string;
let sent: string;
let flash: string;
before(async () => {
  gateway = await startGateway();
  ({ auth } = await gateway.account(uniqueName('route-validation'), { senders: APPROVED_SENDERS, billing: false }));
  [sent, flash] = (await sendOk(gateway, auth, [vk(), flashcall()])) as [string, string];
});
after(() => gateway.close());

async function expectAnswer(response: { status: number; body: unknown; headers: Headers }, status: number, body: unknown, label: string) {
  assert.equal(response.status, status, `${label}: ${JSON.stringify(response.body)}`);
  assert.deepEqual(response.body, body, label);
  assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE, label);
}

describe('params: a path that names no message → 404 (§8.2)', () => {
  for (const suffix of ['', '/events']) {
    it(`GET /api/v1/message/{not a uuid}${suffix}`, async () => {
      for (const bad of ['x', `${sent}0`, sent.slice(1), '%00', encodeURIComponent(' ' + sent)]) {
        await expectAnswer(await call(gateway, 'GET', `/api/v1/message/${bad}${suffix}`, { auth }), 404, NOT_FOUND, bad);
      }
    });

    it(`GET /api/v1/message/{uuid in capitals}${suffix} names the message (§2.4)`, async () => {
      const response = await call(gateway, 'GET', `/api/v1/message/${sent.toUpperCase()}${suffix}`, { auth });
      assert.equal(response.status, 200, response.text);
    });

    it(`without credentials${suffix}: 401 before any check of the path`, async () => {
      const response = await call(gateway, 'GET', `/api/v1/message/x${suffix}`);
      assert.equal(response.status, 401);
    });
  }

  it('GET {shortLinkBase}/{unknown slug} → 404', async () => {
    await expectAnswer(await call(gateway, 'GET', '/s/no-such-slug'), 404, NOT_FOUND, 'slug');
  });
});

describe('query of GET /api/v1/message (§8.1, §2.5)', () => {
  const expectInvalid = async (query: string, msg: string) =>
    expectAnswer(await list(gateway, auth, query), 422, invalid(msg), query);
  const expectListed = async (query: string) => {
    const response = await list(gateway, auth, query);
    assert.equal(response.status, 200, `${query}: ${response.text}`);
    return response;
  };

  it('no coercion: 1e2, 01, +1, an empty value are not numbers', async () => {
    for (const bad of ['1e2', '01', '+1', '', '0x10', '1.0']) {
      await expectInvalid(`page=${encodeURIComponent(bad)}`, 'Invalid page');
      await expectInvalid(`per_page=${encodeURIComponent(bad)}`, 'Invalid per_page');
    }
    await expectInvalid('dispatch=1', 'Invalid dispatch');
    await expectInvalid('root=', 'Invalid root');
  });

  it('a single parameter takes its last value; every value must still be storable text (§2.1)', async () => {
    const response = await expectListed('per_page=abc&per_page=1');
    assert.equal(response.body.length, 1);
    await expectInvalid('per_page=1&per_page=abc', 'Invalid per_page');
    await expectInvalid('per_page=%00&per_page=1', 'Invalid per_page');
    await expectInvalid('content=%00&content=x', 'Invalid content');
  });

  it('a repeated parameter: every value is checked', async () => {
    await expectListed('status=sending&status=sent');
    await expectInvalid('status=sending&status=', 'Invalid status');
    await expectInvalid('status=sending&status', 'Invalid status');
  });

  it('the first invalid parameter is named, in the order of §8.1 as the gateway checks it', async () => {
    await expectInvalid('sort=x&page=0', 'Invalid page');
    // page × per_page over 10000 is checked right after per_page, before sort.
    await expectInvalid('sort=x&page=101', 'Invalid per_page');
    await expectInvalid('status=x&destination=1', 'Invalid destination');
    await expectInvalid('template_id=%00&status=x', 'Invalid status');
  });

  it('timestamps: RFC 3339 dates that exist (§2.2)', async () => {
    await expectInvalid('time_from=2026-02-30T00:00:00Z', 'Invalid time_from');
    await expectInvalid('time_to=2026-01-01T24:00:00Z', 'Invalid time_to');
    await expectListed('time_from=2026-01-01t00:00:00.123456789%2B03:00');
  });

  it('unknown parameters, inherited names among them, are ignored', async () => {
    await expectListed('constructor=1&__proto__=x&toString=&hasOwnProperty=1&Page=0&x=%00');
  });
});

describe('POST /api/v1/message/stop (§9)', () => {
  it('no body → 400; a body that is not an object → Invalid request', async () => {
    await expectAnswer(await rawRequest(gateway, 'POST', '/api/v1/message/stop', { headers: { authorization: auth } }).then(asResponse), 400, BAD_REQUEST, 'no body');
    for (const body of ['null', '[]', '"uuids"', '1', 'true', `[{"uuids":["${sent}"]}]`]) {
      await expectAnswer(await call(gateway, 'POST', '/api/v1/message/stop', { auth, rawBody: body }), 422, invalid('Invalid request'), body);
    }
  });

  it('uuids missing, not an array, empty, or with a non-string → Invalid uuids', async () => {
    for (const body of [{}, { uuids: null }, { uuids: sent }, { uuids: [] }, { uuids: [sent, 1] }, { UUIDS: [sent] }]) {
      await expectAnswer(await call(gateway, 'POST', '/api/v1/message/stop', { auth, body }), 422, invalid('Invalid uuids'), JSON.stringify(body));
    }
  });

  it('a body that is not JSON without credentials → 401 first (§3.2)', async () => {
    const response = await call(gateway, 'POST', '/api/v1/message/stop', { rawBody: '{' });
    assert.equal(response.status, 401);
  });
});

describe('POST /api/v1/flashcall-conversion (§6.2.4)', () => {
  const convert = (body: unknown) => call(gateway, 'POST', '/api/v1/flashcall-conversion', { auth, body });

  it('fields are named in the order of the spec: messageUuid, result, code', async () => {
    await expectAnswer(await convert({ result: 'x', code: '' }), 422, invalid('Invalid messageUuid'), 'all three wrong');
    await expectAnswer(await convert({ messageUuid: flash, code: '' }), 422, invalid('Invalid result'), 'result missing, code wrong');
    await expectAnswer(await convert({ messageUuid: null, result: 'WRONG_CODE' }), 422, invalid('Invalid messageUuid'), 'null messageUuid');
    await expectAnswer(await convert([]), 422, invalid('Invalid request'), 'an array');
  });

  it('code: 1–16 characters counted as code points, storable, null meaning absent', async () => {
    for (const code of ['', 'x'.repeat(17), 'a\u0000', '\ud800', 5, ['1']]) {
      await expectAnswer(await convert({ messageUuid: flash, result: 'WRONG_CODE', code }), 422, invalid('Invalid code'), JSON.stringify(code));
    }
    for (const code of ['\u{1F600}'.repeat(16), null, '1234']) {
      const response = await convert({ messageUuid: flash, result: 'NUMBER_VERIFIERD', code });
      assert.equal(response.status, 200, `${JSON.stringify(code)}: ${response.text}`);
    }
  });
});

/** rawRequest's answer in call's shape. */
function asResponse(raw: { status: number; body: unknown; headers: Record<string, string | string[] | undefined> }) {
  return { status: raw.status, body: raw.body, headers: new Headers({ 'content-type': String(raw.headers['content-type']) }) };
}
