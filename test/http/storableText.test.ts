/**
 * Issue 10 item 9, spec §2.1: a text field holding a lone surrogate or a NUL is invalid, with the field's own code,
 * like a text beginning with a BOM. Lone surrogates used to be accepted and read back as U+FFFD (an externalMessageId
 * could then exceed 100 characters); a NUL was accepted on SQLite and answered 500 on PostgreSQL, in bodies, query
 * values and key ids alike. Over real HTTP on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { call, type TestGateway } from '../support/gateway.js';
import { describeOnEachStore } from '../support/eachStore.js';
import { APPROVED_SENDERS, flashcall, getMessage, list, send, sendOk, sms, vk, voicecode, whatsapp } from '../support/http.js';

/** JSON.stringify writes each of these as a `\u` escape, which JSON.parse turns back into the same string. */
const BAD = { 'a lone high surrogate': '\ud800', 'a lone low surrogate': '\udfff', 'a reversed pair': '\udc00\ud83d', 'a NUL': '\u0000' };
const DETAIL = 'must not hold a NUL or a lone surrogate (U+D800-U+DFFF not in a pair)';

type Item = Record<string, unknown>;
/** [what, item with the bad text at the field, error.msg, details field, the schema's own detail instead of DETAIL?] */
const CASES: [string, (bad: string) => Item, string, string, boolean?][] = [
  ['SMS content', (b) => sms({ content: `Hello ${b}` }), 'Invalid content', 'content'],
  ['VK content', (b) => vk({ content: `${b}Привет` }), 'Invalid content', 'content'],
  ['WHATSAPP text', (b) => whatsapp({ content: { contentType: 'text', text: `a${b}` } }), 'Invalid content', 'content.text'],
  [
    'WHATSAPP templateId',
    (b) => whatsapp({ content: { contentType: 'template', templateId: `t${b}`, language: 'en' } }),
    'Invalid content',
    'content.templateId',
  ],
  [
    'WHATSAPP template parameter',
    (b) => whatsapp({ content: { contentType: 'template', templateId: 't', language: 'en', parameters: ['ok', `p${b}`] } }),
    'Invalid content',
    'content.parameters[1]',
  ],
  ['SMS senderName', (b) => sms({ senderName: `sms_sender${b}` }), 'Invalid senderName', 'senderName'],
  ['VK senderName', (b) => vk({ senderName: `${b}group` }), 'Invalid senderName', 'senderName'],
  ['FLASHCALL senderName', (b) => flashcall({ senderName: `x${b}` }), 'Invalid senderName', 'senderName'],
  ['SMS externalMessageId', (b) => sms({ externalMessageId: `id-${b}` }), 'Invalid externalMessageId', 'externalMessageId'],
  ['VOICECODE externalMessageId', (b) => voicecode({ externalMessageId: b }), 'Invalid externalMessageId', 'externalMessageId'],
  // The fields below have stricter grammars of their own (ASCII, digits, a template): they say so in their words.
  ['VOICECODE text', (b) => voicecode({ content: { contentType: 'text', text: `Код авторизации от re${b}vicom: 3456` } }), 'Invalid content', 'content.text', true],
  ['FLASHCALL code', (b) => flashcall({ content: `12${b}34` }), 'Invalid content', 'content', true],
  ['tags', (b) => sms({ tags: ['ok', `tag${b}`] }), 'Invalid tags', 'tags[1]', true],
  ['callbackUrl', (b) => sms({ callbackUrl: `https://company.example/cb${b}` }), 'Invalid callbackUrl', 'callbackUrl', true],
];

