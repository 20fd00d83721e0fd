import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { measureSqliteFloor } from './ingestFloor.js';
import { startCountingReceiver } from '../test/support/callbackReceiverProcess.js';
import { cli, startServe, stopProcess } from '../test/support/serveProcess.js';
import { fmt } from './stats.js';

const CLIENT = fileURLToPath(new URL('./ingestClient.js', import.meta.url));

/** (a) floor, (b) the gateway over real HTTP from a separate client process, (c) their ratio. */
export async function benchIngest(): Promise<number> {
  // The median of three runs: one run takes about two seconds, and this machine's speed varies over such spans.
  const floors = [measureSqliteFloor(60), measureSqliteFloor(60), measureSqliteFloor(60)].map((f) => f.msgsPerSec).sort((a, b) => a - b);
  const floor = { msgsPerSec: floors[1]! };
  const dir = mkdtempSync(join(tmpdir(), 'dgw-bench-'));
  const db = join(dir, 'gateway.db');
  try {
    cli(['accounts', 'create', 'bench', '--balance', '1000000000', '--db', db]);
    const token = cli(['tokens', 'create', '--account', 'bench', '--type', '1', '--db', db]);
    // The gateway delivers what it accepts meanwhile, with callbacks to a receiver on this machine.
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ callbacks: { allowPrivateTargets: true } }));
    const receiver = await startCountingReceiver();
    const { child, origin } = await startServe(['--db', db, '--port', '0', '--config', configFile]);
    try {
      const run = await promisify(execFile)(process.execPath, [CLIENT, origin, `Basic ${token}`, '4', '10000', receiver.url]);
      const gateway = JSON.parse(run.stdout) as { msgsPerSec: number; failures: number; batches: number; p50: number; p99: number };
      console.log('SQLite ingest (1000-message VOICECODE batches)');
      console.log(`  (a) floor: parse + insert in one transaction, same process     ${fmt(floor.msgsPerSec)} msgs/s (median of ${floors.map((f) => fmt(f)).join(', ')})`);
      console.log(`  (b) gateway: HTTP POST from a separate process, 4 connections   ${fmt(gateway.msgsPerSec)} msgs/s accepted`);
      console.log(`      batch latency p50 ${fmt(gateway.p50, 1)} ms, p99 ${fmt(gateway.p99, 1)} ms; ${gateway.batches} batches, ${gateway.failures} failed`);
      console.log(`  (c) ratio gateway/floor                                          ${fmt(gateway.msgsPerSec / floor.msgsPerSec, 2)} (target >= 0.5)`);
      return gateway.msgsPerSec;
    } finally {
      await stopProcess(child);
      await receiver.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
