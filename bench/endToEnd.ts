import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
 */
export async function benchEndToEnd(ingestMsgsPerSec: number | null): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-e2e-'));
  const db = join(dir, 'gateway.db');
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ simulator: { deliveryDelayMs: 0 }, callbacks: { allowPrivateTargets: true } }));
  const receiver = await startCountingReceiver();
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
    for (;;) {
      const response = await fetch(`${origin}/api/v1/message?status=sending&status=sent&per_page=1`, { headers: { authorization: auth } });
      await response.arrayBuffer();
      if (response.headers.get('x-total-count') === '0') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const final = performance.now();
    while (receiver.events < BATCHES * 1000) await new Promise((resolve) => setTimeout(resolve, 20));
    const called = performance.now();
    const messages = BATCHES * 1000;
    const e2e = messages / ((final - started) / 1000);
    console.log('Simulator end to end (VOICECODE, 50 x 1000, delivery delay 0, one delivered callback each)');
    console.log(`  accepted in ${fmt((accepted - started) / 1000, 2)} s; all final after ${fmt((final - started) / 1000, 2)} s; all callbacks received after ${fmt((called - started) / 1000, 2)} s`);
    console.log(`  accepted -> final status: ${fmt(e2e)} msgs/s`);
    console.log(`  accepted -> callback received: ${fmt(messages / ((called - started) / 1000))} msgs/s (${receiver.requests} POSTs)`);
    if (ingestMsgsPerSec !== null) console.log(`  ratio end-to-end / ingest: ${fmt(e2e / ingestMsgsPerSec, 2)} (target >= 0.5)`);
  } finally {
    await stopProcess(child);
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
