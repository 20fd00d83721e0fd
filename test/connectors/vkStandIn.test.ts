/**
 * The VK stand-ins themselves, over real HTTP: the VK-notifications provider (vkProviderStandIn.ts) and VK's API
 * for communities (vkCommunityStandIn.ts) — what they answer, what they record, and the callbacks they sign,
 * script and retry. The gateway's VK tests rely on these shapes.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { onReceived, type ReceivedRequest } from '../support/receivedRequest.js';
import { startVkCommunityStandIn, type VkCommunityStandIn, type VkCommunityStandInOptions } from '../support/vkCommunityStandIn.js';
import { startVkProviderStandIn, type VkProviderStandIn, type VkProviderStandInOptions } from '../support/vkProviderStandIn.js';

const AUTH = 'Bearer prov-token';
const SECRET = 'cb-secret';
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A callback receiver that checks X-Signature (401 when wrong) and otherwise answers as `answer` says. */
interface Receiver {
  url: string;
  requests: Array<ReceivedRequest & { signed: boolean }>;
  answer: (index: number) => { status: number; body: string };
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', requests: [], answer: () => ({ status: 200, body: 'ok' }), close: async () => undefined };
  const server = http.createServer((req, res) =>
    onReceived(req, (received) => {
      const expected = createHmac('sha256', SECRET).update(received.raw).digest('hex');
      const signed = received.headers['x-signature'] === expected;
      receiver.requests.push({ ...received, signed });
      const { status, body } = signed || received.headers['x-signature'] === undefined ? receiver.answer(receiver.requests.length - 1) : { status: 401, body: 'bad signature' };
      res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/vk/callback`;
  receiver.close = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  return receiver;
}

const provider = (options: VkProviderStandInOptions = {}): Promise<VkProviderStandIn> =>
  startVkProviderStandIn({ authValue: AUTH, callbackSecret: SECRET, script: 'none', ...options });

const item = (phone: string, callbackData: string, extra: object = {}) => ({
  phone,
  service: 'shop',
  text: 'Your code 1234',
  routes: ['VK'],
  validity: 600,
  callbackData,
  ...extra,
});

async function send(vk: VkProviderStandIn, body: unknown, headers: Record<string, string> = { authorization: AUTH }): Promise<{ status: number; json: any }> {
  const response = await fetch(`${vk.baseUrl}/vk/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text.startsWith('{') ? JSON.parse(text) : text };
}

describe('VK provider stand-in: requests', () => {
  let vk: VkProviderStandIn;
  before(async () => (vk = await provider({ services: ['shop', 'bank', 'old'], disabledServices: ['old'], groupRatePerSecond: 0, dailyLimit: 0 })));
  after(() => vk.close());

  test('wrong or missing auth is 401 unauthorized; the header name is configurable', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }] as Record<string, string>[]) {
      const { status, json } = await send(vk, { messages: [item('79001234567', 'u-auth')] }, headers);
      assert.equal(status, 401);
      assert.equal(json.error.code, 'unauthorized');
      assert.equal(typeof json.error.message, 'string');
    }
    const keyed = await provider({ authHeader: 'X-Api-Key', authValue: 'k1' });
    try {
      assert.equal((await send(keyed, { messages: [item('79001234567', 'u-k')] }, { 'x-api-key': 'k1' })).status, 200);
      assert.equal((await send(keyed, { messages: [item('79001234567', 'u-k2')] }, { authorization: AUTH })).status, 401);
    } finally {
      await keyed.close();
    }
    assert.equal(vk.sends.length, 0);
  });

  test('malformed bodies are 400 invalid_request, naming the field', async () => {
    const bad: Array<[unknown, RegExp]> = [
      ['not json', /object/],
      [{ items: [] }, /messages/],
      [{ messages: [] }, /empty/],
      [{ messages: Array.from({ length: 1001 }, (_, i) => item('79001234567', `u${i}`)) }, /1000/],
      [{ messages: [item('79001234567', 'a'), { ...item('', 'b') }] }, /messages\[1\]\.phone/],
      [{ messages: [{ ...item('79001234567', 'a'), service: undefined }] }, /service/],
      [{ messages: [{ ...item('79001234567', 'a'), callbackData: undefined }] }, /callbackData/],
      [{ messages: [item('79001234567', 'a', { routes: ['SMS'] })] }, /routes/],
      [{ messages: [item('79001234567', 'a', { validity: 14 })] }, /validity/],
      [{ messages: [item('79001234567', 'a', { validity: 86_401 })] }, /validity/],
      [{ messages: [item('79001234567', 'a', { text: undefined })] }, /text or templateId/],
    ];
    for (const [body, message] of bad) {
      const { status, json } = await send(vk, body);
      assert.equal(status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(json.error.code, 'invalid_request');
      assert.match(json.error.message, message);
    }
    assert.equal(vk.sends.length, 0);
    const template = await send(vk, { messages: [item('79001234567', 'tpl', { text: undefined, templateId: 'otp', templateData: { code: '1' } })] });
    assert.equal(template.status, 200);
    assert.deepEqual(vk.sends.at(-1)!.templateData, { code: '1' });
  });

  test('queued failures and hangs come before any check', async () => {
    vk.failNextRequests(1, 503);
    vk.failNextRequests(1, 502, '<html>bad gateway</html>');
    const first = await send(vk, 'garbage', {});
    assert.equal(first.status, 503);
    assert.equal(first.json.error.code, 'internal_error');
    assert.deepEqual(await send(vk, 'garbage', {}), { status: 502, json: '<html>bad gateway</html>' });
    vk.hangNext(1);
    const hung = fetch(`${vk.baseUrl}/vk/messages`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(150) });
    await assert.rejects(hung, /TimeoutError|aborted/);
    assert.equal(vk.requests.at(-1)!.status, 'hang');
  });

  test('per-item results come in the request order; dedupe by callbackData answers the same id', async () => {
    vk.failFor('79000000003', 'not_vk_user');
    const { status, json } = await send(vk, {
      messages: [
        item('79000000001', 'd-1'),
        item('79000000002', 'd-2', { service: 'nobody' }),
        item('79000000003', 'd-3'),
        item('79000000004', 'd-4', { service: 'old' }),
        item('79000000005', 'd-5', { service: 'bank', callbackUrl: 'http://127.0.0.1:1/cb' }),
      ],
    });
    assert.equal(status, 200);
    const rows = json.messages;
    assert.deepEqual(rows.map((r: any) => r.callbackData), ['d-1', 'd-2', 'd-3', 'd-4', 'd-5']);
    assert.deepEqual(rows.map((r: any) => r.error?.code ?? 'ok'), ['ok', 'service_unknown', 'not_vk_user', 'service_disabled', 'ok']);
    assert.equal(typeof rows[0].id, 'string');
    assert.notEqual(rows[0].id, rows[4].id);
    assert.equal(vk.batchSizes.at(-1), 5);
    const before = vk.sends.length;
    const again = await send(vk, { messages: [item('79000000001', 'd-1'), item('79000000003', 'd-6')] });
    assert.equal(again.json.messages[0].id, rows[0].id);
    assert.equal(again.json.messages[1].error.code, 'not_vk_user');
    assert.equal(vk.sends.length, before);
    assert.equal(vk.duplicates, 1);
    vk.clearFailFor();
    const send5 = vk.sends.find((s) => s.callbackData === 'd-5')!;
    assert.equal(send5.callbackUrl, 'http://127.0.0.1:1/cb');
    assert.equal(send5.service, 'bank');
    assert.equal(vk.requests.at(-1)!.headers.authorization, AUTH);
  });
});