describeOnEachStore('storable text', 'dgw_storable_text', (ctx) => {
  let gateway: TestGateway;
  let auth: string;
  before(async () => {
    ({ gateway, auth } = ctx);
  });

  describe('POST /api/v1/message: each text field refuses a lone surrogate or a NUL with its own code', () => {
    for (const [what, item, msg, field, ownWords] of CASES) {
      it(what, async () => {
        for (const [kind, bad] of Object.entries(BAD)) {
          const response = await send(gateway, auth, [item(bad)]);
          assert.equal(response.status, 422, `${what}, ${kind}: ${response.text}`);
          assert.equal(response.body.error.code, 4220);
          assert.equal(response.body.error.msg, msg, `${what}, ${kind}`);
          assert.equal(response.body.error.details.length, 1, `${what}, ${kind}: ${response.text}`);
          assert.equal(response.body.error.details[0].field, field, `${what}, ${kind}`);
          if (ownWords !== true) assert.equal(response.body.error.details[0].msg, DETAIL, `${what}, ${kind}`);
        }
      });
    }

    it('surrogate pairs, U+FFFD and other controls are ordinary characters, stored and read back unchanged', async () => {
      const text = 'emoji 😀 𝄞, replacement \ufffd, tab\t, bell\u0007';
      const id = '😀'.repeat(100);
      const [uuid] = await sendOk(gateway, auth, [sms({ content: text, externalMessageId: id, senderName: 'sms_sender' })]);
      const message = await getMessage(gateway, auth, uuid!);
      assert.equal(message.body.content, text);
      assert.equal(message.body.externalMessageId, id);
      assert.equal([...message.body.externalMessageId].length, 100);
    });

    it('a batch reports every such field, in item and field order', async () => {
      const response = await send(gateway, auth, [sms(), sms({ senderName: 'a\ud800', content: 'b\u0000', externalMessageId: '\udfff' })]);
      assert.equal(response.status, 422);
      assert.equal(response.body.error.msg, 'Invalid senderName');
      assert.deepEqual(response.body.error.details, [
        { index: 1, field: 'senderName', msg: DETAIL },
        { index: 1, field: 'content', msg: DETAIL },
        { index: 1, field: 'externalMessageId', msg: DETAIL },
      ]);
    });
  });

  describe('elsewhere in the API', () => {
    it('GET /api/v1/message: a NUL in a text filter is an invalid value of that parameter', async () => {
      for (const key of ['content', 'content_nor', 'sender_name', 'tags', 'message_uuid']) {
        const response = await list(gateway, auth, [[key, 'a\u0000b']]);
        assert.equal(response.status, 422, `${key}: ${response.text}`);
        assert.deepEqual(response.body, { error: { code: 4220, msg: `Invalid ${key}` } });
      }
      // Percent-decoding never yields a lone surrogate: invalid UTF-8 becomes U+FFFD, an ordinary character.
      const fffd = await list(gateway, auth, 'content=%ED%A0%80');
      assert.equal(fffd.status, 200);
    });

    it('POST /api/v1/flashcall-conversion: a code with a NUL or a lone surrogate is invalid', async () => {
      const [uuid] = await sendOk(gateway, auth, [flashcall()]);
      for (const bad of Object.values(BAD)) {
        const body = { messageUuid: uuid, result: 'WRONG_CODE', code: `12${bad}` };
        const response = await call(gateway, 'POST', '/api/v1/flashcall-conversion', { auth, body });
        assert.equal(response.status, 422, response.text);
        assert.deepEqual(response.body, { error: { code: 4220, msg: 'Invalid code' } });
      }
      const ok = await call(gateway, 'POST', '/api/v1/flashcall-conversion', { auth, body: { messageUuid: uuid, result: 'WRONG_CODE', code: '1😀' } });
      assert.equal(ok.status, 200, ok.text);
    });

    it('a key id with a NUL is bad credentials (4012), asked of no store', async () => {
      const response = await call(gateway, 'GET', '/api/v1/balance', { auth: `Basic ${Buffer.from('key\u0000id:secret').toString('base64')}` });
      assert.equal(response.status, 401, response.text);
      assert.deepEqual(response.body, { error: { code: 4012, msg: 'Bad credentials' } });
    });
  });
}, { account: { senders: APPROVED_SENDERS, billing: false } });
