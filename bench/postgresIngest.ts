import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { newMessageId } from '../src/store/messageIds.js';
import { startCountingReceiver } from '../test/support/callbackReceiverProcess.js';
import { createTestDatabase } from '../test/support/postgresDatabase.js';
import { cli, startServe, stopProcess } from '../test/support/serveProcess.js';
import { fmt } from './stats.js';
import { voicecodeBatch } from './voicecodeBatch.js';

const CLIENT = fileURLToPath(new URL('./ingestClient.js', import.meta.url));
const BATCHES = 40;

/**
 * The floor: this process parses 1000-message VOICECODE batches and inserts each with one multi-row INSERT in
 * one transaction, through the same driver (postgres.js) into the gateway's own schema, and nothing else.
 */
async function postgresFloor(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const texts = Array.from({ length: BATCHES }, (_, b) => JSON.stringify(voicecodeBatch(1000, b, 'http://127.0.0.1:9/callback')));
    const started = performance.now();
    for (const text of texts) {
      const now = Date.now();
      const rows = (JSON.parse(text) as any[]).map((item) => ({
        uuid: newMessageId(), account_id: 1, direction: 'outbound', channel_type: item.channelType, sender_name: item.senderName,
        destination: item.destination, content: JSON.stringify(item.content), content_search: item.content.text.toLowerCase(),
        tags: JSON.stringify(item.tags), callback_url: item.callbackUrl, callback_events: JSON.stringify(item.callbackEvents),
        total_parts: 1, traffic_type: 'AUTHORIZE', traffic_center_id: 1, sending_method: 'API', country_code: 'RU', status: 'sending',
        reserved: 30_000, created_at: now, status_at: now, message_time: now, due_at: now, expires_at: now + 90_000_000, time_zone: 'Europe/Moscow',
      }));
      await sql.begin((tx) => tx`insert into messages ${tx(rows)}`);
    }
    return (BATCHES * 1000) / ((performance.now() - started) / 1000);
  } finally {
    await sql.end();
  }
}

/** PostgreSQL ingest, with the SQLite method: (a) floor, (b) the gateway over HTTP from a separate process, (c) ratio. */
export async function benchPostgresIngest(): Promise<void> {
  if (!process.env.DGW_TEST_POSTGRES_URL) {
    console.log('PostgreSQL ingest: skipped (set DGW_TEST_POSTGRES_URL, e.g. postgres://postgres@127.0.0.1:5432/test)');
    return;
  }
  const floorDb = await createTestDatabase('dgw_bench_floor');
  const gatewayDb = await createTestDatabase('dgw_bench_gateway');
  const dir = mkdtempSync(join(tmpdir(), 'dgw-pgbench-'));
  const receiver = await startCountingReceiver();
  try {
    cli(['migrate', '--db', floorDb.url]);
    cli(['accounts', 'create', 'floor', '--db', floorDb.url]);
    const floor = await postgresFloor(floorDb.url);

    cli(['accounts', 'create', 'bench', '--balance', '1000000000', '--db', gatewayDb.url]);
    const token = cli(['tokens', 'create', '--account', 'bench', '--type', '1', '--db', gatewayDb.url]);
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ callbacks: { allowPrivateTargets: true } }));
    const { child, origin } = await startServe(['--db', gatewayDb.url, '--port', '0', '--config', configFile]);
    try {
      const run = await promisify(execFile)(process.execPath, [CLIENT, origin, `Basic ${token}`, '4', '10000', receiver.url]);
      const gateway = JSON.parse(run.stdout) as { msgsPerSec: number; failures: number; batches: number; p50: number; p99: number };
      console.log('PostgreSQL ingest (1000-message VOICECODE batches)');
      console.log(`  (a) floor: parse + one multi-row INSERT per batch, same driver     ${fmt(floor)} msgs/s`);
      console.log(`  (b) gateway: HTTP POST from a separate process, 4 connections   ${fmt(gateway.msgsPerSec)} msgs/s accepted`);
      console.log(`      batch latency p50 ${fmt(gateway.p50, 1)} ms, p99 ${fmt(gateway.p99, 1)} ms; ${gateway.batches} batches, ${gateway.failures} failed`);
      console.log(`  (c) ratio gateway/floor                                          ${fmt(gateway.msgsPerSec / floor, 2)} (target >= 0.5)`);
    } finally {
      await stopProcess(child);
    }
  } finally {
    await receiver.close();
    await floorDb.drop();
    await gatewayDb.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
