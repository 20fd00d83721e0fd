/**
 * The WhatsApp webhook door (src/http/routes/whatsappWebhooks.ts, src/service/whatsappWebhook.ts) over real HTTP,
 * on SQLite and on PostgreSQL: Meta's subscription check, X-Hub-Signature-256 on the exact bytes, what a signed
 * body may change (only the numbers of the app that signed it), 400 for what is not Meta's envelope, and an
 * inbound message that Meta sends twice stored once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call } from '../support/gateway.js';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from '../support/postgresDatabase.js';
import { senderRow, startWhatsAppPair, TEMPLATES, WA, type WhatsAppTestPair } from '../support/whatsappGateway.js';
import { metaJson, signatureOf } from '../support/whatsappStandIn.js';
import { inboundTextValue, newWamid } from '../support/whatsappWebhookBodies.js';

/** A second number, of another Meta app (another app secret and verify token). */
const B = {
  senderName: 'ShopBotB',
  phoneNumberId: '106540352249999',
  displayPhoneNumber: '15550789999',
  wabaId: '102290129349999',
  appSecret: 'app-secret-2',
  verifyToken: 'verify-me-b',
} as const;

const BAD_SIGNATURE = `sha256=${'0'.repeat(64)}`;

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`WhatsApp webhook door (${backend})`, { skip: backend === 'postgres' && SKIP_WITHOUT_POSTGRES }, () => {
    let pair: WhatsAppTestPair;
    let drop = async (): Promise<void> => {};
    let subscriberSeq = 0;
    /** A fresh subscriber's digits for each use, so that tests never see each other's messages. */
    const subscriber = (): string => `7901${backend === 'sqlite' ? '1' : '2'}${String(++subscriberSeq).padStart(6, '0')}`;

    before(async () => {
      const database = backend === 'postgres' ? await createTestDatabase('dgw_wa_webhook') : null;
      if (database) drop = database.drop;
      pair = await startWhatsAppPair({
        standIn: {
          phoneNumbers: [
            { phoneNumberId: WA.phoneNumberId, displayPhoneNumber: WA.displayPhoneNumber, wabaId: WA.wabaId },
            { phoneNumberId: B.phoneNumberId, displayPhoneNumber: B.displayPhoneNumber, wabaId: B.wabaId },
          ],
          templates: { [WA.wabaId]: TEMPLATES.map((t) => ({ ...t })), [B.wabaId]: TEMPLATES.map((t) => ({ ...t })) },
          // Statuses are posted by the tests, signed (or not) as each test needs.
          statusScript: 'none',
        },
        config: (config) => {
          if (database) config.database = database.url;
          config.whatsapp.senders = [
            senderRow(),
            senderRow({ senderName: B.senderName, phoneNumberId: B.phoneNumberId, wabaId: B.wabaId, appSecret: B.appSecret, verifyToken: B.verifyToken }),
          ];
        },
      });
      await pair.gateway.store.senders.approve({ accountId: pair.accountId, channel: 'WHATSAPP', name: B.senderName, trafficType: null, startsAt: 0 });
    });
    after(async () => {
      await pair?.close();
      await drop();
    });

    const webhookUrl = (): string => `${pair.gateway.url}/webhooks/whatsapp`;
    const post = async (raw: string | Buffer, signature: string | null, contentType = 'application/json') => {
      const headers: Record<string, string> = { 'content-type': contentType };
      if (signature !== null) headers['x-hub-signature-256'] = signature;
      const response = await fetch(webhookUrl(), { method: 'POST', headers, body: typeof raw === 'string' ? raw : new Uint8Array(raw) });
      return { status: response.status, body: await response.text() };
    };
    const inboundFrom = async (digits: string): Promise<any[]> => {
      const listed = await call(pair.gateway, 'GET', '/api/v1/message?direction=inbound&per_page=1000', { auth: pair.auth });
      assert.equal(listed.status, 200, listed.text);
      return (listed.body as any[]).filter((m) => m.senderName === digits);
    };
    /** A template sent through `senderName` and handed off to the stand-in: its uuid and wamid, status not yet reported. */
    const handedOff = async (senderName: string = WA.senderName): Promise<{ uuid: string; wamid: string; to: string }> => {
      const to = subscriber();
      const uuid = await pair.send(to, { contentType: 'template', templateId: 'order_shipped', language: 'en_US', parameters: ['42', '2026-12-04'] }, { senderName });
      await pair.settle();
      const sent = pair.wa.sends.find((s) => s.bizOpaqueCallbackData === uuid);
      assert.ok(sent, 'handed off to the stand-in');
      const message = await pair.message(uuid);
      assert.notEqual(message.status, 'delivered', 'no status was posted yet');
      return { uuid, wamid: sent.wamid, to };
    };
    const statusBody = (phoneNumberId: string, wamid: string, status = 'delivered'): string =>
      metaJson(pair.wa.envelope(phoneNumberId, { statuses: [pair.wa.statusFor(wamid, status)] }));
    const inboundBody = (phoneNumberId: string, from: string, text: string, id?: string): { raw: string; id: string } => {
      const { value, id: messageId } = inboundTextValue(from, text, { timestamp: Math.floor(pair.clock.now() / 1000), ...(id ? { id } : {}) });
      return { raw: metaJson(pair.wa.envelope(phoneNumberId, value)), id: messageId };
    };

    describe('the subscription check (GET)', () => {
      test('the verify token of either number: 200 with exactly the challenge as a text body', async () => {
        for (const token of [WA.verifyToken, B.verifyToken]) {
          const answer = await pair.wa.verifySubscription(token);
          assert.equal(answer.status, 200);
          assert.equal(answer.body, answer.challenge);
        }
        const response = await fetch(`${webhookUrl()}?hub.mode=subscribe&hub.verify_token=${WA.verifyToken}&hub.challenge=1158201444`);
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
        assert.equal(await response.text(), '1158201444');
      });

      test('a wrong token, a missing token, an app secret as the token, a mode other than subscribe, no challenge: 403', async () => {
        for (const token of ['verify-me-not', '', WA.appSecret, WA.verifyToken + ' ', WA.verifyToken.toUpperCase()]) {
          const answer = await pair.wa.verifySubscription(token);
          assert.equal(answer.status, 403, `token ${JSON.stringify(token)}`);
          assert.notEqual(answer.body, answer.challenge);
        }
        for (const mode of ['unsubscribe', '', 'Subscribe']) {
          assert.equal((await pair.wa.verifySubscription(WA.verifyToken, mode)).status, 403, `mode ${JSON.stringify(mode)}`);
        }
        for (const query of ['hub.mode=subscribe&hub.challenge=1', 'hub.verify_token=verify-me&hub.challenge=1', 'hub.mode=subscribe&hub.verify_token=verify-me', '']) {
          const response = await fetch(`${webhookUrl()}?${query}`);
          assert.equal(response.status, 403, query);
          assert.notEqual(await response.text(), '1');
        }
      });
    });

    describe('signatures (POST)', () => {
      test('a status signed with the app secret: 200 and the message is delivered', async () => {
        const { uuid, wamid } = await handedOff();
        const [answer] = await pair.wa.emitStatuses(WA.phoneNumberId, [pair.wa.statusFor(wamid, 'delivered')], { retry: false });
        assert.equal(answer!.status, 200);
        assert.equal((await pair.message(uuid)).status, 'delivered');
      });

      test('a wrong signature, no header, a malformed header, the signature of another secret: 401 and nothing applied', async () => {
        const { uuid, wamid } = await handedOff();
        const raw = statusBody(WA.phoneNumberId, wamid);
        const right = signatureOf(WA.appSecret, raw);
        const wrong = [
          BAD_SIGNATURE,
          signatureOf('another-secret', raw),
          right.slice(7), // the hex without "sha256="
          `sha1=${right.slice(7)}`,
          right.slice(0, -2), // truncated
          `${right}00`,
          right.replace('sha256=', 'sha256= '),
          signatureOf(WA.appSecret, raw + ' '),
        ];
        for (const signature of wrong) {
          const answer = await pair.wa.emitRaw(raw, { signature, retry: false });
          assert.equal(answer.status, 401, signature);
        }
        assert.equal((await pair.wa.emitRaw(raw, { signature: null, retry: false })).status, 401, 'no header');
        assert.equal((await pair.message(uuid)).status, 'sent', 'nothing applied');

        // The same bytes, rightly signed, are then taken (the refusals left nothing behind that stops them).
        assert.equal((await pair.wa.emitRaw(raw, { signature: right, retry: false })).status, 200);
        assert.equal((await pair.message(uuid)).status, 'delivered');
      });

      test('an inbound message with a wrong signature is not stored', async () => {
        const from = subscriber();
        const { raw } = inboundBody(WA.phoneNumberId, from, 'forged');
        assert.equal((await post(raw, BAD_SIGNATURE)).status, 401);
        assert.equal((await post(raw, signatureOf(B.appSecret + 'x', raw))).status, 401);
        assert.deepEqual(await inboundFrom(from), []);
      });

      test('the signature is checked on the bytes as received: keys in another order and other spaces, signed over those bytes, verify', async () => {
        const { uuid, wamid } = await handedOff();
        const status = pair.wa.statusFor(wamid, 'delivered');
        // Hand-written: keys in another order than Meta's, spaces and newlines everywhere, a trailing newline.
        const raw = [
          '{ "entry" : [ {',
          '    "changes": [ { "field": "messages",',
          `      "value": { "statuses": [ ${JSON.stringify(status, null, 1)} ],`,
          `                 "metadata": { "phone_number_id": "${WA.phoneNumberId}", "display_phone_number": "${WA.displayPhoneNumber}" },`,
          '                 "messaging_product": "whatsapp" } } ],',
          `    "id": "${WA.wabaId}" } ],`,
          '  "object": "whatsapp_business_account" }\n',
        ].join('\n');
        assert.deepEqual(JSON.parse(raw), JSON.parse(statusBody(WA.phoneNumberId, wamid)), 'the same JSON');
        assert.equal((await pair.wa.emitRaw(raw, { retry: false })).status, 200);
        assert.equal((await pair.message(uuid)).status, 'delivered');
      });

      test('a body re-serialised after signing (the signature of the original bytes) is refused: 401', async () => {
        const { uuid, wamid } = await handedOff();
        const original = statusBody(WA.phoneNumberId, wamid);
        const signature = signatureOf(WA.appSecret, original);
        const parsed = JSON.parse(original);
        for (const reserialised of [JSON.stringify(parsed, null, 2), JSON.stringify(parsed) + '\n', JSON.stringify({ entry: parsed.entry, object: parsed.object })]) {
          assert.notEqual(reserialised, original);
          assert.equal((await pair.wa.emitRaw(reserialised, { signature, retry: false })).status, 401);
        }
        assert.equal((await pair.message(uuid)).status, 'sent');
      });

      test('non-ASCII text escaped as Meta does (\\uXXXX, surrogate pairs) verifies and is stored as the text', async () => {
        const from = subscriber();
        const text = 'Где мой заказ? 🚚 №42 — «срочно»';
        const answer = await pair.wa.emitInbound(WA.phoneNumberId, from, text, { name: 'Иван Петров', timestamp: Math.floor(pair.clock.now() / 1000), retry: false });
        assert.equal(answer.status, 200);
        const raw = pair.wa.webhookAttempts.at(-1)!.raw;
        assert.ok(/^[\x20-\x7e]*$/.test(raw) && raw.includes('\\u0413') && raw.includes('\\ud83d\\ude9a'), 'the bytes sent are ASCII with escapes');
        const stored = await inboundFrom(from);
        assert.equal(stored.length, 1);
        const content = typeof stored[0].content === 'string' ? stored[0].content : stored[0].content.text;
        assert.equal(content, text);
      });

      test('the same text as raw UTF-8 bytes, signed over those bytes, verifies too; re-escaped it does not', async () => {
        const from = subscriber();
        const text = 'Привет, 世界 🚚';
        const { raw: escaped } = inboundBody(WA.phoneNumberId, from, text);
        const utf8 = Buffer.from(JSON.stringify(JSON.parse(escaped)), 'utf8');
        assert.ok(utf8.length !== Buffer.byteLength(escaped));
        // Signed as escaped, sent as UTF-8: other bytes.
        assert.equal((await post(utf8, signatureOf(WA.appSecret, escaped))).status, 401);
        assert.equal((await post(utf8, signatureOf(WA.appSecret, utf8))).status, 200);
        const stored = await inboundFrom(from);
        assert.equal(stored.length, 1);
        assert.equal(typeof stored[0].content === 'string' ? stored[0].content : stored[0].content.text, text);
      });

      test('a signed body that is not JSON, not UTF-8, or not the envelope: 400 and nothing applied', async () => {
        const from = subscriber();
        const { raw: good } = inboundBody(WA.phoneNumberId, from, 'hello');
        const bodies: (string | Buffer)[] = [
          'not json at all',
          good.slice(0, -1), // cut short
          '',
          'null',
          '[]',
          '"whatsapp_business_account"',
          '{}',
          '{"object":"whatsapp_business_account"}',
          '{"object":"whatsapp_business_account","entry":{}}',
          '{"object":"whatsapp_business_account","entry":[{"changes":"no"}]}',
          '{"entry":[]}',
          Buffer.concat([Buffer.from('{"object":"whatsapp_business_account","entry":[],"x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
        ];
        for (const body of bodies) {
          const answer = await post(body, signatureOf(WA.appSecret, body));
          assert.equal(answer.status, 400, `body ${JSON.stringify(body.toString())}`);
        }
        assert.deepEqual(await inboundFrom(from), []);
      });

      test('a change with a malformed value inside a good envelope is skipped, the others of the body are applied', async () => {
        const ok = subscriber();
        const { value } = inboundTextValue(ok, 'fine', { timestamp: Math.floor(pair.clock.now() / 1000) });
        const envelope = pair.wa.envelope(WA.phoneNumberId, value) as any;
        const bad = { field: 'messages', value: { metadata: { phone_number_id: WA.phoneNumberId }, messages: [{ from: 'not digits', id: 'x', timestamp: 'soon', type: 'text' }] } };
        const accountUpdate = { field: 'account_update', value: { phone_number: WA.displayPhoneNumber, event: 'VERIFIED_ACCOUNT' } };
        envelope.entry[0].changes.unshift(bad, accountUpdate);
        const raw = metaJson(envelope);
        assert.equal((await pair.wa.emitRaw(raw, { retry: false })).status, 200);
        assert.equal((await inboundFrom(ok)).length, 1);
        assert.deepEqual(await inboundFrom('not digits'), []);
      });

      test('a change for a phone_number_id that is not configured is skipped: 200, nothing applied', async () => {
        const from = subscriber();
        const { value } = inboundTextValue(from, 'to a number we do not have', { timestamp: Math.floor(pair.clock.now() / 1000) });
        const raw = metaJson(pair.wa.envelope(WA.phoneNumberId, { ...value, metadata: { display_phone_number: '15550000000', phone_number_id: '999000111222' } }));
        assert.equal((await pair.wa.emitRaw(raw, { retry: false })).status, 200);
        assert.deepEqual(await inboundFrom(from), []);
        // Nor did it open a window: a text to that subscriber is still refused 610.
        const uuid = await pair.send(from, { contentType: 'text', text: 'hello' });
        await pair.settle();
        assert.equal((await pair.message(uuid)).errorCode, 610);
      });

      test('two apps: a body signed by app A applies only the change for A\'s number, one signed by B only B\'s', async () => {
        const toA = subscriber();
        const toB = subscriber();
        const changeA = (pair.wa.envelope(WA.phoneNumberId, inboundTextValue(toA, 'to A', { timestamp: Math.floor(pair.clock.now() / 1000) }).value) as any).entry[0];
        const changeB = (pair.wa.envelope(B.phoneNumberId, inboundTextValue(toB, 'to B', { timestamp: Math.floor(pair.clock.now() / 1000) }).value) as any).entry[0];
        const raw = metaJson({ object: 'whatsapp_business_account', entry: [changeA, changeB] });

        assert.equal((await post(raw, signatureOf(WA.appSecret, raw))).status, 200);
        assert.equal((await inboundFrom(toA)).length, 1);
        assert.equal((await inboundFrom(toA))[0].destination, WA.senderName);
        assert.deepEqual(await inboundFrom(toB), [], 'B\'s change is not covered by A\'s signature');

        assert.equal((await post(raw, signatureOf(B.appSecret, raw))).status, 200);
        assert.equal((await inboundFrom(toB)).length, 1);
        assert.equal((await inboundFrom(toB))[0].destination, B.senderName);
        assert.equal((await inboundFrom(toA)).length, 1, 'A\'s change is not stored twice');
      });

      test('two apps: a status of B\'s message under B\'s number signed by A is not applied; signed by B it is', async () => {
        const { uuid, wamid } = await handedOff(B.senderName);
        const raw = statusBody(B.phoneNumberId, wamid);
        assert.equal((await post(raw, signatureOf(WA.appSecret, raw))).status, 200);
        assert.equal((await pair.message(uuid)).status, 'sent');
        assert.equal((await post(raw, signatureOf(B.appSecret, raw))).status, 200);
        assert.equal((await pair.message(uuid)).status, 'delivered');
      });

      test(
        'two apps: a status of B\'s message (its wamid) under A\'s phone_number_id, signed by A, does not change B\'s message',
        async () => {
          const { uuid, wamid } = await handedOff(B.senderName);
          const raw = statusBody(WA.phoneNumberId, wamid, 'failed');
          assert.equal((await post(raw, signatureOf(WA.appSecret, raw))).status, 200);
          assert.equal((await pair.message(uuid)).status, 'sent', 'A may only affect A\'s number');
        },
      );
    });

    describe('durable intake', () => {
      test('an inbound message Meta delivers twice (a retry, the same bytes) is stored once', async () => {
        const from = subscriber();
        const { raw } = inboundBody(WA.phoneNumberId, from, 'Where is my order?');
        assert.equal((await pair.wa.emitRaw(raw, { retry: false })).status, 200);
        assert.equal((await pair.wa.emitRaw(raw, { retry: false })).status, 200);
        const stored = await inboundFrom(from);
        assert.equal(stored.length, 1);
        assert.equal(stored[0].channelType, 'WHATSAPP');
        assert.equal(stored[0].direction, 'inbound');
        assert.equal(stored[0].destination, WA.senderName);
      });

      test('the same message id in another batch, with other bytes around it, and concurrently: still stored once', async () => {
        const from = subscriber();
        const id = newWamid(from);
        const first = inboundBody(WA.phoneNumberId, from, 'once', id);
        const second = inboundBody(WA.phoneNumberId, from, 'once', id);
        const other = inboundBody(WA.phoneNumberId, from, 'another message');
        const batched = JSON.parse(second.raw);
        batched.entry[0].changes[0].value.messages.push(JSON.parse(other.raw).entry[0].changes[0].value.messages[0]);
        assert.equal((await pair.wa.emitInbound(WA.phoneNumberId, from, 'once', { id, timestamp: Math.floor(pair.clock.now() / 1000), retry: false })).status, 200);
        const answers = await Promise.all([first.raw, first.raw, metaJson(batched), metaJson(batched)].map((raw) => pair.wa.emitRaw(raw, { retry: false })));
        assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200]);
        const stored = await inboundFrom(from);
        assert.equal(stored.length, 2, 'the message and the other one, once each');
        const texts = stored.map((m) => (typeof m.content === 'string' ? m.content : m.content.text)).sort();
        assert.deepEqual(texts, ['another message', 'once']);
      });

      test('a status delivered twice, and delivered after read, leaves the message read', async () => {
        const { uuid, wamid } = await handedOff();
        const delivered = pair.wa.statusFor(wamid, 'delivered');
        const read = pair.wa.statusFor(wamid, 'read');
        for (const statuses of [[delivered], [read], [delivered], [delivered, read, delivered]]) {
          const [answer] = await pair.wa.emitStatuses(WA.phoneNumberId, statuses, { retry: false });
          assert.equal(answer!.status, 200);
        }
        const message = await pair.message(uuid);
        assert.equal(message.status, 'read');
      });
    });
  });
}
