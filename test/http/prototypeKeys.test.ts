/**
 * Issue 10 item 1: no key of a request reaches an object's prototype. `GET /api/v1/message?constructor=1` (and
 * `__proto__`, `toString`, `hasOwnProperty`) used to answer 500, as did a FLASHCALL conversion whose `result` was
 * `constructor`. Over real HTTP on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, type TestGateway } from '../support/gateway.js';
import { describeOnEachStore } from '../support/eachStore.js';
import { APPROVED_SENDERS, getMessage, list, rawRequest, sendOk, sms, whatsapp } from '../support/http.js';

/** Names every plain object inherits. */
const INHERITED = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'toLocaleString'];

describeOnEachStore('prototype keys', 'dgw_prototype_keys', (ctx) => {
  let gateway: TestGateway;
  let auth: string;
  let total = 0;
  before(async () => {
    ({ gateway, auth } = ctx);
    total = (await sendOk(gateway, auth, [sms(), sms({ tags: ['constructor', 'toString'] })])).length;
  });
  after(() => {
    for (const key of ['channelType', 'shortUrl', 'tags', 'polluted', 'uuids', 'result']) {
      assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, key), false, `Object.prototype.${key} was set`);
    }
  });

  const postRaw = (path: string, body: string) =>
    rawRequest(gateway, 'POST', path, { headers: { authorization: auth, 'content-type': 'application/json' }, body });

  describe('query keys', () => {
    it('an inherited name as a query key is an unknown parameter: ignored (§2.5)', async () => {
      for (const key of INHERITED) {
        for (const query of [`${key}=1`, `${key}=1&${key}=2`, `${key}`, `${key}=1&status=sent&status=sending`]) {
          const response = await list(gateway, auth, query);
          assert.equal(response.status, 200, `?${query}: ${response.text}`);
          assert.equal(response.headers.get('x-total-count'), String(total), `?${query}`);
        }
      }
    });

    it('an inherited name as a value is an ordinary value', async () => {
      for (const key of ['status', 'channel_type', 'direction', 'traffic_type', 'sending_method']) {
        const response = await list(gateway, auth, [[key, 'constructor']]);
        assert.equal(response.status, 422, `${key}=constructor`);
        assert.equal(response.body.error.msg, `Invalid ${key}`);
      }
      const tagged = await list(gateway, auth, [['tags', 'constructor']]);
      assert.equal(tagged.status, 200);
      assert.equal(tagged.headers.get('x-total-count'), '1');
      const none = await list(gateway, auth, [['sender_name', 'toString']]);
      assert.equal(none.headers.get('x-total-count'), '0');
    });
  });

  describe('JSON bodies: a "__proto__" key is an own key like any other', () => {
    it('in an item: it supplies no field', async () => {
      const body = `[{"__proto__":{"channelType":"SMS","shortUrl":true},"senderName":"sms_sender","destination":"79261234567","content":"x"}]`;
      const response = await postRaw('/api/v1/message', body);
      assert.equal(response.status, 422, response.text);
      assert.deepEqual(response.body.error.details, [{ index: 0, field: 'channelType', msg: 'is required' }]);
    });

    it('beside valid fields: ignored as an unknown field, the message is stored as sent', async () => {
      const item = JSON.stringify(sms({ content: 'proto' })).slice(0, -1) + ',"__proto__":{"tags":["x"],"shortUrl":true},"constructor":1,"toString":"x"}';
      const response = await postRaw('/api/v1/message', `[${item}]`);
      assert.equal(response.status, 200, response.text);
      const message = await getMessage(gateway, auth, response.body.items[0].messageUuid);
      assert.deepEqual(message.body.tags, []);
      assert.equal(message.body.shortUrl, false);
      assert.equal(message.body.content, 'proto');
    });

    it('in content: it supplies no contentType nor text, and is not stored', async () => {
      const bare = `[${JSON.stringify(whatsapp()).replace(/"content":\{[^}]*\}/, '"content":{"__proto__":{"contentType":"text","text":"hi"}}')}]`;
      const refused = await postRaw('/api/v1/message', bare);
      assert.equal(refused.status, 422, refused.text);
      assert.deepEqual(refused.body.error.details, [{ index: 0, field: 'content.contentType', msg: 'is required' }]);
      const extra = `[${JSON.stringify(whatsapp()).replace(/"content":\{/, '"content":{"__proto__":{"x":1},"constructor":2,')}]`;
      const accepted = await postRaw('/api/v1/message', extra);
      assert.equal(accepted.status, 200, accepted.text);
      const message = await getMessage(gateway, auth, accepted.body.items[0].messageUuid);
      assert.deepEqual(message.body.content, { contentType: 'text', text: 'Your order 42 has shipped' });
    });

    it('inherited names as values: channelType, callbackEvents are invalid; tags are ordinary tags', async () => {
      for (const [field, value, msg] of [
        ['channelType', 'constructor', 'Invalid channelType'],
        ['callbackEvents', ['toString'], 'Invalid callbackEvents'],
        ['callbackEvents', ['__proto__'], 'Invalid callbackEvents'],
      ] as const) {
        const response = await call(gateway, 'POST', '/api/v1/message', { auth, body: [sms({ [field]: value })] });
        assert.equal(response.status, 422, `${field}: ${response.text}`);
        assert.equal(response.body.error.msg, msg);
      }
      const [uuid] = await sendOk(gateway, auth, [sms({ tags: ['__proto__', 'hasOwnProperty'] })]);
      assert.deepEqual((await getMessage(gateway, auth, uuid!)).body.tags, ['__proto__', 'hasOwnProperty']);
    });

    it('FLASHCALL conversion: an inherited name is no result (it used to answer 500)', async () => {
      const [uuid] = await sendOk(gateway, auth, [{ channelType: 'FLASHCALL', senderName: 'x', destination: '79261234567', content: '1234' }]);
      for (const result of INHERITED) {
        const response = await call(gateway, 'POST', '/api/v1/flashcall-conversion', { auth, body: { messageUuid: uuid, result } });
        assert.equal(response.status, 422, `${result}: ${response.text}`);
        assert.deepEqual(response.body, { error: { code: 4220, msg: 'Invalid result' } });
      }
      const wrapped = await postRaw('/api/v1/flashcall-conversion', `{"__proto__":{"messageUuid":"${uuid}","result":"WRONG_CODE"}}`);
      assert.deepEqual(wrapped.body, { error: { code: 4220, msg: 'Invalid messageUuid' } });
    });

    it('stop: "__proto__" supplies no uuids', async () => {
      const response = await postRaw('/api/v1/message/stop', '{"__proto__":{"uuids":["01900000-0000-7000-8000-000000000000"]}}');
      assert.equal(response.status, 422);
      assert.deepEqual(response.body, { error: { code: 4220, msg: 'Invalid uuids' } });
    });
  });
}, { account: { senders: APPROVED_SENDERS, billing: false } });
