/**
 * The SMPP door for clients with two `serve` processes on one PostgreSQL database, each with its own door:
 * - receipts follow the user, not the node: a transmitter bound on node A submits, a receiver of the same SMPP user
 *   bound on node B gets the receipt of every message (at least once: duplicates are counted and printed), and the
 *   transmitter none;
 * - maxBinds is counted across nodes: a user with maxBinds 2 binds once on A and once on B, a third bind on either
 *   is refused with 0x05 (ESME_RALYBND); node B killed with SIGKILL, its session stops counting (the store proves the
 *   node dead), and a new bind on A succeeds within a generous bound.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toGsm7Septets } from '../../src/smpp/gsm7.js';
import { encodePdu, LeanEsme } from '../support/leanEsme.js';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from '../support/postgresDatabase.js';
import { apiCall, until } from '../support/processHarness.js';
import { stopProcess } from '../support/serveProcess.js';
import { createSmppUser, DOOR_SENDER, prepareDoorDatabase, startDoorServe, writeDoorConfig, type DoorServe } from '../support/smppDoorServe.js';

const ACCOUNT = 'doornodes';
const MESSAGES = 600;
const ALREADY_BOUND = 0x05;
const destination = (i: number): string => `79${String(i).padStart(5, '0')}5555`;

describe('SMPP door across two nodes on one PostgreSQL', { skip: SKIP_WITHOUT_POSTGRES, timeout: 60_000 }, () => {
  let dir = '';
  let drop = async (): Promise<void> => {};
  let nodeA: DoorServe;
  let nodeB: DoorServe;
  let auth = '';
  const passwords: Record<string, string> = {};
  const clients: LeanEsme[] = [];
  const connect = async (node: DoorServe): Promise<LeanEsme> => {
    const client = await LeanEsme.connect(node.smppPort);
    clients.push(client);
    return client;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dgw-door-nodes-'));
    const database = await createTestDatabase('dgw_doornodes');
    drop = database.drop;
    const configFile = join(dir, 'config.json');
    writeDoorConfig(configFile, { smppServer: { responseTimeoutMs: 2_000 }, simulator: { deliveryDelayMs: 200 } });
    auth = prepareDoorDatabase(database.url, ACCOUNT);
    passwords.nodesrecv = createSmppUser(database.url, ACCOUNT, 'nodesrecv', ['--max-binds', '4']);
    passwords.nodesbinds = createSmppUser(database.url, ACCOUNT, 'nodesbinds', ['--max-binds', '2']);
    const args = ['--db', database.url, '--port', '0', '--config', configFile];
    // One after the other: the first migrates nothing more, the second finds the schema ready.
    nodeA = await startDoorServe(args);
    nodeB = await startDoorServe(args);
    assert.notEqual(nodeA.smppPort, nodeB.smppPort);
  });
  after(async () => {
    for (const client of clients) await client.close();
    if (nodeA) await stopProcess(nodeA.child);
    if (nodeB) await stopProcess(nodeB.child);
    await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`submitted by a transmitter on node A, every receipt reaches the same user's receiver on node B (${MESSAGES} messages)`, async (t) => {
    const receiver = await connect(nodeB);
    assert.equal(await receiver.bind('nodesrecv', passwords.nodesrecv!, 'receiver'), 0);
    const transmitter = await connect(nodeA);
    assert.equal(await transmitter.bind('nodesrecv', passwords.nodesrecv!, 'transmitter'), 0);
    const pdus = Array.from({ length: MESSAGES }, (_, i) =>
      encodePdu(
        'submit_sm',
        { source_addr: DOOR_SENDER, destination_addr: destination(i), registered_delivery: 1, data_coding: 0, short_message: toGsm7Septets(`Node test ${i}`) },
        i + 1,
      ),
    );
    const answers = await transmitter.submitAll(pdus, 100);
    assert.equal(answers.filter((a) => a?.status === 0).length, MESSAGES, 'every submit answered ESME_ROK');
    const ids = answers.map((a) => a!.messageId);
    assert.equal(new Set(ids).size, MESSAGES);
    // Node B knows the messages node A accepted.
    const onB = await apiCall(nodeB.origin, auth, `/api/v1/message/${ids[0]}`);
    assert.equal(onB.status, 200, onB.text);
    assert.equal(onB.body.sendingMethod ?? onB.body.sendingMethog, 'SMPP');

    await until('the receiver on node B has every receipt', () => {
      const seen = new Set(receiver.receipts);
      return ids.every((id) => seen.has(id));
    }, 40_000, 100);
    const counts = new Map<string, number>();
    for (const id of receiver.receipts) counts.set(id, (counts.get(id) ?? 0) + 1);
    const idSet = new Set(ids);
    assert.deepEqual([...counts.keys()].filter((id) => !idSet.has(id)), [], 'no receipt for anything else');
    t.diagnostic(`${receiver.receipts.length} deliver_sm on node B for ${MESSAGES} messages; ${[...counts.values()].filter((n) => n > 1).length} ids received more than once`);
    assert.equal(transmitter.receipts.length, 0, 'a transmitter is never sent deliver_sm');
    await receiver.unbind();
    await transmitter.unbind();
  });

  it('maxBinds 2 across nodes: one bind on A and one on B, a third on either refused with 0x05; B killed, a new bind on A succeeds', async (t) => {
    const password = passwords.nodesbinds!;
    const onA = await connect(nodeA);
    assert.equal(await onA.bind('nodesbinds', password), 0, 'first bind, on A');
    const onB = await connect(nodeB);
    assert.equal(await onB.bind('nodesbinds', password), 0, 'second bind, on B');
    const thirdA = await connect(nodeA);
    assert.equal(await thirdA.bind('nodesbinds', password), ALREADY_BOUND, 'a third on A');
    const thirdB = await connect(nodeB);
    assert.equal(await thirdB.bind('nodesbinds', password), ALREADY_BOUND, 'a third on B');
    await thirdA.close();
    await thirdB.close();

    await stopProcess(nodeB.child, 'SIGKILL');
    await onB.closed;
    const killedAt = Date.now();
    let attempts = 0;
    await until('a bind on A succeeds once B is dead', async () => {
      attempts++;
      const client = await connect(nodeA);
      const status = await client.bind('nodesbinds', password);
      if (status !== 0) {
        assert.equal(status, ALREADY_BOUND, 'refused only for the count while B looks alive');
        await client.close();
      }
      return status === 0;
    }, 30_000, 250);
    t.diagnostic(`bound on A ${Date.now() - killedAt} ms after node B was killed (${attempts} attempts)`);
    // A's two sessions count: a further bind is refused again.
    const fourth = await connect(nodeA);
    assert.equal(await fourth.bind('nodesbinds', password), ALREADY_BOUND, "A's two sessions fill the limit");
    assert.equal(onA.isClosed, false, 'the first session on A stayed bound throughout');
  });
});
