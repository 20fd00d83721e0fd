import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCountingReceiver } from '../test/support/callbackReceiverProcess.js';
import { cli, startServe, stopProcess } from '../test/support/serveProcess.js';
import { fmt } from './stats.js';

const BATCHES = 50;

/**
 * Simulator end to end, through a real `serve` process: 50 batches of 1000 VOICECODE messages with a
 * `delivered` callback each, from the first POST until every message is final and every callback
 * has reached a local receiver.
 *
 * The moment the last message became final is read from the database afterwards (its `status_at`), not
 * found by polling the API: a status count over 50,000 messages every few ms would itself take a core
 * from the gateway being measured.
 */
export async function benchEndToEnd(ingestMsgsPerSec: number | null): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-e2e-'));
  const db = join(dir, 'gateway.db');
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ simulator: { deliveryDelayMs: 0 }, callbacks: { allowPrivateTargets: true } }));
  const receiver = await startCountingReceiver();
  cli(['migrate', '--create', '--db', db]); // admin commands refuse a missing database
  cli(['accounts', 'create', 'e2e', '--balance', '100000000', '--db', db]);
  const auth = `Basic ${cli(['tokens', 'create', '--account', 'e2e', '--type', '1', '--db', db])}`;
  const { child, origin } = await startServe(['--db', db, '--port', '0', '--config', configFile]);
  try {
    const bodies = Array.from({ length: BATCHES }, (_, b) =>
      JSON.stringify(
        Array.from({ length: 1000 }, (_, i) => ({
          channelType: 'VOICECODE',
          senderName: 'voicecode',
          destination: `79${String(b * 1000 + i).padStart(5, '0')}5555`,
          content: { contentType: 'text', text: 'Код авторизации от bench: 1234' },
          callbackUrl: receiver.url,
        })),
      ),
    );
    const startedAt = Date.now();
    const started = performance.now();
    let next = 0;
    const post = async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const response = await fetch(`${origin}/api/v1/message`, { method: 'POST', headers: { authorization: auth }, body });
        if (response.status !== 200) throw new Error(`POST failed: ${response.status}`);
        await response.arrayBuffer();
      }
    };
    await Promise.all([post(), post(), post(), post()]);
    const accepted = performance.now();
    // Every message has a `delivered` callback, written when it became final: all received means all final.
    while (receiver.events < BATCHES * 1000) await new Promise((resolve) => setTimeout(resolve, 5));
    const called = performance.now();
    const last = lastFinal(db);
    const messages = BATCHES * 1000;
    const finalMs = last - startedAt;
    const e2e = messages / (finalMs / 1000);
    console.log('Simulator end to end (VOICECODE, 50 x 1000, delivery delay 0, one delivered callback each)');
    console.log(`  accepted in ${fmt((accepted - started) / 1000, 2)} s; all final after ${fmt(finalMs / 1000, 2)} s; all callbacks received after ${fmt((called - started) / 1000, 2)} s`);
    console.log(`  accepted -> final status: ${fmt(e2e)} msgs/s`);
    console.log(`  accepted -> callback received: ${fmt(messages / ((called - started) / 1000))} msgs/s (${receiver.requests} POSTs)`);
    if (ingestMsgsPerSec !== null) console.log(`  ratio end-to-end / ingest: ${fmt(e2e / ingestMsgsPerSec, 2)} (target >= 0.5)`);
  } finally {
    await stopProcess(child);
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** When the last message became final; fails if any is not final. */
function lastFinal(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const row = db.prepare(`select max(status_at) as last, sum(status in ('sending', 'sent')) as open from messages`).get() as { last: number; open: number };
    if (row.open > 0) throw new Error(`${row.open} messages are not final`);
    return row.last;
  } finally {
    db.close();
  }
}
