/**
 * "Force what happens next" over real HTTP (issue #15 item 6; routes/sandbox/force.ts): each forced outcome goes
 * through the same reports as a real one, so its status, money, timeline and callbacks are checked end to end, on
 * SQLite and PostgreSQL. Messages go to the simulator's "never final" number so that they stay `sent`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { GatewayConfig } from '../../src/config.js';
import { startCallbackReceiver, type CallbackReceiver } from '../support/callbackReceiver.js';
import { T0, messageOf, moneyOf, ruNumber, timelineOf } from '../support/delivery.js';
import { call, startGateway, type TestGateway } from '../support/gateway.js';
import { APPROVED_SENDERS, isoSeconds, listUuids, sendOk, sms, uniqueName, vk, voicecode, whatsapp } from '../support/http.js';
import { ManualClock } from '../support/manualClock.js';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from '../support/postgresDatabase.js';
import { startVkPair, VK } from '../support/vkGateway.js';
import { senderRow, startWhatsAppPair, WA } from '../support/whatsappGateway.js';

const NEVER_FINAL = ruNumber('2000');
const ALL_EVENTS = ['sent', 'delivered', 'read', 'price', 'click'];

async function startSandbox(database: string | null, overrides: (config: GatewayConfig) => void = () => {}): Promise<TestGateway> {
  return startGateway((config) => {
    config.sandbox = true;
    config.callbacks.allowPrivateTargets = true;
    config.callbacks.batchWaitMs = 0;
    // A configured WhatsApp number (WHATSAPP itself stays on the simulator): inbound opens its window.
    config.whatsapp.senders = [senderRow()];
    if (database) config.database = database;
    overrides(config);
  }, new ManualClock(T0));
}

function onEachStore(title: string, prefix: string, suite: (ctx: { gateway: TestGateway; receiver: CallbackReceiver }) => void): void {
  const block = (name: string, postgres: boolean) =>
    describe(name, () => {
      const ctx = {} as { gateway: TestGateway; receiver: CallbackReceiver };
      let drop = async () => {};
      before(async () => {
        const database = postgres ? await createTestDatabase(prefix) : null;
        if (database) drop = database.drop;
        ctx.gateway = await startSandbox(database?.url ?? null);
        ctx.receiver = await startCallbackReceiver();
      });
      after(async () => {
        await ctx.gateway?.close();
        await ctx.receiver?.close();
        await drop();
      });
      suite(ctx);
    });
  block(`${title} on SQLite`, false);
  describe('PostgreSQL', { skip: SKIP_WITHOUT_POSTGRES }, () => block(`${title} on PostgreSQL`, true));
}

const force = (gateway: TestGateway, auth: string | undefined, uuid: string, action: string, body?: unknown) =>
  call(gateway, 'POST', `/sandbox/messages/${uuid}/${action}`, { ...(auth ? { auth } : {}), ...(body === undefined ? {} : { body }) });

onEachStore('sandbox: force what happens next', 'sandbox_force', (ctx) => {
  const newAccount = () => ctx.gateway.account(uniqueName('force'), { senders: [...APPROVED_SENDERS, { channel: 'WHATSAPP', name: WA.senderName }] });

  /** One message of the account, handed off and waiting (`sent`), its callbacks going to the receiver. */
  async function sentMessage(auth: string, item: Record<string, unknown>): Promise<string> {
    const [uuid] = await sendOk(ctx.gateway, auth, [{ ...item, destination: NEVER_FINAL, callbackUrl: ctx.receiver.url(), callbackEvents: ALL_EVENTS }]);
    await ctx.gateway.settle();
    assert.equal((await messageOf(ctx.gateway, auth, uuid!)).status, 'sent');
    return uuid!;
  }

  const eventsOf = (uuid: string) => ctx.receiver.eventsFor(uuid).map((e) => [e.callback_event, e['status'] ?? null, e['error_code'] ?? null]);

  it('deliver: sent → delivered, the price made final; the delivered and price callbacks; the timeline says sandbox', async () => {
    const { auth } = await newAccount();
    const uuid = await sentMessage(auth, sms());
    ctx.gateway.clock.advance(5_000);
    const answer = await force(ctx.gateway, auth, uuid, 'deliver');
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.status, 'delivered');
    assert.equal(answer.body.errorCode, null);
    assert.equal(answer.body.statusTime, isoSeconds(ctx.gateway.clock.now()));
    assert.equal(answer.body.price.final, true);
    assert.deepEqual(answer.body, await messageOf(ctx.gateway, auth, uuid), 'the same view as GET /message/{uuid}');
    await ctx.gateway.settle();
    assert.deepEqual(eventsOf(uuid), [
      ['sent', 'sent', null],
      ['price', null, null],
      ['delivered', 'delivered', null],
      ['price', null, null],
    ]);
    const last = (await timelineOf(ctx.gateway, auth, uuid)).filter((e) => e.kind === 'delivered');
    assert.equal(last.length, 1);
    assert.equal(last[0]!.detail!['source'], 'sandbox');
    assert.deepEqual(last[0]!.detail!['statuses'], ['delivered']);
    assert.deepEqual(last[0]!.detail!['callbacks'], ['delivered', 'price']);
  });

  it('undeliver with a §13 code: sent → undelivered with it; the charge is kept, as after a real receipt', async () => {
    const { auth, accountId } = await newAccount();
    const uuid = await sentMessage(auth, sms());
    const charged = await moneyOf(ctx.gateway, accountId);
    assert.equal(charged.balance, 1000 * 10_000 - ctx.gateway.config.prices.SMS);
    const answer = await force(ctx.gateway, auth, uuid, 'undeliver', { errorCode: 504 });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual([answer.body.status, answer.body.errorCode], ['undelivered', 504]);
    assert.deepEqual(answer.body.price, { totalPrice: ctx.gateway.config.prices.SMS / 10_000, currency: 'RUB', invoicedParts: 1, final: true });
    assert.deepEqual(await moneyOf(ctx.gateway, accountId), charged);
    await ctx.gateway.settle();
    assert.deepEqual(eventsOf(uuid).slice(2), [
      ['delivered', 'undelivered', 504],
      ['price', null, null],
    ]);
    const row = (await timelineOf(ctx.gateway, auth, uuid)).find((e) => e.kind === 'undelivered');
    assert.deepEqual([row?.detail?.['source'], row?.detail?.['errorCode']], ['sandbox', 504]);
  });

  it('undeliver without a code takes the channel’s default: SMS 501, VOICECODE 602, WHATSAPP and VK 612', async () => {
    const { auth } = await newAccount();
    for (const [item, code] of [
      [sms(), 501],
      [voicecode(), 602],
      [whatsapp(), 612],
      [vk(), 612],
    ] as const) {
      const uuid = await sentMessage(auth, item);
      const answer = await force(ctx.gateway, auth, uuid, 'undeliver', {});
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual([answer.body.status, answer.body.errorCode], ['undelivered', code], String(item['channelType']));
    }
  });

  it('undeliver with a code the channel does not give with undelivered → 422 Invalid errorCode; the message stays sent', async () => {
    const { auth } = await newAccount();
    const uuid = await sentMessage(auth, sms());
    for (const errorCode of [612, 605, 606, 0]) {
      const answer = await force(ctx.gateway, auth, uuid, 'undeliver', { errorCode });
      assert.equal(answer.status, 422);
      assert.deepEqual(answer.body, { error: { code: 4220, msg: 'Invalid errorCode' } });
    }
    const wrongType = await force(ctx.gateway, auth, uuid, 'undeliver', { errorCode: '504' });
    assert.deepEqual([wrongType.status, wrongType.body.error.msg], [422, 'Invalid errorCode']);
    assert.equal((await messageOf(ctx.gateway, auth, uuid)).status, 'sent');
  });

  it('read on WHATSAPP: sent → delivered → read (a read that overtakes its delivery), delivered and read callbacks', async () => {
    const { auth } = await newAccount();
    const uuid = await sentMessage(auth, whatsapp());
    const answer = await force(ctx.gateway, auth, uuid, 'read');
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.status, 'read');
    await ctx.gateway.settle();
    assert.deepEqual(
      eventsOf(uuid).filter(([event]) => event !== 'price'),
      [
        ['sent', 'sent', null],
        ['delivered', 'delivered', null],
        ['read', 'read', null],
      ],
    );
    const row = (await timelineOf(ctx.gateway, auth, uuid)).find((e) => e.kind === 'read');
    assert.deepEqual(row?.detail?.['statuses'], ['delivered', 'read']);
  });

  it('unread on VK needs delivered: 409 while sent; after deliver → unread with the read callback', async () => {
    const { auth } = await newAccount();
    const uuid = await sentMessage(auth, vk());
    const early = await force(ctx.gateway, auth, uuid, 'unread');
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, 4091);
    assert.match(early.body.error.msg, /^Not possible now: unread needs status delivered; the message is sent$/);
    assert.equal((await force(ctx.gateway, auth, uuid, 'deliver')).body.status, 'delivered');
    const answer = await force(ctx.gateway, auth, uuid, 'unread');
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.status, 'unread');
    await ctx.gateway.settle();
    assert.deepEqual(eventsOf(uuid).at(-1), ['read', 'unread', null]);
  });

  it('click on a short link: no status change, the click callback with the original URL; the link is named or the first', async () => {
    const { auth } = await newAccount();
    const uuid = await sentMessage(auth, sms({ content: 'Track https://shop.example/track/42 or https://shop.example/help', shortUrl: true }));
    const text = (await messageOf(ctx.gateway, auth, uuid)).content as string;
    const links = [...text.matchAll(/http:\/\/127\.0\.0\.1:\d+\/s\/\S+/g)].map((m) => m[0]);
    assert.equal(links.length, 2, text);
    const first = await force(ctx.gateway, auth, uuid, 'click', {});
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.status, 'sent');
    const second = await force(ctx.gateway, auth, uuid, 'click', { url: links[1] });
    assert.equal(second.status, 200, second.text);
    await ctx.gateway.settle();
    const clicks = ctx.receiver.eventsFor(uuid).filter((e) => e.callback_event === 'click');
    assert.deepEqual(clicks.map((e) => e['url']), ['https://shop.example/track/42', 'https://shop.example/help']);
    const rows = (await timelineOf(ctx.gateway, auth, uuid)).filter((e) => e.kind === 'click');
    assert.deepEqual(rows.map((e) => [e.detail?.['source'], e.detail?.['url']]), [
      ['sandbox', 'https://shop.example/track/42'],
      ['sandbox', 'https://shop.example/help'],
    ]);
    const notItsLink = await force(ctx.gateway, auth, uuid, 'click', { url: 'https://shop.example/track/42' });
    assert.deepEqual([notItsLink.status, notItsLink.body.error.msg], [422, 'Invalid url']);
  });

  it('click on a message without shortUrl → 409', async () => {
    const { auth } = await newAccount();
    const uuid = await sentMessage(auth, sms({ content: 'See https://shop.example/' }));
    const answer = await force(ctx.gateway, auth, uuid, 'click', {});
    assert.equal(answer.status, 409);
    assert.match(answer.body.error.msg, /without shortUrl/);
  });

  it('expire: sent → undelivered 127; sending → unsent 605, refunded; delivered SMS → 409', async () => {
    const { auth, accountId } = await newAccount();
    const sent = await sentMessage(auth, sms());
    const expired = await force(ctx.gateway, auth, sent, 'expire');
    assert.equal(expired.status, 200, expired.text);
    assert.deepEqual([expired.body.status, expired.body.errorCode], ['undelivered', 127]);
    const row = (await timelineOf(ctx.gateway, auth, sent)).find((e) => e.kind === 'expired');
    assert.equal(row?.detail?.['source'], 'sandbox');

    const before = await moneyOf(ctx.gateway, accountId);
    const [waiting] = await sendOk(ctx.gateway, auth, [sms({ destination: NEVER_FINAL })]);
    assert.equal((await moneyOf(ctx.gateway, accountId)).reserved, before.reserved + ctx.gateway.config.prices.SMS);
    const unsent = await force(ctx.gateway, auth, waiting!, 'expire');
    assert.equal(unsent.status, 200, unsent.text);
    assert.deepEqual([unsent.body.status, unsent.body.errorCode, unsent.body.price], ['unsent', 605, null]);
    assert.deepEqual(await moneyOf(ctx.gateway, accountId), before, 'the reservation is given back');
    await ctx.gateway.settle();
    assert.equal((await messageOf(ctx.gateway, auth, waiting!)).status, 'unsent', 'never handed off afterwards');

    const delivered = await sentMessage(auth, sms());
    await force(ctx.gateway, auth, delivered, 'deliver');
    const again = await force(ctx.gateway, auth, delivered, 'expire');
    assert.equal(again.status, 409);
    assert.match(again.body.error.msg, /changes nothing for a SMS message that is delivered/);
  });

  it('409 for what the status or channel does not allow; nothing changes', async () => {
    const { auth } = await newAccount();
    const [waiting] = await sendOk(ctx.gateway, auth, [sms({ destination: NEVER_FINAL })]);
    for (const action of ['deliver', 'undeliver'] as const) {
      const answer = await force(ctx.gateway, auth, waiting!, action, action === 'undeliver' ? {} : undefined);
      assert.equal(answer.status, 409, action);
      assert.deepEqual(answer.body, { error: { code: 4091, msg: `Not possible now: ${action} needs status sent; the message is sending` } });
    }
    assert.deepEqual([(await messageOf(ctx.gateway, auth, waiting!)).status, (await timelineOf(ctx.gateway, auth, waiting!)).length], ['sending', 1], 'nothing recorded');
    const uuid = await sentMessage(auth, sms());
    const read = await force(ctx.gateway, auth, uuid, 'read');
    assert.deepEqual(read.body, { error: { code: 4091, msg: 'Not possible now: SMS has no read reports (WHATSAPP and VK only)' } });
    await force(ctx.gateway, auth, uuid, 'deliver');
    const twice = await force(ctx.gateway, auth, uuid, 'deliver');
    assert.equal(twice.status, 409);
    assert.equal((await timelineOf(ctx.gateway, auth, uuid)).filter((e) => e.kind === 'delivered').length, 1, 'the refused one is not recorded');
  });

  it('another account’s message, an unknown uuid, a non-uuid → 404; an unknown action → 404; no key → 401', async () => {
    const mine = await newAccount();
    const theirs = await newAccount();
    const uuid = await sentMessage(theirs.auth, sms());
    for (const path of [`/sandbox/messages/${uuid}/deliver`, `/sandbox/messages/${randomUUID()}/deliver`, '/sandbox/messages/not-a-uuid/deliver']) {
      const answer = await call(ctx.gateway, 'POST', path, { auth: mine.auth });
      assert.equal(answer.status, 404, path);
      assert.deepEqual(answer.body, { error: { code: 4040, msg: 'Not found' } });
    }
    const unknown = await call(ctx.gateway, 'POST', `/sandbox/messages/${uuid}/explode`, { auth: theirs.auth });
    assert.deepEqual([unknown.status, unknown.body], [404, { error: { code: 4040, msg: 'Not found' } }]);
    const anonymous = await force(ctx.gateway, undefined, uuid, 'deliver');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error.code, 4010);
    const inbound = await call(ctx.gateway, 'POST', '/sandbox/inbound', { body: { channelType: 'SMS', from: '79261234567', to: 'sms_sender', text: 'hi' } });
    assert.equal(inbound.status, 401);
    assert.equal((await messageOf(ctx.gateway, theirs.auth, uuid)).status, 'sent');
  });

  it('the subscriber writes an SMS: an inbound message of the account, listed with direction=inbound', async () => {
    const { auth } = await newAccount();
    const answer = await call(ctx.gateway, 'POST', '/sandbox/inbound', { auth, body: { channelType: 'SMS', from: '+79261234567', to: 'sms_sender', text: 'STOP' } });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(
      [answer.body.direction, answer.body.channelType, answer.body.senderName, answer.body.destination, answer.body.content, answer.body.status],
      ['inbound', 'SMS', '79261234567', 'sms_sender', 'STOP', 'delivered'],
    );
    assert.deepEqual(await listUuids(ctx.gateway, auth, [['direction', 'inbound']]), [answer.body.messageUuid]);
    const nothing = await force(ctx.gateway, auth, answer.body.messageUuid, 'read');
    assert.deepEqual([nothing.status, nothing.body.error.msg], [409, 'Not possible now: an inbound message has no delivery to force']);
  });

  it('the subscriber writes on WHATSAPP: stored, and the 24-hour window of the configured number is open from now', async () => {
    const { auth } = await newAccount();
    const from = '79261110000';
    assert.equal(await ctx.gateway.store.whatsapp.lastSubscriberMessage(WA.phoneNumberId, from), null);
    const answer = await call(ctx.gateway, 'POST', '/sandbox/inbound', { auth, body: { channelType: 'WHATSAPP', from, to: WA.senderName, text: 'hello' } });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual([answer.body.direction, answer.body.channelType, answer.body.destination], ['inbound', 'WHATSAPP', WA.senderName]);
    assert.equal(await ctx.gateway.store.whatsapp.lastSubscriberMessage(WA.phoneNumberId, from), ctx.gateway.clock.now());
  });

  it('inbound: a sender name the account does not have on the channel → 422 Invalid to; a bad body → 422 / 400', async () => {
    const { auth } = await newAccount();
    const post = (body: unknown) => call(ctx.gateway, 'POST', '/sandbox/inbound', { auth, body });
    const valid = { channelType: 'SMS', from: '79261234567', to: 'sms_sender', text: 'hi' };
    assert.deepEqual((await post({ ...valid, to: WA.senderName })).body, { error: { code: 4220, msg: 'Invalid to' } });
    assert.deepEqual((await post({ ...valid, channelType: 'VK' })).body, { error: { code: 4220, msg: 'Invalid channelType' } });
    assert.deepEqual((await post({ ...valid, from: '123' })).body, { error: { code: 4220, msg: 'Invalid from' } });
    assert.deepEqual((await post({ ...valid, text: '' })).body, { error: { code: 4220, msg: 'Invalid text' } });
    const noBody = await call(ctx.gateway, 'POST', '/sandbox/inbound', { auth });
    assert.deepEqual([noBody.status, noBody.body], [400, { error: { code: 4000, msg: 'Bad request' } }]);
    assert.deepEqual(await listUuids(ctx.gateway, auth, [['direction', 'inbound']]), []);
  });

  it('the OpenAPI document lists the routes under the Sandbox tag', async () => {
    const document = (await call(ctx.gateway, 'GET', '/api/v1/openapi.json')).body;
    for (const action of ['deliver', 'undeliver', 'read', 'unread', 'click', 'expire']) {
      const operation = document.paths[`/sandbox/messages/{messageUuid}/${action}`]?.post;
      assert.ok(operation, action);
      assert.deepEqual(operation.tags, ['Sandbox']);
    }
    assert.deepEqual(document.paths['/sandbox/inbound'].post.tags, ['Sandbox']);
    assert.ok(document.paths['/sandbox/messages/{messageUuid}/undeliver'].post.requestBody);
  });
});

