import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bodyHash } from '../../src/http/idempotency.js';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from '../support/postgresDatabase.js';
import { cli, startServe, stopProcess } from '../support/serveProcess.js';

/**
 * Issue 10 item 5, spec §5.12: a node dies (SIGKILL) while it holds the claim on an Idempotency-Key; the same request
 * sent to a live node is processed as a first request within 5 s of the death, and nothing is created twice. Before,
 * the claim held until it was 65 s old, past the 60 s answer limit.
 *
 * The dying node is a process of its own that opens the store and claims the key exactly as a request does at its
 * start, then is killed: deterministic, where killing `serve` in the microseconds between a claim and its commit is not.
 */
const DEATH_TO_ANSWER_BOUND_MS = 5_000;

const STORE_MODULE = new URL('../../src/store/openStore.js', import.meta.url).href;

/** A process that claims `key` for `hash` in `database`, says so, and waits to be killed. */
async function claimAndWait(database: string, account: string, key: string, hash: string): Promise<ChildProcess> {
  const script = `
    const { openStore } = await import(${JSON.stringify(STORE_MODULE)});
    const store = await openStore(${JSON.stringify(database)});
    const { id } = await store.accounts.byName(${JSON.stringify(account)});
    const claim = await store.idempotency.claim(id, ${JSON.stringify(key)}, ${JSON.stringify(hash)}, Date.now(), 65000);
    process.stdout.write(claim.state + '\\n');
    // The store is used by the timer: unreferenced, it could be collected, and its lock on the owner file with it.
    setInterval(() => void store, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout!.setEncoding('utf8');
  const [line] = (await once(child.stdout!, 'data')) as [string];
  assert.equal(line.trim(), 'claimed');
  return child;
}

async function post(origin: string, auth: string, body: string, key: string, signal?: AbortSignal): Promise<{ status: number; text: string }> {
  const response = await fetch(`${origin}/api/v1/message`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json', 'idempotency-key': key },
    body,
    signal,
  });
  return { status: response.status, text: await response.text() };
}

async function total(origin: string, auth: string): Promise<number> {
  const response = await fetch(`${origin}/api/v1/message?per_page=1`, { headers: { authorization: auth } });
  return Number(response.headers.get('x-total-count'));
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`an Idempotency-Key claimed by a node that dies (${backend})`, { skip: backend === 'postgres' && SKIP_WITHOUT_POSTGRES }, () => {
    it(`is processed on a live node within ${DEATH_TO_ANSWER_BOUND_MS} ms of the death, once`, { timeout: 90_000 }, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'dgw-idem-death-'));
      const pg = backend === 'postgres' ? await createTestDatabase('dgw_idem_death') : null;
      const db = pg?.url ?? join(dir, 'gateway.db');
      let holder: ChildProcess | null = null;
      let serve: ChildProcess | null = null;
      try {
        cli(['migrate', '--create', '--db', db]);
        cli(['accounts', 'create', 'idem', '--balance', '1000', '--db', db]);
        cli(['senders', 'approve', 'Shop', '--account', 'idem', '--channel', 'SMS', '--db', db]);
        const auth = `Basic ${cli(['tokens', 'create', '--account', 'idem', '--type', '1', '--db', db])}`;
        const body = JSON.stringify(
          Array.from({ length: 3 }, (_, i) => ({ channelType: 'SMS', senderName: 'Shop', destination: `7926100000${i}`, content: 'Code 1234' })),
        );
        const key = 'order-77';

        holder = await claimAndWait(db, 'idem', key, bodyHash(Buffer.from(body)));
        const live = await startServe(['--db', db, '--port', '0']);
        serve = live.child;

        // While the holder lives, its claim holds: the retry waits for its answer.
        const early = await post(live.origin, auth, body, key, AbortSignal.timeout(1_000)).catch((error: Error) => error);
        assert.ok(early instanceof Error && early.name === 'TimeoutError', `a live owner's claim holds the key: ${JSON.stringify(early)}`);

        const retry = post(live.origin, auth, body, key);
        const killedAt = Date.now();
        holder.kill('SIGKILL');
        await once(holder, 'exit');
        holder = null;
        const answer = await retry;
        const tookMs = Date.now() - killedAt;
        t.diagnostic(`answered ${tookMs} ms after the holder's death`);
        assert.equal(answer.status, 200, answer.text);
        assert.ok(tookMs < DEATH_TO_ANSWER_BOUND_MS, `answered ${tookMs} ms after the death`);
        const items = (JSON.parse(answer.text) as { items: { messageUuid?: string }[] }).items;
        assert.equal(items.filter((item) => item.messageUuid).length, 3);

        // Processed once: a replay gets the same answer and the account holds three messages.
        assert.equal((await post(live.origin, auth, body, key)).text, answer.text);
        assert.equal(await total(live.origin, auth), 3);
        if (backend === 'sqlite') {
          const ownerFiles = readdirSync(dir).filter((name) => name.includes('-owner-'));
          assert.equal(ownerFiles.length, 1, `only the live owner's lock file is left: ${ownerFiles.join(', ')}`);
        }
      } finally {
        holder?.kill('SIGKILL');
        if (serve) await stopProcess(serve);
        await pg?.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