describe('VK provider stand-in: limits', () => {
  test('group rate: accepted items per service per sliding second', async () => {
    const vk = await provider({ groupRatePerSecond: 3, dailyLimit: 0 });
    try {
      const messages = [1, 2, 3, 4, 5].map((n) => item(`7900000000${n}`, `r-${n}`));
      const { json } = await send(vk, { messages: [...messages, item('79000000009', 'r-other', { service: 'bank' })] });
      assert.deepEqual(json.messages.map((r: any) => r.error?.code ?? 'ok'), ['ok', 'ok', 'ok', 'rate_limited', 'rate_limited', 'ok']);
      await new Promise((resolve) => setTimeout(resolve, 1050));
      assert.equal((await send(vk, { messages: [item('79000000004', 'r-4')] })).json.messages[0].error, undefined);
    } finally {
      await vk.close();
    }
  });

  test('daily limit per (service, phone) over 24 h of the stand-in clock', async () => {
    let clock = Date.parse('2026-05-01T10:00:00Z');
    const vk = await provider({ groupRatePerSecond: 0, dailyLimit: 2, now: () => clock });
    try {
      const codes = async (...messages: object[]) => (await send(vk, { messages })).json.messages.map((r: any) => r.error?.code ?? 'ok');
      assert.deepEqual(await codes(item('79001', 'y-1'), item('79001', 'y-2'), item('79001', 'y-3'), item('79002', 'y-4')), ['ok', 'ok', 'daily_limit', 'ok']);
      assert.deepEqual(await codes(item('79001', 'y-5', { service: 'bank' })), ['ok']);
      clock += 23 * 3_600_000;
      assert.deepEqual(await codes(item('79001', 'y-6')), ['daily_limit']);
      vk.advanceDays(1);
      assert.deepEqual(await codes(item('79001', 'y-7')), ['ok']);
      assert.equal(vk.sends.at(-1)!.at, clock + 86_400_000);
    } finally {
      await vk.close();
    }
  });
});

