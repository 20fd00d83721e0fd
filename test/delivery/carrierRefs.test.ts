import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, type TestGateway } from '../support/gateway.js';
import { messageOf, startDeliveryGateway, T0, timelineKinds } from '../support/delivery.js';

/**
 * Reports that name a message by the network's id of one of its parts (SMPP receipts): lookup by any
 * notation of the id, multipart delivery, receipts that come before the hand-off was recorded, inbound.
 */
let gateway: TestGateway;
let auth: string;
let accountId: number;
const CONNECTOR = 'smpp:test';

before(async () => {
  gateway = await startDeliveryGateway();
  ({ auth, accountId } = await gateway.account('refs', { senders: [{ channel: 'SMS', name: 'shop' }] }));
});
after(() => gateway.close());

async function claimedSms(): Promise<string> {
  const response = await call(gateway, 'POST', '/api/v1/message', {
    auth,
    body: [{ channelType: 'SMS', senderName: 'shop', destination: '79261234567', content: 'hello' }],
  });
  const uuid = response.body.items[0].messageUuid as string;
  const claimed = await gateway.store.engine.claimDue('test-worker', gateway.clock.now(), 30_000, 1000);
  assert.ok(claimed.some((m) => m.uuid === uuid));
  return uuid;
}

const sent = (uuid: string, carrierRefs: string[][]) => ({
  uuid,
  source: CONNECTOR,
  report: { kind: 'sent' as const, at: gateway.clock.now(), price: 25_000 },
  handoff: { connector: CONNECTOR, carrierRefs },
});
const receipt = (keys: string[], kind: 'delivered' | 'undelivered', errorCode: number | null = null) => ({
  carrierRef: { connector: CONNECTOR, keys },
  source: CONNECTOR,
  detail: `receipt ${keys[0]}`,
  report: kind === 'delivered' ? { kind, at: gateway.clock.now() } : { kind, at: gateway.clock.now(), errorCode },
});

describe('reports by carrier reference', () => {
  it('a receipt finds its message by any of the id notations the hand-off recorded', async () => {
    const uuid = await claimedSms();
    await gateway.store.engine.apply([sent(uuid, [['1A2B', '6699']])], T0);
    await gateway.store.engine.apply([receipt(['6699'], 'delivered')], T0);
    assert.equal((await messageOf(gateway, auth, uuid)).status, 'delivered');
  });

  it('a receipt from another connector with the same id does not match', async () => {
    const uuid = await claimedSms();
    await gateway.store.engine.apply([sent(uuid, [['777']])], T0);
    await gateway.store.engine.apply([{ ...receipt(['777'], 'delivered'), carrierRef: { connector: 'smpp:other', keys: ['777'] } }], T0);
    assert.equal((await messageOf(gateway, auth, uuid)).status, 'sent');
  });

  it('a receipt that arrives before the hand-off is recorded is kept and applied right after it', async () => {
    const uuid = await claimedSms();
    await gateway.store.engine.apply([receipt(['early-1'], 'undelivered', 505)], T0);
    assert.equal((await messageOf(gateway, auth, uuid)).status, 'sending', 'nothing to apply it to yet');
    await gateway.store.engine.apply([sent(uuid, [['early-1']])], T0);
    const message = await messageOf(gateway, auth, uuid);
    assert.deepEqual([message.status, message.errorCode], ['undelivered', 505]);
    assert.deepEqual((await timelineKinds(gateway, auth, uuid)).filter((k) => k !== 'callback_attempt'), ['accepted', 'claimed', 'sent', 'undelivered']);
  });

  it('a multipart message is delivered when its last part is', async () => {
    const uuid = await claimedSms();
    await gateway.store.engine.apply([sent(uuid, [['p0'], ['p1'], ['p2']])], T0);
    await gateway.store.engine.apply([receipt(['p2'], 'delivered'), receipt(['p0'], 'delivered')], T0);
    assert.equal((await messageOf(gateway, auth, uuid)).status, 'sent');
    await gateway.store.engine.apply([receipt(['p1'], 'delivered')], T0);
    assert.equal((await messageOf(gateway, auth, uuid)).status, 'delivered');
    const kinds = await timelineKinds(gateway, auth, uuid);
    assert.deepEqual(kinds.slice(-3), ['part_delivered', 'part_delivered', 'delivered']);
  });

  it('a multipart message is undelivered at its first failed part, with that code; later parts change nothing', async () => {
    const uuid = await claimedSms();
    await gateway.store.engine.apply([sent(uuid, [['q0'], ['q1']])], T0);
    await gateway.store.engine.apply([receipt(['q1'], 'undelivered', 510)], T0);
    await gateway.store.engine.apply([receipt(['q0'], 'delivered')], T0);
    const message = await messageOf(gateway, auth, uuid);
    assert.deepEqual([message.status, message.errorCode], ['undelivered', 510]);
  });
});

describe('inbound messages', () => {
  it('are stored for the named account, or the account whose SMS sender they were sent to, and listed as inbound', async () => {
    const at = gateway.clock.now();
    const named = await gateway.store.messages.storeInbound({ channelType: 'SMS', from: '79261112233', to: '900', text: 'STOP', at, accountName: 'refs' });
    const bySender = await gateway.store.messages.storeInbound({ channelType: 'SMS', from: '79261112244', to: 'shop', text: 'Привет', at, accountName: null });
    const nobody = await gateway.store.messages.storeInbound({ channelType: 'SMS', from: '79261112255', to: 'unknown', text: 'x', at, accountName: null });
    assert.ok(named && bySender);
    assert.equal(nobody, null);
    const listed = await call(gateway, 'GET', '/api/v1/message?direction=inbound&sort=created_time', { auth });
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.map((m: any) => [m.messageUuid, m.direction, m.senderName, m.destination, m.content, m.status]),
      [
        [named, 'inbound', '79261112233', '900', 'STOP', 'delivered'],
        [bySender, 'inbound', '79261112244', 'shop', 'Привет', 'delivered'],
      ],
    );
    const outbound = await call(gateway, 'GET', '/api/v1/message', { auth });
    assert.ok(outbound.body.every((m: any) => m.direction === 'outbound'), 'inbound messages are not in the default (outbound) list');
    assert.ok(accountId > 0);
  });
});
