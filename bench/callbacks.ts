import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCallbackSender } from '../src/callbacks/callbackSender.js';
import { systemClock } from '../src/clock.js';
import { generateSigningSecret } from '../src/domain/signingSecret.js';
import { sqliteCallbackOutbox } from '../src/store/sqlite/callbackOutbox.js';
import { openSqliteDatabase } from '../src/store/sqlite/sqliteStore.js';
import { fmt } from './stats.js';

const SELF = fileURLToPath(import.meta.url);
const RECEIVER_ROLE = 'callback-receiver';
const EVENTS = 50_000;
const URLS = 20;

/**
 * Callback events delivered per second: 50,000 events for 20 URLs of one signing account, posted by the real sender
 * (signed, batched by 100) to a receiver in its own process; timed from start of sending until every delivery is
 * acknowledged and recorded.
 */
export async function benchCallbacks(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-bench-callbacks-'));
  const db = openSqliteDatabase(join(dir, 'gateway.db'));
  const receiver = fork(SELF, [RECEIVER_ROLE], { stdio: 'inherit' });
  try {
    const [port] = (await once(receiver, 'message')) as [number];
    insertEvents(db, `http://127.0.0.1:${port}`);
    const outbox = sqliteCallbackOutbox(db);
    const sender = createCallbackSender({ outbox, clock: systemClock, allowPrivateTargets: true, userAgent: 'direct-gateway/bench' });
    const started = performance.now();
    sender.start();
    for (;;) {
      const { unbatchedEvents, pendingDeliveries } = await outbox.pendingCount();
      if (unbatchedEvents === 0 && pendingDeliveries === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const seconds = (performance.now() - started) / 1000;
    await sender.stop();
    const received = await askReceiver(receiver);
    const failed = (db.prepare(`select count(*) as n from callback_deliveries where attempts != 1 or state != 'delivered'`).get() as { n: number }).n;
    console.log(`callbacks: ${EVENTS} events in ${fmt(seconds, 2)} s = ${fmt(EVENTS / seconds)} events/s (target >= 10,000)`);
    console.log(`  ${URLS} URLs, signed, ${received.requests} POSTs received with ${received.events} events; ${failed} deliveries needed a retry`);
  } finally {
    receiver.kill();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function insertEvents(db: ReturnType<typeof openSqliteDatabase>, origin: string): void {
  const now = Date.now();
  const { id: accountId } = db
    .prepare(`insert into accounts (name, currency, balance, created_at, signing_secret) values ('bench', 'USD', 0, ?, ?) returning id`)
    .get(now, generateSigningSecret()) as { id: number };
  const insert = db.prepare('insert into callback_events (account_id, message_uuid, url, payload, created_at) values (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < EVENTS; i++) {
      const uuid = `063474ec-a34f-4558-90c5-${i.toString(16).padStart(12, '0')}`;
      const payload = { message_uuid: uuid, channel_type: 'SMS', callback_event: 'delivered', status: 'delivered', status_time: '2026-05-01T10:00:40Z' };
      insert.run(accountId, uuid, `${origin}/hook/${i % URLS}`, JSON.stringify(payload), now);
    }
  })();
}

function askReceiver(receiver: ChildProcess): Promise<{ requests: number; events: number }> {
  receiver.send('report');
  return once(receiver, 'message').then(([report]) => report as { requests: number; events: number });
}

/** The receiver process: counts events, answers 200, reports its port and then its totals on request. */
function runReceiver(): void {
  let requests = 0;
  let events = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests += 1;
      events += (JSON.parse(Buffer.concat(chunks).toString()) as unknown[]).length;
      res.writeHead(200).end();
    });
  });
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as AddressInfo).port));
  process.on('message', () => process.send!({ requests, events }));
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[1] === SELF && process.argv[2] === RECEIVER_ROLE) runReceiver();