describe('VK provider stand-in: status callbacks', () => {
  let receiver: Receiver;
  before(async () => (receiver = await startReceiver()));
  after(() => receiver.close());

  test('scripted sent, delivered, read: signed, delayed, to the item URL or the default', async () => {
    receiver.requests.length = 0;
    const vk = await provider({ script: 'read', statusDelayMs: 30, callbackUrl: receiver.url, groupRatePerSecond: 0 });
    try {
      const { json } = await send(vk, { messages: [item('79001', 's-1'), item('79002', 's-2', { callbackUrl: receiver.url + '?item=2' })] });
      const sentAt = Date.now();
      await vk.idle();
      assert.equal(receiver.requests.length, 6);
      assert.ok(receiver.requests.every((r) => r.signed && r.headers['content-type'] === 'application/json'));
      const events = receiver.requests.map((r) => r.body as any);
      const of = (data: string) => events.filter((e) => e.callbackData === data);
      assert.deepEqual(of('s-1').map((e) => e.status), ['sent', 'delivered', 'read']);
      assert.deepEqual(Object.keys(of('s-1')[0]), ['id', 'callbackData', 'status', 'time']);
      assert.ok(of('s-1').every((e) => e.id === json.messages[0].id && ISO_MS.test(e.time)));
      assert.ok(receiver.requests.filter((r) => r.path.endsWith('?item=2')).length === 3);
      assert.ok(receiver.requests.at(-1)!.receivedAt - sentAt >= 80, 'three waits of 30 ms');
    } finally {
      await vk.close();
    }
  });

  test('inactive and non-VK users get not_delivered; a delivery later than the validity gets expired', async () => {
    receiver.requests.length = 0;
    const vk = await provider({ script: 'read', callbackUrl: receiver.url, groupRatePerSecond: 0 });
    try {
      vk.inactive('79001');
      vk.notVkUser('79002');
      vk.delayDelivery('79003', 20_000);
      vk.delayDelivery('79004', 10);
      await send(vk, { messages: [item('79001', 'n-1'), item('79002', 'n-2'), item('79003', 'n-3', { validity: 15 }), item('79004', 'n-4', { validity: 15 })] });
      await vk.idle();
      const trail = (data: string) => receiver.requests.map((r) => r.body as any).filter((e) => e.callbackData === data).map((e) => e.status + (e.reason ? `:${e.reason}` : ''));
      assert.deepEqual(trail('n-1'), ['sent', 'not_delivered:inactive_user']);
      assert.deepEqual(trail('n-2'), ['sent', 'not_delivered:not_vk_user']);
      assert.deepEqual(trail('n-3'), ['sent', 'expired']);
      assert.deepEqual(trail('n-4'), ['sent', 'delivered', 'read']);
      const late = await vk.emitStatus(vk.statusFor(vk.sends[2]!.id, 'delivered'));
      assert.deepEqual(late, { status: 200, body: 'ok' });
      assert.equal((receiver.requests.at(-1)!.body as any).status, 'delivered');
    } finally {
      await vk.close();
    }
  });

  test('non-2xx answers are retried; retries can be off', async () => {
    receiver.requests.length = 0;
    receiver.answer = (index) => (index < 2 ? { status: 500, body: 'oops' } : { status: 204, body: '' });
    const vk = await provider({ script: 'sent', callbackUrl: receiver.url, retryDelaysMs: [20, 20, 20] });
    try {
      await send(vk, { messages: [item('79001', 'x-1')] });
      await vk.idle();
      assert.deepEqual(vk.callbackAttempts.map((a) => [a.attempt, a.status]), [[1, 500], [2, 500], [3, 204]]);
      assert.ok(vk.callbackAttempts.every((a) => a.raw === vk.callbackAttempts[0]!.raw));
    } finally {
      await vk.close();
    }
    receiver.answer = () => ({ status: 503, body: '' });
    const once = await provider({ script: 'sent', callbackUrl: receiver.url, retryDelaysMs: false });
    try {
      await send(once, { messages: [item('79001', 'x-2')] });
      await once.idle();
      assert.equal(once.callbackAttempts.length, 1);
    } finally {
      receiver.answer = () => ({ status: 200, body: 'ok' });
      await once.close();
    }
  });

  test('batch callbacks post arrays of the events due together', async () => {
    receiver.requests.length = 0;
    const vk = await provider({ script: 'delivered', batchCallbacks: true, callbackUrl: receiver.url, groupRatePerSecond: 0 });
    try {
      await send(vk, { messages: [item('79001', 'b-1'), item('79002', 'b-2'), item('79003', 'b-3')] });
      await vk.idle();
      assert.equal(receiver.requests.length, 2);
      assert.ok(receiver.requests.every((r) => r.signed && Array.isArray(r.body)));
      assert.deepEqual((receiver.requests[0]!.body as any[]).map((e) => `${e.callbackData}:${e.status}`), ['b-1:sent', 'b-2:sent', 'b-3:sent']);
      assert.deepEqual((receiver.requests[1]!.body as any[]).map((e) => e.status), ['delivered', 'delivered', 'delivered']);
    } finally {
      await vk.close();
    }
  });

  test('emitStatus posts what the test builds: wrong secret, tampered body, arrays', async () => {
    receiver.requests.length = 0;
    const vk = await provider({ callbackUrl: receiver.url, retryDelaysMs: false });
    try {
      await send(vk, { messages: [item('79001', 'e-1')] });
      const event = vk.statusFor(vk.sends[0]!.id, 'read');
      assert.equal((await vk.emitStatus(event, { secret: 'wrong' })).status, 401);
      const raw = JSON.stringify(event);
      const signature = createHmac('sha256', SECRET).update(raw).digest('hex');
      assert.equal((await vk.emitStatus(event, { rawBody: raw.replace('read', 'sent'), signature })).status, 401);
      assert.equal((await vk.emitStatus([event, event])).status, 200);
      assert.deepEqual(receiver.requests.at(-1)!.body, [event, event]);
      assert.equal(vk.callbackAttempts.at(-1)!.headers['x-signature'], createHmac('sha256', SECRET).update(JSON.stringify([event, event])).digest('hex'));
      await vk.idle();
    } finally {
      await vk.close();
    }
  });
});