describe('sandbox force routes without --sandbox', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startGateway();
  });
  after(() => gateway.close());

  it('are absent: 404 even with a valid key and message', async () => {
    const { auth } = await gateway.account(uniqueName('plain'), { senders: APPROVED_SENDERS });
    const [uuid] = await sendOk(gateway, auth, [sms({ destination: NEVER_FINAL })]);
    await gateway.settle();
    for (const action of ['deliver', 'undeliver', 'read', 'unread', 'click', 'expire']) {
      const answer = await call(gateway, 'POST', `/sandbox/messages/${uuid}/${action}`, { auth, body: {} });
      assert.deepEqual([answer.status, answer.body], [404, { error: { code: 4040, msg: 'Not found' } }], action);
    }
    const inbound = await call(gateway, 'POST', '/sandbox/inbound', { auth, body: { channelType: 'SMS', from: '79261234567', to: 'sms_sender', text: 'hi' } });
    assert.equal(inbound.status, 404);
    assert.equal((await messageOf(gateway, auth, uuid!)).status, 'sent');
  });
});

describe('the subscriber writes, then text goes out over the WhatsApp Cloud API (stand-in)', () => {
  const run = (postgres: boolean) => async () => {
    const database = postgres ? await createTestDatabase('sandbox_force_wa') : null;
    const pair = await startWhatsAppPair({
      config: (config) => {
        config.sandbox = true;
        if (database) config.database = database.url;
      },
    });
    try {
      const subscriber = '79262223344';
      const refused = await pair.send(subscriber, { contentType: 'text', text: 'before' });
      await pair.settle();
      assert.deepEqual([(await pair.message(refused)).status, (await pair.message(refused)).errorCode], ['unsent', 610], 'no window yet');
      const answer = await call(pair.gateway, 'POST', '/sandbox/inbound', {
        auth: pair.auth,
        body: { channelType: 'WHATSAPP', from: subscriber, to: WA.senderName, text: 'hi shop' },
      });
      assert.equal(answer.status, 200, answer.text);
      const uuid = await pair.send(subscriber, { contentType: 'text', text: 'after' });
      await pair.settle();
      assert.equal((await pair.message(uuid)).status !== 'unsent', true, JSON.stringify(await pair.message(uuid)));
      assert.ok(['sent', 'delivered', 'read'].includes((await pair.message(uuid)).status));
    } finally {
      await pair.close();
      await database?.drop();
    }
  };
  it('on SQLite', run(false));
  it('on PostgreSQL', { skip: SKIP_WITHOUT_POSTGRES }, run(true));
});

