/**
 * The WhatsApp Cloud API stand-in itself, over real HTTP: what it answers, what it records, and the webhooks
 * it signs and retries. The gateway's WhatsApp tests rely on these shapes being Meta's.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startCallbackReceiver, type CallbackReceiver } from '../support/callbackReceiver.js';
import { startWhatsAppStandIn, type WhatsAppStandIn, type WhatsAppStandInOptions } from '../support/whatsappStandIn.js';

const TOKEN = 'EAAG-test-token';
const SECRET = 'app-secret';
const PHONE = { phoneNumberId: '106540352242922', displayPhoneNumber: '15550783881', wabaId: '102290129340398' };
const TEMPLATES = [
  { id: '9001', name: 'otp', language: 'en_US', status: 'APPROVED', category: 'AUTHENTICATION', bodyText: 'Your code is {{1}}' },
  { id: '9002', name: 'order_ready', language: 'en_US', status: 'APPROVED', category: 'UTILITY', bodyText: 'Order {{1}} is ready' },
  { id: '9003', name: 'promo', language: 'en_US', status: 'PAUSED', category: 'MARKETING', bodyText: 'Sale!' },
];

async function standIn(options: Partial<WhatsAppStandInOptions> = {}): Promise<WhatsAppStandIn> {
  return startWhatsAppStandIn({
    accessToken: TOKEN,
    appSecret: SECRET,
    phoneNumbers: [PHONE],
    templates: { [PHONE.wabaId]: TEMPLATES },
    statusScript: 'none',
    ...options,
  });
}

/** A send as the connector would make it. */
async function post(wa: WhatsAppStandIn, body: unknown, token = TOKEN, phoneNumberId = PHONE.phoneNumberId): Promise<{ status: number; json: any }> {
  const response = await fetch(`${wa.baseUrl}/v21.0/${phoneNumberId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

const text = (to: string, body = 'hello', extra: object = {}) => ({ messaging_product: 'whatsapp', to, type: 'text', text: { body }, ...extra });

const verifies = (raw: string, header: string | string[] | undefined): boolean =>
  header === 'sha256=' + createHmac('sha256', SECRET).update(raw).digest('hex');

describe('WhatsApp stand-in: sends', () => {
  let wa: WhatsAppStandIn;
  before(async () => (wa = await standIn({ throughputPerSecond: 1000 })));
  after(() => wa.close());

  test('a text send gets Meta’s answer and is recorded', async () => {
    const { status, json } = await post(wa, text('+1 (650) 555-1234', 'hi', { biz_opaque_callback_data: 'ref-1' }));
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(json), ['messaging_product', 'contacts', 'messages']);
    assert.deepEqual(json.contacts, [{ input: '+1 (650) 555-1234', wa_id: '16505551234' }]);
    assert.match(json.messages[0].id, /^wamid\./);
    assert.equal(json.messages[0].message_status, undefined, 'message_status is for templates only');
    const send = wa.sends.at(-1)!;
    assert.equal(send.wamid, json.messages[0].id);
    assert.equal(send.bizOpaqueCallbackData, 'ref-1');
    assert.equal(wa.requests.at(-1)!.headers.authorization, `Bearer ${TOKEN}`);
  });

  test('a template send is answered with message_status accepted', async () => {
    const template = { name: 'otp', language: { policy: 'deterministic', code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '123456' }] }] };
    const { status, json } = await post(wa, { messaging_product: 'whatsapp', to: '16505550000', type: 'template', template });
    assert.equal(status, 200);
    assert.equal(json.messages[0].message_status, 'accepted');
    assert.deepEqual(wa.sends.at(-1)!.template, { name: 'otp', languageCode: 'en_US', parameters: ['123456'], category: 'AUTHENTICATION' });
  });

  test('a wrong or missing token is 401, code 190, OAuthException', async () => {
    for (const token of ['wrong', '']) {
      const { status, json } = await post(wa, text('16505551234'), token);
      assert.equal(status, 401);
      assert.equal(json.error.code, 190);
      assert.equal(json.error.type, 'OAuthException');
      assert.equal(typeof json.error.fbtrace_id, 'string');
    }
  });

  test('bad bodies are 400 with Meta’s codes', async () => {
    const tooLong = await post(wa, text('16505551234', 'x'.repeat(4097)));
    assert.equal(tooLong.status, 400);
    assert.equal(tooLong.json.error.code, 100);
    const wrongProduct = await post(wa, { ...text('16505551234'), messaging_product: 'sms' });
    assert.equal(wrongProduct.json.error.code, 100);
    const params = await post(wa, { messaging_product: 'whatsapp', to: '16505551234', type: 'template', template: { name: 'otp', language: { code: 'en_US' } } });
    assert.equal(params.json.error.code, 132000);
    assert.equal(params.json.error.error_data.messaging_product, 'whatsapp');
    const paused = await post(wa, { messaging_product: 'whatsapp', to: '16505551234', type: 'template', template: { name: 'promo', language: { code: 'en_US' } } });
    assert.equal(paused.json.error.code, 132015);
  });

  test('an unknown phone number id is Graph’s unsupported post request', async () => {
    const { status, json } = await post(wa, text('16505551234'), TOKEN, '999');
    assert.equal(status, 400);
    assert.equal(json.error.code, 100);
    assert.equal(json.error.error_subcode, 33);
    assert.match(json.error.message, /^Unsupported post request/);
  });

  test('failNext and failFor answer the code with its HTTP status', async () => {
    wa.failNext(131000, { count: 1 });
    assert.equal((await post(wa, text('16505551234'))).status, 500);
    wa.failFor('16505559999', 131026);
    const { status, json } = await post(wa, text('16505559999'));
    assert.equal(status, 400);
    assert.equal(json.error.message, '(#131026) Message Undeliverable');
    wa.clearFailFor();
    assert.equal((await post(wa, text('16505559999'))).status, 200);
  });

  test('hangNext leaves a send unanswered; rawNext answers a proxy’s 500 page', async () => {
    wa.hangNext();
    const request = JSON.stringify(text('16505551234'));
    const hung = fetch(`${wa.baseUrl}/v21.0/${PHONE.phoneNumberId}/messages`, { method: 'POST', body: request, signal: AbortSignal.timeout(100) });
    await assert.rejects(hung, { name: 'TimeoutError' });
    wa.rawNext(500, '<html>Internal Server Error</html>');
    const response = await fetch(`${wa.baseUrl}/v21.0/${PHONE.phoneNumberId}/messages`, { method: 'POST', body: request });
    assert.deepEqual([response.status, await response.text()], [500, '<html>Internal Server Error</html>']);
  });
});

describe('WhatsApp stand-in: limits', () => {
  test('two sends to one recipient inside pairIntervalMs: the second is 131056', async () => {
    const wa = await standIn({ pairIntervalMs: 10_000 });
    try {
      assert.equal((await post(wa, text('16505551234'))).status, 200);
      const second = await post(wa, text('16505551234'));
      assert.equal(second.json.error.code, 131056);
      assert.equal((await post(wa, text('16505550001'))).status, 200, 'another recipient is not held back');
    } finally {
      await wa.close();
    }
  });

  test('sends beyond throughputPerSecond in one second are 130429', async () => {
    const wa = await standIn({ throughputPerSecond: 2 });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(wa, text(`1650555000${i}`))).json.error?.code ?? 200);
      assert.deepEqual(statuses, [200, 200, 130429]);
    } finally {
      await wa.close();
    }
  });
});

describe('WhatsApp stand-in: message_templates', () => {
  test('pages with limit and after; next only while more remain', async () => {
    const wa = await standIn();
    try {
      const get = async (url: string) => (await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as Promise<any>;
      const first = await get(`${wa.baseUrl}/v21.0/${PHONE.wabaId}/message_templates?limit=2&fields=name,status`);
      assert.deepEqual(first.data.map((t: any) => t.name), ['otp', 'order_ready']);
      assert.deepEqual(Object.keys(first.data[0]).sort(), ['id', 'name', 'status']);
      assert.equal(typeof first.paging.cursors.after, 'string');
      const second = await get(first.paging.next);
      assert.deepEqual(second.data.map((t: any) => t.name), ['promo']);
      assert.equal(second.paging.next, undefined);
      const full = await get(`${wa.baseUrl}/v21.0/${PHONE.wabaId}/message_templates`);
      assert.deepEqual(full.data[0].components, [{ type: 'BODY', text: 'Your code is {{1}}' }]);
    } finally {
      await wa.close();
    }
  });
});

describe('WhatsApp stand-in: webhooks', () => {
  let receiver: CallbackReceiver;
  before(async () => (receiver = await startCallbackReceiver()));
  after(() => receiver.close());

  test('a send is followed by signed sent and delivered statuses with pricing', async () => {
    const wa = await standIn({ statusScript: 'delivered', webhookUrl: receiver.url('/wa') });
    try {
      const start = receiver.requests.length;
      const { json } = await post(wa, text('16505551234', 'héllo', { biz_opaque_callback_data: 'ref-9' }));
      await wa.idle();
      const hooks = receiver.requests.slice(start);
      assert.equal(hooks.length, 2);
      for (const hook of hooks) assert.ok(verifies(hook.raw, hook.headers['x-hub-signature-256']), 'signed over the raw bytes');
      const statuses = hooks.map((h: any) => h.body.entry[0].changes[0].value.statuses[0]);
      assert.deepEqual(statuses.map((s) => s.status), ['sent', 'delivered']);
      assert.equal(statuses[0].id, json.messages[0].id);
      assert.equal(statuses[0].biz_opaque_callback_data, 'ref-9');
      assert.deepEqual(statuses[0].pricing, { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' });
      assert.match(statuses[0].timestamp, /^\d+$/);
      const envelope = hooks[0]!.body as any;
      assert.equal(envelope.object, 'whatsapp_business_account');
      assert.equal(envelope.entry[0].id, PHONE.wabaId);
      assert.deepEqual(envelope.entry[0].changes[0].value.metadata, { display_phone_number: PHONE.displayPhoneNumber, phone_number_id: PHONE.phoneNumberId });
    } finally {
      await wa.close();
    }
  });

  test('an async failure answers 200, then posts a failed status with errors', async () => {
    const wa = await standIn({ webhookUrl: receiver.url('/wa') });
    try {
      wa.failFor('16505557777', 131047, { mode: 'async' });
      const start = receiver.requests.length;
      assert.equal((await post(wa, text('16505557777'))).status, 200);
      await wa.idle();
      const status = (receiver.requests[start]!.body as any).entry[0].changes[0].value.statuses[0];
      assert.equal(status.status, 'failed');
      assert.equal(status.errors[0].code, 131047);
      assert.equal(typeof status.errors[0].error_data.details, 'string');
      assert.equal(status.pricing, undefined);
    } finally {
      await wa.close();
    }
  });

  test('a webhook not answered 200 is retried until it is', async () => {
    const wa = await standIn({ webhookUrl: receiver.url('/retry'), webhookRetryDelaysMs: [10, 10, 10] });
    try {
      receiver.answerWith((_, request) => (request.path === '/retry' && receiver.requests.filter((r) => r.path === '/retry').length <= 2 ? 503 : 200));
      const answer = await wa.emitInbound(PHONE.phoneNumberId, '16505551234', 'ping', { name: 'Ann' });
      assert.equal(answer.status, 503);
      await wa.idle();
      assert.deepEqual(wa.webhookAttempts.map((a) => a.status), [503, 503, 200]);
      const value = (receiver.requests.at(-1)!.body as any).entry[0].changes[0].value;
      assert.deepEqual(value.contacts, [{ profile: { name: 'Ann' }, wa_id: '16505551234' }]);
      assert.equal(value.messages[0].id, answer.messageId);
    } finally {
      receiver.answerWith(() => 200);
      await wa.close();
    }
  });

  test('bodies are Meta’s bytes: non-ASCII escaped, signed as sent', async () => {
    const wa = await standIn({ webhookUrl: receiver.url('/bytes') });
    try {
      await wa.emitInbound(PHONE.phoneNumberId, '16505551234', 'héllo 👋');
      const hook = receiver.requests.at(-1)!;
      assert.ok(hook.raw.includes('"body":"h\\u00e9llo \\ud83d\\udc4b"'), hook.raw);
      assert.ok(verifies(hook.raw, hook.headers['x-hub-signature-256']));
      assert.ok(!verifies(JSON.stringify(hook.body), hook.headers['x-hub-signature-256']), 're-serialised JSON does not verify');
    } finally {
      await wa.close();
    }
  });

  test('emitRaw sends a chosen signature or none', async () => {
    const wa = await standIn({ webhookUrl: receiver.url('/raw'), webhookRetryDelaysMs: false });
    try {
      const body = JSON.stringify(wa.envelope(PHONE.phoneNumberId, { statuses: [] }), null, 2);
      await wa.emitRaw(body, { signature: 'sha256=00' });
      await wa.emitRaw(body, { signature: null });
      const [wrong, none] = receiver.requests.slice(-2);
      assert.equal(wrong!.headers['x-hub-signature-256'], 'sha256=00');
      assert.equal(none!.headers['x-hub-signature-256'], undefined);
      assert.equal(none!.raw, body);
    } finally {
      await wa.close();
    }
  });

  test('verifySubscription makes Meta’s GET and returns the answer', async () => {
    // A receiver that echoes hub.challenge when the verify token matches, as the gateway should.
    const echo = http.createServer((req, res) => {
      const query = new URL(req.url ?? '', 'http://x').searchParams;
      const ok = query.get('hub.mode') === 'subscribe' && query.get('hub.verify_token') === 'vt';
      res.writeHead(ok ? 200 : 403).end(ok ? query.get('hub.challenge') : '');
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const wa = await standIn({ webhookUrl: `http://127.0.0.1:${(echo.address() as AddressInfo).port}/wa` });
    try {
      const good = await wa.verifySubscription('vt');
      assert.deepEqual([good.status, good.body], [200, good.challenge]);
      assert.equal((await wa.verifySubscription('nope')).status, 403);
    } finally {
      await wa.close();
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});
