/**
 * WHATSAPP over real HTTP to the Cloud API stand-in: each content kind as Meta receives it, the checks made at
 * hand-off (spec §6.4: window 610, template 611) before any call, and the statuses coming back as webhooks.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call } from '../../support/gateway.js';
import { startWhatsAppPair, WA, type WhatsAppTestPair } from '../../support/whatsappGateway.js';

let pair: WhatsAppTestPair;
before(async () => {
  pair = await startWhatsAppPair();
});
after(() => pair.close());

const sendsTo = (digits: string) => pair.wa.sends.filter((s) => s.to === `+${digits}`);

test('a template goes out as Meta documents it, with our uuid as biz_opaque_callback_data; sent, then delivered', async () => {
  const uuid = await pair.send('79001000001', { contentType: 'template', templateId: 'order_shipped', language: 'en_US', parameters: ['42', '2026-12-04'] });
  await pair.settle();
  const request = pair.wa.requests.find((r) => r.method === 'POST' && (r.body as any)?.biz_opaque_callback_data === uuid)!;
  assert.match(request.path, new RegExp(`^/v23\\.0/${WA.phoneNumberId}/messages$`));
  assert.equal(request.headers.authorization, `Bearer ${WA.accessToken}`);
  assert.deepEqual(request.body, {
    messaging_product: 'whatsapp',
    to: '+79001000001',
    type: 'template',
    template: {
      name: 'order_shipped',
      language: { policy: 'deterministic', code: 'en_US' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: '42' }, { type: 'text', text: '2026-12-04' }] }],
    },
    biz_opaque_callback_data: uuid,
  });
  const message = await pair.message(uuid);
  assert.equal(message.status, 'delivered');
  assert.equal(message.price.final, true);
});

test('a template without parameters has no components; a numeric templateId is sent as the name', async () => {
  const uuid = await pair.send('79001000002', { contentType: 'template', templateId: '880004', language: 'en_US' });
  await pair.settle();
  const sent = sendsTo('79001000002');
  assert.equal(sent.length, 1);
  const request = pair.wa.requests.find((r) => (r.body as any)?.biz_opaque_callback_data === uuid)!;
  assert.deepEqual((request.body as any).template, { name: 'welcome', language: { policy: 'deterministic', code: 'en_US' } });
  assert.equal((await pair.message(uuid)).status, 'delivered');
});

test('a template that is unknown, not APPROVED, in another language or with another parameter count is unsent 611 without a call', async () => {
  const cases = [
    { contentType: 'template', templateId: 'no_such_template', language: 'en_US' },
    { contentType: 'template', templateId: 'summer_sale', language: 'en_US' },
    { contentType: 'template', templateId: 'order_shipped', language: 'ru' },
    { contentType: 'template', templateId: 'order_shipped', language: 'en_US', parameters: ['42'] },
  ];
  const uuids = [];
  for (const [i, content] of cases.entries()) uuids.push(await pair.send(`7900100010${i}`, content));
  await pair.settle();
  for (const [i, uuid] of uuids.entries()) {
    const message = await pair.message(uuid);
    assert.equal(message.status, 'unsent', `case ${i}`);
    assert.equal(message.errorCode, 611, `case ${i}`);
    assert.equal(message.price, null, `case ${i}: never priced`);
    assert.equal(sendsTo(`7900100010${i}`).length, 0, `case ${i}: no call`);
  }
});

test('text with no open window is unsent 610 without a call; a message from the subscriber opens it and the text then goes', async () => {
  const subscriber = '79001000003';
  const early = await pair.send(subscriber, { contentType: 'text', text: 'Your order 42 has shipped' });
  await pair.settle();
  assert.equal((await pair.message(early)).errorCode, 610);
  assert.equal(sendsTo(subscriber).length, 0);

  const inbound = await pair.wa.emitInbound(WA.phoneNumberId, subscriber, 'Where is my order?', { timestamp: Math.floor(pair.clock.now() / 1000) });
  assert.equal(inbound.status, 200);
  const listed = await call(pair.gateway, 'GET', '/api/v1/message?direction=inbound', { auth: pair.auth });
  const stored = listed.body.filter((m: any) => m.senderName === subscriber);
  assert.equal(stored.length, 1);
  assert.equal(stored[0].channelType, 'WHATSAPP');
  assert.equal(stored[0].destination, WA.senderName);

  const text = 'Here it is: https://shop.example/track/42';
  const uuid = await pair.send(subscriber, { contentType: 'text', text });
  await pair.settle();
  const request = pair.wa.requests.find((r) => (r.body as any)?.biz_opaque_callback_data === uuid)!;
  assert.deepEqual(request.body, { messaging_product: 'whatsapp', to: `+${subscriber}`, type: 'text', text: { body: text, preview_url: true }, biz_opaque_callback_data: uuid });
  assert.equal((await pair.message(uuid)).status, 'delivered');

  // 24 hours after the subscriber wrote, the window is closed again.
  pair.clock.advance(24 * 3600 * 1000 + 1000);
  const late = await pair.send(subscriber, { contentType: 'text', text: 'plain' });
  await pair.settle();
  assert.equal((await pair.message(late)).errorCode, 610);
});
