/**
 * The WhatsApp webhook door with two nodes on one PostgreSQL database: a message handed off by node B, its
 * statuses posted by the stand-in to node A only, is delivered (and read) through either node; a subscriber's
 * message posted to A and again to B (Meta retries wherever its webhook URL's balancer sends it) is stored once
 * and opens the window for both nodes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, startGateway, type TestGateway } from '../support/gateway.js';
import { ManualClock } from '../support/manualClock.js';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from '../support/postgresDatabase.js';
import { senderRow, TEMPLATES, WA } from '../support/whatsappGateway.js';
import { metaJson, signatureOf, startWhatsAppStandIn, type WhatsAppStandIn } from '../support/whatsappStandIn.js';
import { inboundTextValue } from '../support/whatsappWebhookBodies.js';
import type { GatewayConfig } from '../../src/config.js';

describe('WhatsApp webhooks across two nodes on one PostgreSQL', { skip: SKIP_WITHOUT_POSTGRES, timeout: 30_000 }, () => {
  let wa: WhatsAppStandIn;
  let nodeA: TestGateway;
  let nodeB: TestGateway;
  let auth: string;
  let drop = async (): Promise<void> => {};
  const clock = new ManualClock(Date.now());

  before(async () => {
    const database = await createTestDatabase('dgw_wa_nodes');
    drop = database.drop;
    wa = await startWhatsAppStandIn({
      accessToken: WA.accessToken,
      appSecret: WA.appSecret,
      phoneNumbers: [{ phoneNumberId: WA.phoneNumberId, displayPhoneNumber: WA.displayPhoneNumber, wabaId: WA.wabaId }],
      templates: { [WA.wabaId]: TEMPLATES.map((t) => ({ ...t })) },
      statusScript: 'read',
    });
    const configure = (config: GatewayConfig): void => {
      config.database = database.url;
      config.channels.WHATSAPP.connector = 'whatsapp';
      config.whatsapp.graphBase = wa.baseUrl;
      config.whatsapp.pairIntervalMs = 0;
      config.whatsapp.requestTimeoutMs = 5_000;
      config.whatsapp.senders = [senderRow()];
    };
    // One after the other: the first creates the schema, the second finds it.
    nodeA = await startGateway(configure, clock);
    nodeB = await startGateway(configure, clock);
    ({ auth } = await nodeA.account('wa-nodes', { senders: [{ channel: 'WHATSAPP', name: WA.senderName }] }));
    // Meta's webhook URL points at node A only.
    wa.setWebhookUrl(`${nodeA.url}/webhooks/whatsapp`);
  });
  after(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await wa?.close();
    await drop();
  });

  const settleBoth = async (): Promise<void> => {
    await nodeB.settle();
    await wa.idle();
    await nodeA.settle();
    await nodeB.settle();
  };
  const messageOn = async (node: TestGateway, uuid: string): Promise<any> => {
    const answer = await call(node, 'GET', `/api/v1/message/${uuid}`, { auth });
    assert.equal(answer.status, 200, answer.text);
    return answer.body;
  };
  const inboundOn = async (node: TestGateway, from: string): Promise<any[]> => {
    const answer = await call(node, 'GET', '/api/v1/message?direction=inbound&per_page=1000', { auth });
    assert.equal(answer.status, 200, answer.text);
    return (answer.body as any[]).filter((m) => m.senderName === from);
  };

  test('handed off by node B, its statuses received by node A: delivered, then read, through either node', async () => {
    const uuids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await call(nodeB, 'POST', '/api/v1/message', {
        auth,
        body: [{ channelType: 'WHATSAPP', senderName: WA.senderName, destination: `7902000000${i}`, content: { contentType: 'template', templateId: 'order_shipped', language: 'en_US', parameters: [`${i}`, '2026-12-04'] } }],
      });
      assert.equal(answer.status, 200, answer.text);
      uuids.push(answer.body.items[0].messageUuid);
    }
    // Only B's engine runs until the hand-offs: they are B's.
    await nodeB.settle();
    await wa.idle();
    assert.equal(wa.sends.filter((s) => uuids.includes(s.bizOpaqueCallbackData!)).length, 5, 'every message handed off once');
    const statusPosts = wa.webhookAttempts.filter((a) => uuids.some((u) => a.raw.includes(u)));
    assert.ok(statusPosts.length >= 15, `sent, delivered and read for each (${statusPosts.length})`);
    for (const attempt of statusPosts) {
      assert.ok(attempt.url.startsWith(nodeA.url), 'every webhook went to node A');
      assert.equal(attempt.status, 200);
    }
    await settleBoth();
    for (const uuid of uuids) {
      for (const node of [nodeA, nodeB]) {
        const message = await messageOn(node, uuid);
        assert.equal(message.status, 'read', `${uuid} on ${node === nodeA ? 'A' : 'B'}`);
        assert.equal(message.price?.final, true);
      }
    }
  });

  test('a subscriber\'s message posted to A, and the same again to B: stored once, seen by both, and it opens the window for B\'s hand-offs', async () => {
    const from = '79020000100';
    const { value } = inboundTextValue(from, 'Where is my order?', { timestamp: Math.floor(clock.now() / 1000) });
    const raw = metaJson(wa.envelope(WA.phoneNumberId, value));
    assert.equal((await wa.emitRaw(raw, { retry: false })).status, 200);
    wa.setWebhookUrl(`${nodeB.url}/webhooks/whatsapp`);
    try {
      assert.equal((await wa.emitRaw(raw, { retry: false })).status, 200);
    } finally {
      wa.setWebhookUrl(`${nodeA.url}/webhooks/whatsapp`);
    }
    for (const node of [nodeA, nodeB]) assert.equal((await inboundOn(node, from)).length, 1);

    // The window the message opened (written through A) lets B hand off a text; its statuses come back to A.
    const answer = await call(nodeB, 'POST', '/api/v1/message', {
      auth,
      body: [{ channelType: 'WHATSAPP', senderName: WA.senderName, destination: from, content: { contentType: 'text', text: 'It ships today' } }],
    });
    assert.equal(answer.status, 200, answer.text);
    const uuid = answer.body.items[0].messageUuid;
    await settleBoth();
    assert.equal(wa.sends.filter((s) => s.bizOpaqueCallbackData === uuid).length, 1);
    assert.equal((await messageOn(nodeA, uuid)).status, 'read');
  });

  test('the same status body posted to both nodes at once is applied once: the message is delivered, not billed twice', async () => {
    const answer = await call(nodeB, 'POST', '/api/v1/message', {
      auth,
      body: [{ channelType: 'WHATSAPP', senderName: WA.senderName, destination: '79020000200', content: { contentType: 'template', templateId: 'login_code', language: 'en_US', parameters: ['1234'] } }],
    });
    const uuid = answer.body.items[0].messageUuid;
    wa.setWebhookUrl(undefined); // no scripted statuses: this test posts them
    await nodeB.settle();
    const sent = wa.sends.find((s) => s.bizOpaqueCallbackData === uuid)!;
    assert.ok(sent);
    const raw = metaJson(wa.envelope(WA.phoneNumberId, { statuses: [wa.statusFor(sent.wamid, 'delivered')] }));
    const post = (node: TestGateway) =>
      fetch(`${node.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature(raw) }, body: raw });
    const answers = await Promise.all([post(nodeA), post(nodeB), post(nodeA), post(nodeB)]);
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200]);
    await settleBoth();
    const message = await messageOn(nodeB, uuid);
    assert.equal(message.status, 'delivered');
    assert.equal(message.price?.final, true);
    const balance = (await call(nodeA, 'GET', '/api/v1/balance', { auth })).body;
    const again = await Promise.all([post(nodeB), post(nodeA)]);
    assert.deepEqual(again.map((a) => a.status), [200, 200]);
    await settleBoth();
    assert.deepEqual(await messageOn(nodeA, uuid), message, 'the repeats changed nothing');
    assert.deepEqual((await call(nodeB, 'GET', '/api/v1/balance', { auth })).body, balance, 'nor took anything more');
    wa.setWebhookUrl(`${nodeA.url}/webhooks/whatsapp`);
  });
});

const signature = (raw: string): string => signatureOf(WA.appSecret, raw);
