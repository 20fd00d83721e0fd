import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMPP_DEFAULTS } from '../../src/connectors/smpp/smppConfig.js';
import { call, type TestGateway } from '../support/gateway.js';
import { messageOf, startDeliveryGateway, timelineOf } from '../support/delivery.js';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from '../support/postgresDatabase.js';
import { SmscStandIn, type ReceiptRecord, type SubmitRecord } from '../support/smscStandIn.js';

/**
 * Issue 10 item 12: the SMSC answers most submits of a round and their receipts, holds one submit_sm_resp and drops
 * the connection (and refuses to bind again for a while). The answered messages must become final at once, not when
 * the held one's hand-off gives up (responseTimeoutMs, 20 s here); the held one follows the rule for an unanswered
 * submit: submitted again when a bind is back (at-least-once, said in its timeline).
 */
const RESPONSE_TIMEOUT_MS = 20_000;
/** Generous for a loaded 2-core machine; the fault it catches takes RESPONSE_TIMEOUT_MS. */
const FINAL_WITHIN_MS = 3_000;
const ANSWERED = 30;
const HELD_DESTINATION = '79260009999';

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`SMPP connection drop (${backend})`, { skip: backend === 'postgres' && SKIP_WITHOUT_POSTGRES }, () => {
    it('answered messages become delivered within 3 s of the drop, the held one is submitted again once a bind is back', { timeout: 60_000 }, async () => {
      const database = backend === 'postgres' ? await createTestDatabase('dgw_smppdrop') : null;
      const smsc = new SmscStandIn({ systemId: 'gw', password: 'secret', receipts: { stat: 'DELIVRD' } });
      const smscPort = await smsc.start();
      let gateway: TestGateway | undefined;
      try {
        gateway = await startDeliveryGateway((config) => {
          if (database) config.database = database.url;
          config.smpp.smscs = [
            { ...SMPP_DEFAULTS, name: 'drop', host: '127.0.0.1', port: smscPort.port, systemId: 'gw', password: 'secret', responseTimeoutMs: RESPONSE_TIMEOUT_MS, reconnectMinMs: 100, reconnectMaxMs: 200 },
          ];
          config.channels.SMS.connector = 'smpp:drop';
        });
        const { auth } = await gateway.account('sms', { senders: [{ channel: 'SMS', name: 'Shop' }] });
        const answeredUuids = await accept(gateway, auth, Date.now(), Array.from({ length: ANSWERED }, (_, i) => `7926100${String(i).padStart(4, '0')}`));
        // Due after the others: submitted last in the round, so holding its answer holds nothing else.
        const [heldUuid] = await accept(gateway, auth, Date.now() + 5, [HELD_DESTINATION]);

        // Only its first submit is held: the one after the drop is answered.
        const holdFirst = (submit: SubmitRecord): void => {
          if (submit.destinationAddr !== HELD_DESTINATION) return;
          smsc.hold();
          smsc.off('submit', holdFirst);
        };
        smsc.on('submit', holdFirst);
        const receipts: ReceiptRecord[] = [];
        const allReceipts = new Promise<void>((resolve) =>
          smsc.on('receipt', (receipt: ReceiptRecord) => {
            receipts.push(receipt);
            if (receipts.length === ANSWERED) resolve();
          }),
        );

        gateway.clock.set(Date.now() + 10);
        const round = gateway.engine.runOnce();
        await Promise.race([allReceipts, sleep(15_000).then(() => assert.fail(`only ${receipts.length} of ${ANSWERED} receipts answered`))]);
        // The SMSC goes away with the held submit unanswered, and will not take a bind for now.
        smsc.options.password = 'closed';
        smsc.disconnectAll();
        smsc.release();
        const dropped = performance.now();

        const statuses = await untilDelivered(gateway, auth, answeredUuids, FINAL_WITHIN_MS + 2_000);
        const finalAfterMs = performance.now() - dropped;
        assert.deepEqual(statuses, answeredUuids.map(() => 'delivered'));
        assert.ok(finalAfterMs < FINAL_WITHIN_MS, `the answered messages became final ${Math.round(finalAfterMs)} ms after the drop (responseTimeoutMs ${RESPONSE_TIMEOUT_MS})`);
        assert.equal((await messageOf(gateway, auth, heldUuid!)).status, 'sending', 'the unanswered submit is not final while no bind is up');

        // The SMSC takes binds again: the held part goes again on the new bind, within the same hand-off.
        smsc.options.password = 'secret';
        await round;
        const deadline = Date.now() + 15_000;
        while ((await messageOf(gateway, auth, heldUuid!)).status !== 'delivered') {
          if (Date.now() > deadline) assert.fail(`the held message is still ${(await messageOf(gateway, auth, heldUuid!)).status}`);
          gateway.clock.set(Date.now());
          await gateway.engine.runOnce();
          await sleep(20);
        }
        const sent = (await timelineOf(gateway, auth, heldUuid!)).find((entry) => entry.kind === 'sent');
        assert.match(JSON.stringify(sent?.detail), /submitted again after a lost connection/);
        assert.equal(smsc.submitsTo(HELD_DESTINATION), 2, 'the unanswered submit went again (at-least-once)');
        for (let i = 0; i < ANSWERED; i++) assert.equal(smsc.submitsTo(`7926100${String(i).padStart(4, '0')}`), 1, 'an answered submit is never submitted again');
      } finally {
        await gateway?.close();
        await smscPort.close();
        await database?.drop();
      }
    });
  });
}

async function accept(gateway: TestGateway, auth: string, at: number, destinations: string[]): Promise<string[]> {
  gateway.clock.set(at);
  const response = await call(gateway, 'POST', '/api/v1/message', {
    auth,
    body: destinations.map((destination) => ({ channelType: 'SMS', senderName: 'Shop', destination, content: 'Your code is 1234' })),
  });
  assert.equal(response.status, 200, response.text);
  return response.body.items.map((item: { messageUuid: string }) => item.messageUuid);
}

/** Reads the statuses until all are delivered or the time is up; the engine round is not driven here (it is in progress). */
async function untilDelivered(gateway: TestGateway, auth: string, uuids: string[], timeoutMs: number): Promise<string[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const statuses = await Promise.all(uuids.map(async (uuid) => (await messageOf(gateway, auth, uuid)).status as string));
    if (statuses.every((status) => status === 'delivered') || performance.now() > deadline) return statuses;
    await sleep(50);
  }
}