describe('a VK community reports no delivery (domain/deliveryReports.ts): deliver is refused, unread needs only sent', () => {
  const run = (postgres: boolean) => async () => {
    const database = postgres ? await createTestDatabase('sandbox_force_vk') : null;
    const pair = await startVkPair({ ...(database ? { database: database.url } : {}), config: (config) => void (config.sandbox = true) });
    try {
      const [uuid] = await pair.sendMany([{ destination: '2000000001', content: 'Привет', senderName: VK.communitySender }]);
      await pair.settle();
      assert.equal((await pair.message(uuid!)).status, 'sent');
      const deliver = await force(pair.gateway, pair.auth, uuid!, 'deliver');
      assert.equal(deliver.status, 409);
      assert.match(deliver.body.error.msg, /never reports delivery/);
      const unread = await force(pair.gateway, pair.auth, uuid!, 'unread');
      assert.equal(unread.status, 200, unread.text);
      assert.deepEqual([unread.body.status, unread.body.errorCode], ['unread', null]);
      const [other] = await pair.sendMany([{ destination: '2000000001', content: 'Ещё', senderName: VK.communitySender }]);
      await pair.settle();
      const expired = await force(pair.gateway, pair.auth, other!, 'expire');
      assert.deepEqual([expired.status, expired.body.status, expired.body.errorCode], [200, 'unread', null], 'as the engine\'s expiry of a community message');
    } finally {
      await pair.close();
      await database?.drop();
    }
  };
  it('on SQLite', run(false));
  it('on PostgreSQL', { skip: SKIP_WITHOUT_POSTGRES }, run(true));
});
