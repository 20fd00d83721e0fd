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

/** Two runs of the floor, 60 batches each (about two seconds a run). */
function floorRuns(): number[] {
  return [measureSqliteFloor(60).msgsPerSec, measureSqliteFloor(60).msgsPerSec];
}

/**
 * (a) floor, (b) the gateway over real HTTP from a separate client process, (c) their ratio. The floor is run twice
 * before and twice after the gateway, and its median taken: this machine's speed drifts over tens of seconds, and
 * a floor measured only before could come from a faster or slower spell than the gateway's.
 */
export async function benchIngest(): Promise<number> {
  const before = floorRuns();
  const gateway = await measureGateway();
  const floors = [...before, ...floorRuns()];
  const sorted = [...floors].sort((a, b) => a - b);
  const floor = (sorted[1]! + sorted[2]!) / 2;
  console.log('SQLite ingest (1000-message VOICECODE batches)');
  console.log(`  (a) floor: parse + insert in one transaction, same process     ${fmt(floor)} msgs/s`);
  console.log(`      median of runs before (${before.map((f) => fmt(f)).join(', ')}) and after (${floors.slice(2).map((f) => fmt(f)).join(', ')}) the gateway`);
  console.log(`  (b) gateway: HTTP POST from a separate process, 4 connections   ${fmt(gateway.msgsPerSec)} msgs/s accepted`);
  console.log(`      batch latency p50 ${fmt(gateway.p50, 1)} ms, p99 ${fmt(gateway.p99, 1)} ms; ${gateway.batches} batches, ${gateway.failures} failed`);
  console.log(`  (c) ratio gateway/floor                                          ${fmt(gateway.msgsPerSec / floor, 2)} (target >= 0.5)`);
  return gateway.msgsPerSec;
}

interface GatewayFigures {
  msgsPerSec: number;
  failures: number;
  batches: number;
  p50: number;
  p99: number;
}

async function measureGateway(): Promise<GatewayFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-bench-'));
  const db = join(dir, 'gateway.db');
  try {
    cli(['migrate', '--create', '--db', db]); // admin commands refuse a missing database
    cli(['accounts', 'create', 'bench', '--balance', '1000000000', '--db', db]);
    const token = cli(['tokens', 'create', '--account', 'bench', '--type', '1', '--db', db]);
    // The gateway delivers what it accepts meanwhile, with callbacks to a receiver on this machine.
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ callbacks: { allowPrivateTargets: true } }));
    const receiver = await startCountingReceiver();
    const { child, origin } = await startServe(['--db', db, '--port', '0', '--config', configFile]);
    try {
      const run = await promisify(execFile)(process.execPath, [CLIENT, origin, `Basic ${token}`, '4', '10000', receiver.url]);
      return JSON.parse(run.stdout) as GatewayFigures;
    } finally {
      await stopProcess(child);
      await receiver.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
