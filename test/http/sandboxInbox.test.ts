/**
 * The callback inspector (issue #15 item 7) over real HTTP, on SQLite and on PostgreSQL: the gateway's own callbacks
 * posted to `/sandbox/inbox/{account}` are recorded as received with their signature check ('verified' with the
 * account's signing secret, 'unsigned' without, 'invalid' for a forgery), read back newest first and paged with the
 * account's API key, cleared, and bounded per account. Only `serve --sandbox` has these routes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSigningSecret, signWebhook } from '../../src/domain/signingSecret.js';
import { INBOX_KEEP, SIGNATURE_TOLERANCE_SECONDS } from '../../src/http/routes/sandbox/inbox.js';
import { call, startGateway, type TestGateway } from '../support/gateway.js';
import { uniqueName, voicecode } from '../support/http.js';
import { ManualClock } from '../support/manualClock.js';
import { describeOnEachStore, type GatewayOnStore } from '../support/eachStore.js';
import type { GatewayConfig } from '../../src/config.js';

const T0 = Date.parse('2026-05-01T10:00:00Z');
const NOW_SECONDS = Math.floor(T0 / 1000);

interface EntryView {
  id: number;
  receivedAt: string;
  headers: { name: string; value: string }[];
  body: string;
  signature: 'verified' | 'invalid' | 'unsigned';
  webhookId: string | null;
}

const inboxPath = (name: string) => `/sandbox/inbox/${encodeURIComponent(name)}`;

function sandboxSettings(config: GatewayConfig): void {
  config.sandbox = true;
  config.callbacks.allowPrivateTargets = true;
  config.callbacks.batchWaitMs = 0;
}

async function inbox(gateway: TestGateway, name: string, auth: string, query = ''): Promise<{ entries: EntryView[]; nextBefore: number | null }> {
  const response = await call(gateway, 'GET', `${inboxPath(name)}${query}`, { auth });
  assert.equal(response.status, 200, response.text);
  return response.body;
}

/** A request posted to the inbox as a receiver would get it. */
async function post(gateway: TestGateway, name: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return call(gateway, 'POST', inboxPath(name), { rawBody: body, headers: { 'content-type': 'application/json', ...headers } });
}

const header = (entry: EntryView, name: string) => entry.headers.filter((h) => h.name.toLowerCase() === name).map((h) => h.value);

