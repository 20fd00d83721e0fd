import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMPP_DEFAULTS } from '../../src/connectors/smpp/smppConfig.js';
import { call, type TestGateway } from '../support/gateway.js';
import { messageOf, startDeliveryGateway, timelineKinds } from '../support/delivery.js';
import { SmscStandIn } from '../support/smscStandIn.js';

/**
 * SMS through the gateway to an SMSC over a real SMPP session: accept → submit_sm → receipt → delivered,
 * with multipart texts, error receipts, early receipts, hex ids and inbound messages, all recorded by the engine.
 */
let gateway: TestGateway;
let smsc: SmscStandIn;
let smscPort: { port: number; close(): Promise<void> };
let auth: string;

before(async () => {
  smsc = new SmscStandIn({ systemId: 'gw', password: 'secret', messageIdNotation: 'hex' });
  smscPort = await smsc.start();
  gateway = await startDeliveryGateway((config) => {
    config.smpp.smscs = [{ ...SMPP_DEFAULTS, name: 'test', host: '127.0.0.1', port: smscPort.port, systemId: 'gw', password: 'secret', inboundAccount: 'sms' }];
    config.channels.SMS.connector = 'smpp:test';
  });
  ({ auth } = await gateway.account('sms', { senders: [{ channel: 'SMS', name: 'Shop' }] }));
});
after(async () => {
  await gateway.close();
  await smscPort.close();
});

async function send(items: Record<string, unknown>[]): Promise<string[]> {
  // The SMSC answers in real time: the injected clock follows it.
  gateway.clock.set(Date.now());
  const response = await call(gateway, 'POST', '/api/v1/message', {
    auth,
    body: items.map((item) => ({ channelType: 'SMS', senderName: 'Shop', destination: '79261234567', ...item })),
  });
  assert.equal(response.status, 200, response.text);
  return response.body.items.map((i: { messageUuid: string }) => i.messageUuid);
}

/** Engine rounds in real time until every message has one of the statuses (the SMSC answers over TCP). */
async function until(uuids: string[], statuses: string[], timeoutMs = 10_000): Promise<Record<string, any>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    gateway.clock.set(Date.now());
    await gateway.engine.runOnce();
    const messages = await Promise.all(uuids.map((u) => messageOf(gateway, auth, u)));
    if (messages.every((m) => statuses.includes(m.status))) return messages;
    if (Date.now() > deadline) throw new Error(`still ${messages.map((m) => m.status).join(', ')}`);
    await sleep(20);
  }
}

describe('SMS over SMPP, end to end', () => {
  it('a GSM text and a 3-part Cyrillic text are submitted and delivered by their receipts', async () => {
    smsc.setReceipts({ stat: 'DELIVRD' });
    const long = 'Здравствуйте! '.repeat(12);
    const uuids = await send([{ content: 'Your code is 1234' }, { content: long, destination: '79267654321' }]);
    const [short, multipart] = await until(uuids, ['delivered']);
    assert.equal(short!.totalParts, 1);
    assert.equal(multipart!.totalParts, 3);
    assert.equal(smsc.submitsTo('79267654321'), 3, 'one submit_sm per part');
    assert.deepEqual(smsc.violations, [], 'every PDU we sent follows SMPP 3.4');
    const kinds = await timelineKinds(gateway, auth, uuids[1]!);
    assert.equal(kinds.filter((k) => k === 'part_delivered').length, 2, 'the first two receipts only settle their parts');
  });

  it('an UNDELIV receipt with a spec error code makes the message undelivered with that code', async () => {
    smsc.setReceipts({ stat: 'UNDELIV', err: 505 });
    const [uuid] = await send([{ content: 'blocked' }]);
    const [message] = await until([uuid!], ['undelivered']);
    assert.deepEqual([message!.status, message!.errorCode], ['undelivered', 505]);
  });

  it('a receipt that arrives before the submit_sm_resp is applied when the hand-off is recorded', async () => {
    smsc.setReceipts({ stat: 'DELIVRD', early: true, earlyByMs: 50, textIdNotation: 'decimal' });
    const [uuid] = await send([{ content: 'early' }]);
    const [message] = await until([uuid!], ['delivered']);
    assert.equal(message!.status, 'delivered');
  });

  it('an inbound SMS is stored for the SMSC`s account and listed as inbound', async () => {
    await smsc.sendMo({ source: '79260001122', destination: 'Shop', text: 'STOP' });
    const deadline = Date.now() + 15_000;
    for (;;) {
      await gateway.engine.runOnce();
      const listed = await call(gateway, 'GET', '/api/v1/message?direction=inbound', { auth });
      const found = listed.body.find((m: any) => m.content === 'STOP');
      if (found) {
        assert.deepEqual([found.senderName, found.destination, found.direction], ['79260001122', 'Shop', 'inbound']);
        break;
      }
      if (Date.now() > deadline) assert.fail('the inbound SMS was not stored');
      await sleep(20);
    }
  });
});
