import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import postgres from 'postgres';
import { startCountingReceiver } from '../support/callbackReceiverProcess.js';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from '../support/postgresDatabase.js';
import { until } from '../support/processHarness.js';
import { cli, startServe, stopProcess } from '../support/serveProcess.js';

const MESSAGES = 20_000;
const BATCH = 1_000;
const NODES = 3;
const PRICE = 30_000; // VOICECODE default, units of 1/10000
const BALANCE = 1_000_000;

async function get(origin: string, auth: string, path: string) {
  const response = await fetch(origin + path, { headers: { authorization: auth } });
  await response.arrayBuffer();
  return Number(response.headers.get('x-total-count'));
}

test('three nodes on one PostgreSQL, one killed mid-run: one final status each, no double hand-off under a lease, exact balances', { skip: SKIP_WITHOUT_POSTGRES, timeout: 180_000 }, async () => {
  const database = await createTestDatabase('dgw_multinode');
  const dir = mkdtempSync(join(tmpdir(), 'dgw-multinode-'));
  const configFile = join(dir, 'config.json');
  // Short leases so the dead node's work is taken over within the test.
  writeFileSync(configFile, JSON.stringify({ simulator: { deliveryDelayMs: 300 }, engine: { leaseMs: 3000, batchSize: 500 }, callbacks: { allowPrivateTargets: true, batchWaitMs: 50 } }));
  const receiver = await startCountingReceiver();
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    cli(['migrate', '--db', database.url]);
    cli(['accounts', 'create', 'multi', '--balance', String(BALANCE), '--db', database.url]);
    const auth = `Basic ${cli(['tokens', 'create', '--account', 'multi', '--type', '1', '--db', database.url])}`;
    const nodes = await Promise.all(Array.from({ length: NODES }, () => startServe(['--db', database.url, '--port', '0', '--config', configFile])));
    const uuids: string[] = [];
    for (let b = 0; b < MESSAGES / BATCH; b++) {
      const body = Array.from({ length: BATCH }, (_, i) => ({
        channelType: 'VOICECODE',
        senderName: 'voicecode',
        destination: `79${String(b * BATCH + i).padStart(5, '0')}5555`,
        content: { contentType: 'text', text: 'Код авторизации от multi: 1234' },
        callbackUrl: receiver.url,
      }));
      const response = await fetch(`${nodes[b % NODES]!.origin}/api/v1/message`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 200);
      for (const item of ((await response.json()) as { items: { messageUuid: string }[] }).items) uuids.push(item.messageUuid);
    }
    assert.equal(new Set(uuids).size, MESSAGES);
    const victim = nodes[0]!;
    const victimPid = victim.child.pid!;
    await stopProcess(victim.child, 'SIGKILL');
    const [{ unfinished }] = await sql<{ unfinished: number }[]>`select count(*)::int unfinished from messages where status in ('sending', 'sent')`;
    assert.ok(unfinished! > 0, 'the kill should land while messages are in flight');

    const alive = nodes.slice(1);
    try {
      await until('every message is final', async () => (await get(alive[0]!.origin, auth, '/api/v1/message?status=sending&status=sent&per_page=1')) === 0, 120_000, 200);
      assert.equal(await get(alive[1]!.origin, auth, '/api/v1/message?status=delivered&per_page=1'), MESSAGES);

      // A second hand-off may only happen to a message the killed node held (its lease had to run out first).
      const twice = await sql<{ message_uuid: string }[]>`
        select message_uuid from message_events where kind = 'sent' group by message_uuid having count(*) > 1`;
      for (const { message_uuid } of twice) {
        const [{ byVictim }] = await sql<{ byVictim: number }[]>`
          select count(*)::int "byVictim" from message_events
          where message_uuid = ${message_uuid} and kind = 'claimed' and detail like ${`%:${victimPid}:%`}`;
        assert.ok(byVictim! > 0, `${message_uuid} was handed off twice although no lease of a dead node was involved`);
      }

      const [account] = await sql<{ balance: number; reserved: number }[]>`select balance::float8 balance, reserved::float8 reserved from accounts where name = 'multi'`;
      assert.deepEqual(account, { balance: BALANCE * 10_000 - MESSAGES * PRICE, reserved: 0 }, 'balances add up to the unit');
      await until('every delivered callback arrived', () => uuids.every((u) => receiver.seen.get(u)?.has('delivered')), 60_000, 200);
    } finally {
      for (const node of alive) await stopProcess(node.child);
    }
  } finally {
    await sql.end();
    await receiver.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