function suite(ctx: GatewayOnStore): void {
  it("records the gateway's signed callbacks as received, 'verified' with the account's signing secret", async () => {
    const { gateway } = ctx;
    const name = uniqueName('signed');
    const { auth, accountId } = await gateway.account(name);
    const secret = generateSigningSecret();
    await gateway.store.accounts.setSigningSecret(accountId, secret);
    const callbackUrl = `${gateway.url}${inboxPath(name)}`;
    const sent = await call(gateway, 'POST', '/api/v1/message', { auth, body: [voicecode({ callbackUrl, callbackEvents: ['sent', 'delivered'] })] });
    assert.equal(sent.status, 200, sent.text);
    const uuid = sent.body.items[0].messageUuid as string;
    await gateway.settle();

    const { entries, nextBefore } = await inbox(gateway, name, auth);
    assert.equal(nextBefore, null);
    assert.ok(entries.length >= 1, 'the callbacks arrived');
    const events = entries.flatMap((e) => JSON.parse(e.body) as { message_uuid?: string; callback_event?: string }[]);
    assert.ok(events.length >= 2, `sent and delivered: ${JSON.stringify(events)}`);
    for (const entry of entries) {
      assert.equal(entry.signature, 'verified');
      assert.equal(entry.receivedAt, new Date(T0).toISOString());
      assert.deepEqual(header(entry, 'webhook-id'), [entry.webhookId]);
      assert.deepEqual(header(entry, 'content-type'), ['application/json']);
      assert.equal(header(entry, 'user-agent').length, 1);
      // The signature is the one of the body recorded, by the gateway's own signing function.
      const [timestamp] = header(entry, 'webhook-timestamp');
      assert.deepEqual(header(entry, 'webhook-signature'), [signWebhook(secret, entry.webhookId!, Number(timestamp), entry.body)]);
    }
    assert.ok(JSON.stringify(events).includes(uuid));
    // Newest first.
    const ids = entries.map((e) => e.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  });

  it("records an unsigned account's callbacks as 'unsigned'", async () => {
    const { gateway } = ctx;
    const name = uniqueName('unsigned');
    const { auth } = await gateway.account(name);
    const callbackUrl = `${gateway.url}${inboxPath(name)}`;
    const sent = await call(gateway, 'POST', '/api/v1/message', { auth, body: [voicecode({ callbackUrl, callbackEvents: ['sent'] })] });
    assert.equal(sent.status, 200, sent.text);
    await gateway.settle();
    const { entries } = await inbox(gateway, name, auth);
    assert.ok(entries.length >= 1);
    for (const entry of entries) {
      assert.equal(entry.signature, 'unsigned');
      assert.deepEqual(header(entry, 'webhook-signature'), []);
      assert.match(entry.webhookId ?? '', /^[0-9a-f-]{36}$/);
    }
  });

  it("tells forged and stale signatures ('invalid') from good ones; a signature with no secret is 'unsigned'", async () => {
    const { gateway } = ctx;
    const name = uniqueName('forged');
    const { auth, accountId } = await gateway.account(name);
    const secret = generateSigningSecret();
    await gateway.store.accounts.setSigningSecret(accountId, secret);
    const body = '[{"callback_event":"sent"}]';
    const id = 'f0f0f0f0-0000-4000-8000-000000000001';
    const signed = (overrides: Record<string, string> = {}, signBody = body, at = NOW_SECONDS, key = secret) => ({
      'webhook-id': id,
      'webhook-timestamp': String(at),
      'webhook-signature': signWebhook(key, id, at, signBody),
      ...overrides,
    });
    const cases: [string, string, Record<string, string>, EntryView['signature']][] = [
      ['good', body, signed(), 'verified'],
      ['rotating: one of several', body, signed({ 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${signWebhook(secret, id, NOW_SECONDS, body)}` }), 'verified'],
      ['another secret', body, signed({}, body, NOW_SECONDS, generateSigningSecret()), 'invalid'],
      ['another body', `${body} `, signed(), 'invalid'],
      ['another id', body, signed({ 'webhook-id': 'f0f0f0f0-0000-4000-8000-000000000002' }), 'invalid'],
      ['stale', body, signed({}, body, NOW_SECONDS - SIGNATURE_TOLERANCE_SECONDS - 1), 'invalid'],
      ['from the future', body, signed({}, body, NOW_SECONDS + SIGNATURE_TOLERANCE_SECONDS + 1), 'invalid'],
      ['garbage', body, signed({ 'webhook-signature': 'v1,not base64!' }), 'invalid'],
      ['short', body, signed({ 'webhook-signature': 'v1,AAAA' }), 'invalid'],
      ['no timestamp', body, { 'webhook-id': id, 'webhook-signature': signWebhook(secret, id, NOW_SECONDS, body) }, 'invalid'],
      ['no signature', body, { 'webhook-id': id, 'webhook-timestamp': String(NOW_SECONDS) }, 'unsigned'],
    ];
    for (const [label, sentBody, headers] of cases) {
      const response = await post(gateway, name, sentBody, { ...headers, 'x-case': label });
      assert.equal(response.status, 200, `${label}: ${response.text}`);
      assert.deepEqual(response.body, { status: 'ok' });
    }
    const { entries } = await inbox(gateway, name, auth);
    const found = new Map(entries.map((e) => [header(e, 'x-case')[0], e]));
    for (const [label, sentBody, , expected] of cases) {
      assert.equal(found.get(label)?.signature, expected, label);
      assert.equal(found.get(label)?.body, sentBody, label);
    }

    // Without a secret, a signature cannot be checked.
    const plain = uniqueName('plain');
    const plainKey = await gateway.account(plain);
    await post(gateway, plain, body, signed());
    assert.equal((await inbox(gateway, plain, plainKey.auth)).entries[0]!.signature, 'unsigned');
  });

  it('keeps the body as received, any content type, the exact bytes up to the body limit; larger is 413', async () => {
    const { gateway } = ctx;
    const name = uniqueName('bytes');
    const { auth } = await gateway.account(name);
    const text = 'not json at all: ünïcödé';
    assert.equal((await post(gateway, name, text, { 'content-type': 'text/plain; charset=utf-8', 'X-Mixed-Case': 'Kept' })).status, 200);
    assert.equal((await call(gateway, 'POST', inboxPath(name))).status, 200);
    const [empty, first] = (await inbox(gateway, name, auth)).entries;
    assert.equal(empty!.body, '');
    assert.equal(first!.body, text);
    assert.deepEqual(header(first!, 'content-type'), ['text/plain; charset=utf-8'], 'the content type as sent, not as the app rewrites it');
    assert.ok(first!.headers.some((h) => h.name === 'X-Mixed-Case' && h.value === 'Kept'), 'names as written');
    assert.equal(first!.webhookId, null);

    const limit = gateway.config.http.bodyLimitBytes;
    assert.equal((await post(gateway, name, Buffer.alloc(limit, 0x61))).status, 200);
    const tooLarge = await post(gateway, name, Buffer.alloc(limit + 1, 0x61));
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.body.error.code, 4130);
    const [largest] = (await inbox(gateway, name, auth, '?limit=1')).entries;
    assert.equal(largest!.body.length, limit);
  });

  it('reads and clears with the type 1 key of that account only; an unknown account is 404 in the envelope', async () => {
    const { gateway } = ctx;
    const name = uniqueName('owner');
    const { auth } = await gateway.account(name);
    const other = await gateway.account(uniqueName('other'));
    const typeTwoName = uniqueName('type2');
    const typeTwo = await gateway.account(typeTwoName, { keyType: 2 });
    await post(gateway, name, '[]');

    const unknown = uniqueName('nobody');
    for (const [method, path, key] of [
      ['POST', inboxPath(unknown), undefined],
      ['GET', inboxPath(unknown), auth],
      ['DELETE', inboxPath(unknown), auth],
      ['GET', inboxPath(name), other.auth],
      ['DELETE', inboxPath(name), other.auth],
      ['POST', inboxPath('nul\u0000name'), undefined],
    ] as const) {
      const response = await call(gateway, method, path, key === undefined ? {} : { auth: key });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.deepEqual(response.body, { error: { code: 4040, msg: 'Not found' } });
    }
    assert.equal((await call(gateway, 'GET', inboxPath(name))).status, 401);
    assert.equal((await call(gateway, 'DELETE', inboxPath(name))).status, 401);
    assert.equal((await call(gateway, 'GET', inboxPath(typeTwoName), { auth: typeTwo.auth })).status, 403);
    assert.equal((await call(gateway, 'GET', inboxPath(name), { auth: 'Basic ' + Buffer.from('x:y').toString('base64') })).status, 401);
    // Nothing was cleared by the refused DELETEs.
    assert.equal((await inbox(gateway, name, auth)).entries.length, 1);

    const cleared = await call(gateway, 'DELETE', inboxPath(name), { auth });
    assert.equal(cleared.status, 200);
    assert.deepEqual(cleared.body, { status: 'ok', deleted: 1 });
    assert.deepEqual(await inbox(gateway, name, auth), { entries: [], nextBefore: null });
  });

  it('pages newest first with ?limit= and ?before=; a bad page is 422', async () => {
    const { gateway } = ctx;
    const name = uniqueName('pages');
    const { auth } = await gateway.account(name);
    for (let n = 0; n < 5; n++) await post(gateway, name, `[${n}]`);
    const first = await inbox(gateway, name, auth, '?limit=2');
    assert.deepEqual(first.entries.map((e) => e.body), ['[4]', '[3]']);
    assert.equal(first.nextBefore, first.entries[1]!.id);
    const second = await inbox(gateway, name, auth, `?limit=2&before=${first.nextBefore}`);
    assert.deepEqual(second.entries.map((e) => e.body), ['[2]', '[1]']);
    const last = await inbox(gateway, name, auth, `?limit=2&before=${second.nextBefore}`);
    assert.deepEqual(last.entries.map((e) => e.body), ['[0]']);
    assert.equal(last.nextBefore, null);
    assert.equal((await inbox(gateway, name, auth)).entries.length, 5);
    for (const [query, field] of [
      ['?limit=0', 'limit'],
      ['?limit=1001', 'limit'],
      ['?limit=abc', 'limit'],
      ['?before=0', 'before'],
      ['?before=-1', 'before'],
    ]) {
      const response = await call(gateway, 'GET', `${inboxPath(name)}${query}`, { auth });
      assert.equal(response.status, 422, query);
      assert.deepEqual(response.body, { error: { code: 4220, msg: `Invalid ${field}` } });
    }
  });

  it(`keeps only the newest ${INBOX_KEEP} requests of an account`, async () => {
    const { gateway } = ctx;
    const name = uniqueName('bound');
    const { auth } = await gateway.account(name);
    const total = INBOX_KEEP + 5;
    // One after the other: each request's id after the one before.
    for (let n = 0; n < total; n++) assert.equal((await post(gateway, name, `[${n}]`)).status, 200);
    const page = await inbox(gateway, name, auth, `?limit=${INBOX_KEEP}`);
    assert.equal(page.entries.length, INBOX_KEEP);
    assert.equal(page.nextBefore, null);
    assert.equal(page.entries[0]!.body, `[${total - 1}]`);
    assert.equal(page.entries.at(-1)!.body, `[${total - INBOX_KEEP}]`);
  });

  it('is documented in the OpenAPI document under the Sandbox tag', async () => {
    const spec = (await call(ctx.gateway, 'GET', '/api/v1/openapi.json')).body;
    const path = spec.paths['/sandbox/inbox/{account}'];
    assert.ok(path, `has ${Object.keys(spec.paths).join(', ')}`);
    for (const method of ['get', 'post', 'delete']) assert.deepEqual(path[method]?.tags, ['Sandbox'], method);
    assert.deepEqual(path.post.security, [], 'the receiver takes no API key');
  });
}

describeOnEachStore('the sandbox callback inbox', 'sandbox_inbox', suite, { configure: sandboxSettings, clock: () => new ManualClock(T0) });

describe('the sandbox callback inbox', () => {
  describe('without --sandbox', () => {
    let gateway: TestGateway;
    before(async () => {
      gateway = await startGateway((config) => {
        config.sandbox = false;
      });
    });
    after(() => gateway.close());

    it('has no inbox: every method is 404, and the document does not list it', async () => {
      const name = uniqueName('plain');
      const { auth } = await gateway.account(name);
      for (const method of ['POST', 'GET', 'DELETE']) {
        const response = await call(gateway, method, inboxPath(name), method === 'POST' ? { rawBody: '[]' } : { auth });
        assert.equal(response.status, 404, method);
        assert.deepEqual(response.body, { error: { code: 4040, msg: 'Not found' } });
      }
      const spec = (await call(gateway, 'GET', '/api/v1/openapi.json')).body;
      assert.equal(spec.paths['/sandbox/inbox/{account}'], undefined);
    });
  });
});
