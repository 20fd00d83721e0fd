import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { mock } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { openSqliteDatabase } from '../../src/store/sqlite/sqliteStore.js';

/** A fresh SQLite file, migrated; rows are inserted with SQL because the engine that writes them is not here. */
export function openTestDatabase(): { db: Database.Database; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-callbacks-'));
  const db = openSqliteDatabase(join(dir, 'gateway.db'));
  return {
    db,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function addAccount(db: Database.Database, name: string, signingSecret: string | null = null): number {
  const row = db
    .prepare(
      `insert into accounts (name, currency, balance, created_at, signing_secret) values (?, 'USD', 0, 0, ?) returning id`,
    )
    .get(name, signingSecret) as { id: number };
  return row.id;
}

export interface TestEvent {
  message_uuid: string;
  channel_type: string;
  callback_event: string;
  status: string;
  status_time: string;
  seq: number;
}

let seq = 0;
/** Inserts one callback event as the engine would; returns the event object (its payload). */
export function addEvent(db: Database.Database, accountId: number, url: string, createdAt: number, messageUuid?: string): TestEvent {
  seq += 1;
  const event: TestEvent = {
    message_uuid: messageUuid ?? `00000000-0000-7000-8000-${seq.toString(16).padStart(12, '0')}`,
    channel_type: 'SMS',
    callback_event: 'delivered',
    status: 'delivered',
    status_time: new Date(createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    seq,
  };
  db.prepare('insert into callback_events (account_id, message_uuid, url, payload, created_at) values (?, ?, ?, ?, ?)').run(
    accountId,
    event.message_uuid,
    url,
    JSON.stringify(event),
    createdAt,
  );
  return event;
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What the receiver does with the n-th request (0-based): answer with a status (maybe later), or never answer. */
export type Answer = (index: number, request: ReceivedRequest) => number | 'hang' | { status: number; afterMs: number };

export interface Receiver {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1, port 0. */
export async function startReceiver(answer: Answer = () => 200): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      requests.push(received);
      const decision = answer(requests.length - 1, received);
      if (decision === 'hang') return;
      const { status, afterMs } = typeof decision === 'number' ? { status: decision, afterMs: 0 } : decision;
      const respond = () => res.writeHead(status, status >= 300 && status < 400 ? { location: '/elsewhere' } : {}).end('ignored body');
      if (afterMs > 0) setTimeout(respond, afterMs);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Verifies a request with the `standardwebhooks` package as a receiver would, with its clock at `nowMs`. */
export function verifySignature(secret: string, request: ReceivedRequest, nowMs: number): unknown {
  const dateNow = mock.method(Date, 'now', () => nowMs);
  try {
    return new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
  } finally {
    dateNow.mock.restore();
  }
}

export interface TimelineRow {
  message_uuid: string;
  at: number;
  kind: string;
  detail: string;
}

export function timeline(db: Database.Database, messageUuid: string): { at: number; kind: string; detail: Record<string, unknown> }[] {
  return (
    db.prepare('select message_uuid, at, kind, detail from message_events where message_uuid = ? order by id').all(messageUuid) as TimelineRow[]
  ).map((row) => ({ at: row.at, kind: row.kind, detail: JSON.parse(row.detail) as Record<string, unknown> }));
}