// ---- VK API for communities ----------------------------------------------------------------------------------

const TOKEN = 'vk1.a.community';
const community = (options: VkCommunityStandInOptions = {}): Promise<VkCommunityStandIn> =>
  startVkCommunityStandIn({ accessToken: TOKEN, groupId: 229000001, secret: 'grp-secret', confirmationCode: 'c0nf1rm', ...options });

async function call(vk: VkCommunityStandIn, params: Record<string, string | number>, how: 'form' | 'json' | 'query' = 'form', token: string | null = TOKEN): Promise<any> {
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  const strings = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const url = `${vk.baseUrl}/method/messages.send` + (how === 'query' ? '?' + new URLSearchParams(strings) : '');
  const body = how === 'form' ? new URLSearchParams(strings).toString() : how === 'json' ? JSON.stringify(params) : undefined;
  if (how !== 'query') headers['content-type'] = how === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
  const response = await fetch(url, { method: 'POST', headers, body });
  assert.equal(response.status, 200, 'VK always answers 200');
  return response.json();
}

const msg = (peer: number, randomId: number, message = 'hello') => ({ peer_id: peer, message, random_id: randomId, v: '5.199' });

describe('VK community stand-in: messages.send', () => {
  let vk: VkCommunityStandIn;
  before(async () => (vk = await community({ ratePerSecond: 0 })));
  after(() => vk.close());

  test('sends answer increasing message ids, from form, JSON or query parameters', async () => {
    assert.deepEqual(await call(vk, msg(100, 1)), { response: 1001 });
    assert.deepEqual(await call(vk, msg(200, 2), 'json'), { response: 1002 });
    assert.deepEqual(await call(vk, { ...msg(100, 3), access_token: TOKEN }, 'query', null), { response: 1003 });
    assert.deepEqual(vk.sends.map((s) => [s.messageId, s.peerId, s.randomId, s.conversationMessageId]), [[1001, 100, 1, 1], [1002, 200, 2, 1], [1003, 100, 3, 2]]);
    assert.equal(vk.sends[0]!.text, 'hello');
  });

  test('error answers: 5, 8, 100, 900, 901, 902, 914 and queued 6 / 9, with request_params', async () => {
    const code = async (params: Record<string, string | number>, token: string | null = TOKEN) => (await call(vk, params, 'form', token)).error?.error_code;
    const wrong = await call(vk, msg(100, 10), 'form', 'nope');
    assert.equal(wrong.error.error_code, 5);
    assert.equal(wrong.error.error_msg, 'User authorization failed: invalid access_token (4).');
    assert.ok(wrong.error.request_params.some((p: any) => p.key === 'v' && p.value === '5.199'));
    assert.ok(!wrong.error.request_params.some((p: any) => p.key === 'access_token'));
    assert.equal(await code(msg(100, 10), null), 5);
    assert.equal((await call(vk, { ...msg(100, 10), v: '' })).error.error_msg, 'Invalid request: v is required');
    assert.equal(await code({ ...msg(100, 10), v: '4.0' }), 8);
    assert.equal(await code({ message: 'x', random_id: 1, v: '5.199' }), 100);
    vk.blockedPeer(900);
    vk.noPermission(901);
    vk.privacy(902);
    assert.equal(await code(msg(900, 11)), 900);
    assert.equal(await code(msg(901, 12)), 901);
    assert.equal((await call(vk, msg(902, 13))).error.error_msg, "Can't send messages to this user due to their privacy settings");
    assert.equal(await code(msg(100, 14, 'x'.repeat(4097))), 914);
    assert.equal(await code(msg(100, 15, 'x'.repeat(4096))), undefined);
    vk.failNext(1, 6);
    vk.failNext(1, 9);
    assert.equal(await code(msg(100, 16)), 6);
    assert.equal((await call(vk, msg(100, 16))).error.error_msg, 'Flood control');
    assert.equal(typeof (await call(vk, msg(100, 16))).response, 'number', 'the retry goes through');
  });

  test('a repeated (peer_id, random_id) answers the same id and sends nothing', async () => {
    const before = vk.sends.length;
    const first = await call(vk, msg(300, 777));
    assert.deepEqual(await call(vk, msg(300, 777, 'other text')), first);
    assert.notDeepEqual(await call(vk, msg(301, 777)), first, 'another peer is another message');
    assert.equal(vk.sends.length, before + 2);
    assert.equal(vk.duplicates, 1);
  });

  test('more than ratePerSecond calls in a second → 6', async () => {
    const limited = await community({ ratePerSecond: 3 });
    try {
      const codes = [];
      for (let i = 1; i <= 5; i++) codes.push((await call(limited, msg(100, i))).error?.error_code ?? 'ok');
      assert.deepEqual(codes, ['ok', 'ok', 'ok', 6, 6]);
      assert.equal((await call(limited, {}, 'form')).error.error_code, 8);
    } finally {
      await limited.close();
    }
  });
});

describe('VK community stand-in: Callback API', () => {
  let receiver: Receiver;
  before(async () => (receiver = await startReceiver()));
  after(() => receiver.close());

  test('confirmation: resolves with the gateway’s answer text', async () => {
    receiver.requests.length = 0;
    receiver.answer = () => ({ status: 200, body: 'c0nf1rm' });
    const vk = await community({ callbackUrl: receiver.url });
    try {
      assert.equal(await vk.confirm(), 'c0nf1rm');
      assert.deepEqual(receiver.requests[0]!.body, { type: 'confirmation', group_id: 229000001 });
      await vk.idle();
      assert.equal(vk.callbackAttempts.length, 1, 'a confirmation is not resent');
    } finally {
      receiver.answer = () => ({ status: 200, body: 'ok' });
      await vk.close();
    }
  });

  test('message_read has VK’s shape and is resent, same event_id, until answered ok', async () => {
    receiver.requests.length = 0;
    receiver.answer = (index) => (index === 0 ? { status: 500, body: '' } : index === 1 ? { status: 200, body: 'OK?' } : { status: 200, body: 'ok' });
    const vk = await community({ callbackUrl: receiver.url, retryDelaysMs: [10, 10, 10] });
    try {
      const id = (await call(vk, msg(555, 1))).response;
      const first = await vk.emitRead(555, id);
      assert.equal(first.status, 500);
      await vk.idle();
      assert.equal(receiver.requests.length, 3);
      const body = receiver.requests[0]!.body as any;
      assert.deepEqual(Object.keys(body), ['group_id', 'type', 'event_id', 'v', 'object', 'secret']);
      assert.equal(body.type, 'message_read');
      assert.match(body.event_id, /^[0-9a-f]{40}$/);
      assert.deepEqual(body.object, { from_id: 555, peer_id: 555, read_message_id: id, conversation_message_id: 1 });
      assert.equal(body.secret, 'grp-secret');
      assert.ok(receiver.requests.every((r) => r.raw === receiver.requests[0]!.raw));
      receiver.answer = () => ({ status: 200, body: 'ok' });
      await vk.emitRead(555, id, { eventId: body.event_id, secret: 'other' });
      const repeat = receiver.requests.at(-1)!.body as any;
      assert.equal(repeat.event_id, body.event_id);
      assert.equal(repeat.secret, 'other');
      await vk.emitRead(555, id, { secret: null, rawBody: '{"type":"message_read"}' });
      assert.equal(receiver.requests.at(-1)!.raw, '{"type":"message_read"}');
      await vk.idle();
    } finally {
      await vk.close();
    }
  });
});
