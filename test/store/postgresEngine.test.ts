/**
 * The engine and callback outbox on PostgreSQL, where several nodes share one database: concurrent claims,
 * lease take-over, exact money under concurrent appliers, early receipts racing their hand-off, multipart,
 * outbox claims by several senders, and the same scenario run on SQLite and PostgreSQL giving the same rows.
 * Needs DGW_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test); each test makes its own database.
 * Unset: skipped, with the reason printed. Set but unreachable: the tests fail.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import type { CallbackOutbox } from '../../src/store/callbackOutbox.js';
import { newMessageId } from '../../src/store/messageIds.js';
import { pgCallbackOutbox } from '../../src/store/postgres/callbackOutbox.js';
import { connectPostgres, type Sql } from '../../src/store/postgres/connection.js';
import { pgApplyReports } from '../../src/store/postgres/engine/applyReports.js';
import { pgEngine } from '../../src/store/postgres/engine/index.js';
import { pgTimeline } from '../../src/store/postgres/messages/timeline.js';
import { migratePostgres } from '../../src/store/postgres/schema.js';
import { sqliteCallbackOutbox } from '../../src/store/sqlite/callbackOutbox.js';
import { sqliteApplyReports } from '../../src/store/sqlite/engine/applyReports.js';
import { sqliteClaimDue } from '../../src/store/sqlite/engine/claimDue.js';
import { sqliteEngineLookups } from '../../src/store/sqlite/engine/lookups.js';
import { sqliteReschedule } from '../../src/store/sqlite/engine/reschedule.js';
import { sqliteNotes } from '../../src/store/sqlite/engine/notes.js';
import { sqliteTimeline } from '../../src/store/sqlite/messages/timeline.js';
import { openSqliteDatabase } from '../../src/store/sqlite/sqliteStore.js';
import type { EngineRepository, ReportEnvelope } from '../../src/store/store.js';

const SERVER_URL = process.env.DGW_TEST_POSTGRES_URL;
const SKIP = SERVER_URL ? false : 'DGW_TEST_POSTGRES_URL is not set: PostgreSQL engine tests skipped';
if (SKIP) process.stderr.write(`${SKIP}\n`);

const T0 = Date.parse('2026-05-01T10:00:00Z');
const ALL_EVENTS = JSON.stringify(['sent', 'delivered', 'price', 'read', 'click']);

interface TestDatabase {
  /** The test's main pool. */
  sql: Sql;
  /** Another pool on the same database: another node. */
  node(max?: number): Sql;
}

/** A fresh, migrated database for one test, dropped afterwards with every pool on it. */
async function withDatabase(work: (db: TestDatabase) => Promise<void>): Promise<void> {
  const name = `dgw_${randomBytes(6).toString('hex')}`;
  const admin = connectPostgres(SERVER_URL!, { max: 1 });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(SERVER_URL!);
  url.pathname = `/${name}`;
  const pools: Sql[] = [];
  const node = (max = 4) => {
    const pool = connectPostgres(url.toString(), { max });
    pools.push(pool);
    return pool;
  };
  try {
    const sql = node(8);
    await migratePostgres(sql);
    await work({ sql, node });
  } finally {
    await Promise.all(pools.map((pool) => pool.end({ timeout: 5 })));
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  }
}

interface NewMessage {
  uuid?: string;
  accountId: number;
  channel?: string;
  reserved?: number;
  totalParts?: number;
  dueAt?: number;
  expiresAt?: number;
  callbackUrl?: string | null;
  shortUrl?: boolean | null;
}

function messageRow(m: NewMessage) {
  return {
    uuid: m.uuid ?? newMessageId(),
    account_id: m.accountId,
    channel_type: m.channel ?? 'SMS',
    reserved: m.reserved ?? 0,
    total_parts: m.totalParts ?? 1,
    due_at: m.dueAt ?? T0,
    expires_at: m.expiresAt ?? T0 + 86_400_000,
    callback_url: m.callbackUrl === undefined ? 'https://example.com/cb' : m.callbackUrl,
    callback_events: ALL_EVENTS,
    short_url: m.shortUrl ?? null,
  };
}

async function pgAccount(sql: Sql, name: string, balance: number, reserved = 0, billing = true): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    insert into accounts (name, currency, balance, reserved, billing_enabled, created_at)
    values (${name}, 'RUB', ${balance}, ${reserved}, ${billing}, ${T0}) returning id`;
  return row!.id;
}

/** Messages as accept would leave them: `sending`, due, with their reservation. */
async function pgMessages(sql: Sql, messages: NewMessage[]): Promise<string[]> {
  const rows = messages.map(messageRow);
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    await sql`
      insert into messages (uuid, account_id, direction, channel_type, sender_name, destination, content, tags, total_parts,
        traffic_type, traffic_center_id, sending_method, status, reserved, created_at, status_at, message_time, due_at,
        expires_at, time_zone, callback_url, callback_events, short_url)
      select uuid, account_id, 'outbound', channel_type, 'shop', '79261234567', '"Your code is 1234"', '[]'::jsonb, total_parts,
        'service', 1, 'api', 'sending', reserved, ${T0}::bigint, ${T0}::bigint, ${T0}::bigint, due_at,
        expires_at, 'UTC', callback_url, callback_events, short_url::boolean
      from unnest(${chunk.map((r) => r.uuid)}::uuid[], ${chunk.map((r) => r.account_id)}::bigint[], ${chunk.map((r) => r.channel_type)}::text[],
        ${chunk.map((r) => r.reserved)}::bigint[], ${chunk.map((r) => r.total_parts)}::int[], ${chunk.map((r) => r.due_at)}::bigint[],
        ${chunk.map((r) => r.expires_at)}::bigint[], ${chunk.map((r) => r.callback_url)}::text[], ${chunk.map((r) => r.callback_events)}::text[],
        ${chunk.map((r) => (r.short_url === null ? null : r.short_url ? 't' : 'f'))}::text[])
        as m (uuid, account_id, channel_type, reserved, total_parts, due_at, expires_at, callback_url, callback_events, short_url)`;
  }
  return rows.map((r) => r.uuid);
}

function sqliteAccount(db: Database.Database, name: string, balance: number, reserved = 0, billing = true): number {
  const row = db
    .prepare(`insert into accounts (name, currency, balance, reserved, billing_enabled, created_at) values (?, 'RUB', ?, ?, ?, ?) returning id`)
    .get(name, balance, reserved, billing ? 1 : 0, T0) as { id: number };
  return row.id;
}

function sqliteMessages(db: Database.Database, messages: NewMessage[]): string[] {
  const insert = db.prepare(`
    insert into messages (uuid, account_id, direction, channel_type, sender_name, destination, content, tags, total_parts,
      traffic_type, traffic_center_id, sending_method, status, reserved, created_at, status_at, message_time, due_at,
      expires_at, time_zone, callback_url, callback_events, short_url)
    values (@uuid, @account_id, 'outbound', @channel_type, 'shop', '79261234567', '"Your code is 1234"', '[]', @total_parts,
      'service', 1, 'api', 'sending', @reserved, ${T0}, ${T0}, ${T0}, @due_at, @expires_at, 'UTC', @callback_url, @callback_events, @short_url)`);
  return messages.map((m) => {
    const row = messageRow(m);
    insert.run({ ...row, short_url: row.short_url === null ? null : row.short_url ? 1 : 0 });
    return row.uuid;
  });
}

const sent = (uuid: string, at: number, price: number, connector = 'smpp', carrierRefs: string[][] = []): ReportEnvelope => ({
  uuid,
  source: connector,
  report: { kind: 'sent', at, price },
  handoff: { connector, carrierRefs },
});
const byRef = (keys: string[], report: ReportEnvelope['report'], connector = 'smpp'): ReportEnvelope => ({
  carrierRef: { connector, keys },
  source: connector,
  report,
});
const byUuid = (uuid: string, report: ReportEnvelope['report'], source = 'smpp'): ReportEnvelope => ({ uuid, source, report });

/** Rows in a backend-independent order (PostgreSQL's text collation is not SQLite's bytewise one). */
function sorted(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) => ({ ...r })).sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
}

/** Claims until nothing is left, with several loops at once; returns every uuid each loop got. */
async function drain(engine: EngineRepository, owner: string, loops: number, batch: number): Promise<string[]> {
  const got: string[] = [];
  await Promise.all(
    Array.from({ length: loops }, async () => {
      for (;;) {
        const claimed = await engine.claimDue(owner, T0, 60_000, batch);
        if (claimed.length === 0) return;
        got.push(...claimed.map((m) => m.uuid));
      }
    }),
  );
  return got;
}

describe('PostgreSQL engine and callback outbox', { skip: SKIP }, () => {
  it('two workers claiming concurrently never get the same message', async () => {
    await withDatabase(async ({ sql, node }) => {
      const account = await pgAccount(sql, 'a', 0);
      const uuids = await pgMessages(sql, Array.from({ length: 1200 }, () => ({ accountId: account })));
      const [a, b] = [pgEngine(node()), pgEngine(node())];
      const [gotA, gotB] = await Promise.all([drain(a, 'node-a', 3, 25), drain(b, 'node-b', 3, 25)]);
      assert.ok(gotA.length > 0 && gotB.length > 0, `both worked: ${gotA.length} + ${gotB.length}`);
      const all = [...gotA, ...gotB];
      assert.equal(all.length, uuids.length, 'every message claimed once');
      assert.equal(new Set(all).size, uuids.length, 'no message claimed twice');
      const owners = await sql<{ lease_owner: string; n: number }[]>`
        select lease_owner, count(*)::int as n from messages group by lease_owner order by lease_owner`;
      assert.deepEqual(owners.map((r) => [r.lease_owner, r.n]), [['node-a', gotA.length], ['node-b', gotB.length]]);
      const [notes] = await sql<{ n: number; messages: number }[]>`
        select count(*)::int as n, count(distinct message_uuid)::int as messages from message_events where kind = 'claimed'`;
      assert.deepEqual(notes, { n: uuids.length, messages: uuids.length });
      const [timeline] = (await pgTimeline(sql)(account, uuids[0]!))!.slice(1);
      assert.equal(timeline!.kind, 'claimed');
      assert.equal(timeline!.detail!['attempt'], 1);
    });
  });

  it('an expired lease is taken over, and the old holder can no longer give the message back', async () => {
    await withDatabase(async ({ sql, node }) => {
      const account = await pgAccount(sql, 'a', 0);
      const uuids = await pgMessages(sql, Array.from({ length: 10 }, () => ({ accountId: account })));
      const [a, b] = [pgEngine(node()), pgEngine(node())];
      assert.equal((await a.claimDue('node-a', T0, 1000, 100)).length, 10);
      assert.equal((await b.claimDue('node-b', T0 + 999, 1000, 100)).length, 0, 'a live lease holds');
      const taken = await b.claimDue('node-b', T0 + 1000, 1000, 100);
      assert.deepEqual(taken.map((m) => m.uuid).sort(), [...uuids].sort());
      assert.ok(taken.every((m) => m.attempts === 2));
      // The killed node comes back and tries to give its messages back: the guard matches nothing.
      await a.reschedule('node-a', uuids.map((uuid) => ({ uuid, dueAt: T0 + 50_000, note: 'late' })), T0 + 1001);
      const held = await sql<{ lease_owner: string; due_at: number }[]>`select lease_owner, due_at from messages`;
      assert.ok(held.every((r) => r.lease_owner === 'node-b' && r.due_at === T0));
      await b.reschedule('node-b', [{ uuid: uuids[0]!, dueAt: T0 + 60_000, note: 'window' }], T0 + 1002);
      const [back] = await sql<{ lease_owner: string | null; due_at: number }[]>`select lease_owner, due_at from messages where uuid = ${uuids[0]!}`;
      assert.deepEqual(back, { lease_owner: null, due_at: T0 + 60_000 });
      const kinds = (await pgTimeline(sql)(account, uuids[0]!))!.map((e) => [e.kind, e.detail?.['worker'] ?? e.detail?.['reason'] ?? null]);
      assert.deepEqual(kinds, [['accepted', null], ['claimed', 'node-a'], ['claimed', 'node-b'], ['rescheduled', 'window']]);
    });
  });

  it('a stop requested while claimed ends the message at reschedule, refunded', async () => {
    await withDatabase(async ({ sql }) => {
      const account = await pgAccount(sql, 'a', 10_000, 700);
      const [uuid] = await pgMessages(sql, [{ accountId: account, reserved: 700 }]);
      const engine = pgEngine(sql);
      await engine.claimDue('w', T0, 60_000, 10);
      await sql`update messages set stop_requested = true where uuid = ${uuid!}`;
      assert.deepEqual([...(await engine.stopRequested([uuid!, 'not-a-uuid']))], [uuid]);
      await engine.reschedule('w', [{ uuid: uuid!, dueAt: T0 + 5000, note: 'window' }], T0 + 10);
      const [row] = await sql`select status, error_code, reserved, lease_owner from messages`;
      assert.deepEqual({ ...row }, { status: 'unsent', error_code: 606, reserved: 0, lease_owner: null });
      const [money] = await sql`select balance, reserved from accounts`;
      assert.deepEqual({ ...money }, { balance: 10_000, reserved: 0 });
    });
  });

  it('concurrent appliers on several nodes keep balances exact and charge a message once', async () => {
    await withDatabase(async ({ sql, node }) => {
      const count = 400;
      const price = 37;
      const a = await pgAccount(sql, 'a', 10_000_000, count * 100);
      const b = await pgAccount(sql, 'b', 5_000_000, count * 50);
      const uuids = await pgMessages(sql, [
        ...Array.from({ length: count }, () => ({ accountId: a, reserved: 100 })),
        ...Array.from({ length: count }, () => ({ accountId: b, reserved: 50 })),
      ]);
      const nodes = Array.from({ length: 4 }, () => pgEngine(node(3)));
      // Every report is applied twice, by two different nodes, in shuffled batches mixing both accounts.
      const shuffled = (list: string[]) => [...list].sort(() => Math.random() - 0.5);
      const applyAll = async (make: (uuid: string) => ReportEnvelope) => {
        const work = [...shuffled(uuids), ...shuffled(uuids)];
        const batches: ReportEnvelope[][] = [];
        for (let i = 0; i < work.length; i += 40) batches.push(work.slice(i, i + 40).map(make));
        await Promise.all(
          nodes.map(async (engine, n) => {
            for (let i = n; i < batches.length; i += nodes.length) await engine.apply(batches[i]!, T0 + 10);
          }),
        );
      };
      await applyAll((uuid) => sent(uuid, T0 + 5, price));
      await applyAll((uuid) => byUuid(uuid, { kind: 'delivered', at: T0 + 8 }));
      const accounts = await sql<{ id: number; balance: number; reserved: number }[]>`select id, balance, reserved from accounts order by id`;
      assert.deepEqual(
        accounts.map((r) => ({ ...r })),
        [
          { id: a, balance: 10_000_000 - count * price, reserved: 0 },
          { id: b, balance: 5_000_000 - count * price, reserved: 0 },
        ],
      );
      const statuses = await sql`select status, price_final, count(*)::int as n from messages group by status, price_final`;
      assert.deepEqual(statuses.map((r) => ({ ...r })), [{ status: 'delivered', price_final: true, n: 2 * count }]);
      // sent + price(final=false) + delivered + price(final=true), once each per message.
      const [events] = await sql`select count(*)::int as n from callback_events`;
      assert.equal(events!['n'], 2 * count * 4);
    });
  });

  it('an early receipt waits for its hand-off, in a later batch or in the same one', async () => {
    await withDatabase(async ({ sql }) => {
      const account = await pgAccount(sql, 'a', 10_000, 200);
      const [first, second] = await pgMessages(sql, [
        { accountId: account, reserved: 100 },
        { accountId: account, reserved: 100 },
      ]);
      const engine = pgEngine(sql);
      await engine.claimDue('w', T0, 60_000, 10);
      await engine.apply([byRef(['a1', '161'], { kind: 'delivered', at: T0 + 5 })], T0 + 6);
      const [kept] = await sql`select count(*)::int as n from pending_reports`;
      assert.equal(kept!['n'], 1);
      const [before] = await sql`select status from messages where uuid = ${first!}`;
      assert.equal(before!['status'], 'sending');
      await engine.apply(
        [
          sent(first!, T0 + 10, 30, 'smpp', [['a1', '161']]),
          byRef(['b2'], { kind: 'undelivered', at: T0 + 11, errorCode: 12 }),
          sent(second!, T0 + 12, 30, 'smpp', [['b2']]),
        ],
        T0 + 13,
      );
      const rows = await sql`select uuid, status, error_code, lease_owner, connector from messages order by uuid`;
      assert.deepEqual(
        rows.map((r) => ({ ...r })),
        [
          { uuid: first, status: 'delivered', error_code: null, lease_owner: null, connector: 'smpp' },
          { uuid: second, status: 'undelivered', error_code: 12, lease_owner: null, connector: 'smpp' },
        ],
      );
      const [left] = await sql`select (select count(*) from pending_reports)::int as reports, (select count(*) from pending_report_keys)::int as keys`;
      assert.deepEqual({ ...left }, { reports: 0, keys: 0 });
      const kinds = (await pgTimeline(sql)(account, first!))!.map((e) => e.kind);
      assert.deepEqual(kinds, ['accepted', 'claimed', 'sent', 'delivered']);
      // A receipt after the hand-off finds the part by any of its notations.
      await engine.apply([byRef(['nope', '161'], { kind: 'undelivered', at: T0 + 20, errorCode: 1 })], T0 + 21);
      const last = (await pgTimeline(sql)(account, first!))!.at(-1)!;
      assert.equal(last.kind, 'undelivered');
      assert.equal(last.detail!['ignored'], 'status is already delivered');
    });
  });

  it('an early receipt racing its hand-off on another node is never lost', async () => {
    await withDatabase(async ({ sql, node }) => {
      const count = 150;
      const account = await pgAccount(sql, 'a', 1_000_000, count * 10);
      const uuids = await pgMessages(sql, Array.from({ length: count }, () => ({ accountId: account, reserved: 10 })));
      const [handoffs, receipts] = [pgEngine(node(6)), pgEngine(node(6))];
      await handoffs.claimDue('w', T0, 60_000, count);
      await Promise.all(
        uuids.flatMap((uuid, i) => [
          handoffs.apply([sent(uuid, T0 + 10, 5, 'smpp', [[`id${i}`, `${i}`]])], T0 + 10),
          receipts.apply([byRef([`x${i}`, `${i}`], { kind: 'delivered', at: T0 + 11 })], T0 + 11),
        ]),
      );
      const statuses = await sql`select status, count(*)::int as n from messages group by status`;
      assert.deepEqual(statuses.map((r) => ({ ...r })), [{ status: 'delivered', n: count }]);
      const [left] = await sql`select count(*)::int as n from pending_reports`;
      assert.equal(left!['n'], 0);
      const [money] = await sql`select balance, reserved from accounts`;
      assert.deepEqual({ ...money }, { balance: 1_000_000 - count * 5, reserved: 0 });
    });
  });

  it('a multipart message is delivered when every part is, undelivered when one part is', async () => {
    await withDatabase(async ({ sql }) => {
      const account = await pgAccount(sql, 'a', 10_000, 0);
      const [whole, broken] = await pgMessages(sql, [
        { accountId: account, totalParts: 3 },
        { accountId: account, totalParts: 2 },
      ]);
      const engine = pgEngine(sql);
      await engine.claimDue('w', T0, 60_000, 10);
      await engine.apply(
        [sent(whole!, T0 + 1, 90, 'smpp', [['p0', '0'], ['p1'], ['p2']]), sent(broken!, T0 + 1, 60, 'smpp', [['q0'], ['q1']])],
        T0 + 2,
      );
      await engine.apply([byRef(['p1'], { kind: 'delivered', at: T0 + 3 }), byRef(['0'], { kind: 'delivered', at: T0 + 4 })], T0 + 5);
      const [waiting] = await sql`select status from messages where uuid = ${whole!}`;
      assert.equal(waiting!['status'], 'sent');
      await engine.apply(
        [
          byRef(['q1'], { kind: 'undelivered', at: T0 + 6, errorCode: 88 }),
          byRef(['p1'], { kind: 'undelivered', at: T0 + 6, errorCode: 1 }),
          byRef(['p2'], { kind: 'delivered', at: T0 + 7 }),
          byRef(['q0'], { kind: 'delivered', at: T0 + 8 }),
        ],
        T0 + 9,
      );
      const rows = await sql`select uuid, status, error_code, status_at from messages order by uuid`;
      assert.deepEqual(
        rows.map((r) => ({ ...r })),
        [
          { uuid: whole, status: 'delivered', error_code: null, status_at: T0 + 7 },
          { uuid: broken, status: 'undelivered', error_code: 88, status_at: T0 + 6 },
        ],
      );
      const parts = await sql`select message_uuid, part, outcome, error_code from message_parts order by message_uuid, part`;
      assert.deepEqual(
        parts.map((r) => [r['message_uuid'] === whole ? 'whole' : 'broken', r['part'], r['outcome'], r['error_code']]),
        [
          ['whole', 0, 'delivered', null],
          ['whole', 1, 'delivered', null],
          ['whole', 2, 'delivered', null],
          ['broken', 0, 'delivered', null],
          ['broken', 1, 'undelivered', 88],
        ],
      );
      const kinds = (await pgTimeline(sql)(account, whole!))!.map((e) => e.kind);
      assert.deepEqual(kinds, ['accepted', 'claimed', 'sent', 'part_delivered', 'part_delivered', 'part_undelivered', 'delivered']);
    });
  });

  it('callback deliveries claimed by two senders never overlap; a stale lease records nothing', async () => {
    await withDatabase(async ({ sql, node }) => {
      const account = await pgAccount(sql, 'a', 0);
      const events = Array.from({ length: 1000 }, (_, i) => ({ uuid: newMessageId(), payload: JSON.stringify({ seq: i, z: 'a', a: 'z' }) }));
      await sql`
        insert into callback_events (account_id, message_uuid, url, payload, created_at)
        select ${account}, u, 'https://example.com/cb', p, ${T0}::bigint
        from unnest(${events.map((e) => e.uuid)}::uuid[], ${events.map((e) => e.payload)}::text[]) with ordinality as e (u, p, n) order by n`;
      const [one, two] = [pgCallbackOutbox(node()), pgCallbackOutbox(node())];
      // Two nodes form at once: each event goes into exactly one delivery, in event order.
      const formed = await Promise.all([one.formDeliveries(T0 + 1000, { maxEvents: 7, fillWaitMs: 1000 }), two.formDeliveries(T0 + 1000, { maxEvents: 7, fillWaitMs: 1000 })]);
      assert.equal(formed[0] + formed[1], Math.ceil(1000 / 7));
      const bodies = await sql<{ body: string }[]>`select body from callback_deliveries order by id`;
      assert.deepEqual(bodies.flatMap((d) => (JSON.parse(d.body) as { seq: number }[]).map((e) => e.seq)), events.map((_, i) => i));
      assert.equal(bodies[0]!.body, `[${events.slice(0, 7).map((e) => e.payload).join(',')}]`, 'payloads joined exactly');
      assert.deepEqual(await one.pendingCount(), { unbatchedEvents: 0, pendingDeliveries: formed[0] + formed[1] });

      const claimAll = async (outbox: CallbackOutbox) => {
        const got: string[] = [];
        for (;;) {
          const claimed = await outbox.claimDue(T0 + 2000, 30_000, 3);
          if (claimed.length === 0) return got;
          got.push(...claimed.map((d) => d.id));
        }
      };
      const [gotOne, gotTwo, gotThree] = await Promise.all([claimAll(one), claimAll(two), claimAll(one)]);
      const all = [...gotOne, ...gotTwo, ...gotThree];
      assert.equal(all.length, bodies.length);
      assert.equal(new Set(all).size, bodies.length);

      // The first holder stalls past its lease; another sender re-claims; the stale result is ignored.
      const [stale] = await sql<{ id: string }[]>`select id from callback_deliveries order by id limit 1`;
      const [again] = (await two.claimDue(T0 + 32_000, 30_000, 200)).filter((d) => d.id === stale!.id);
      assert.ok(again, 're-claimed after the lease');
      const detail = (leaseUntil: number, outcome: 'delivered' | 'retry') => ({
        leaseUntil,
        at: T0 + 32_001,
        nextAttemptAt: outcome === 'retry' ? T0 + 40_000 : null,
        detail: { webhookId: stale!.id, url: 'https://example.com/cb', attempt: 1, httpStatus: 200, error: null, latencyMs: 4, outcome },
      });
      assert.equal(await one.recordAttempts([detail(T0 + 32_000, 'delivered')]), 0);
      assert.equal(await two.recordAttempts([detail(again.leaseUntil, 'retry')]), 1);
      const [row] = await sql`select state, attempts, next_attempt_at, lease_until from callback_deliveries where id = ${stale!.id}`;
      assert.deepEqual({ ...row }, { state: 'pending', attempts: 1, next_attempt_at: T0 + 40_000, lease_until: null });
      const notes = await sql`select message_uuid from message_events where kind = 'callback_attempt' order by id`;
      assert.deepEqual(notes.map((n) => n['message_uuid']), again.messageUuids);
    });
  });

  it('gives the same rows as SQLite for one scenario of claims, hand-offs, receipts, clicks, stops, expiry and callbacks', async () => {
    // A second database plays PostgreSQL without the reports' prefetch: every read the fold needs is then
    // read when it asks (NeedsRead) and the round folded again, with the same rows as a result.
    await withDatabase(async ({ sql: unforeseenSql }) => withDatabase(async ({ sql }) => {
      const dir = mkdtempSync(join(tmpdir(), 'dgw-engine-diff-'));
      const db = openSqliteDatabase(join(dir, 'gateway.db'));
      try {
        const sqlite = {
          engine: {
            claimDue: async (...args: Parameters<EngineRepository['claimDue']>) => sqliteClaimDue(db)(...args),
            reschedule: async (...args: Parameters<EngineRepository['reschedule']>) => sqliteReschedule(db)(...args),
            apply: async (...args: Parameters<EngineRepository['apply']>) => sqliteApplyReports(db)(...args),
            ...sqliteEngineLookups(db),
            note: sqliteNotes(db),
          } as EngineRepository,
          outbox: sqliteCallbackOutbox(db),
          timeline: sqliteTimeline(db),
          exec: async (statement: string) => void db.exec(statement),
          rows: async (query: string) => db.prepare(query).all() as Record<string, unknown>[],
        };
        const postgresSide = (pool: Sql, engine: EngineRepository) => ({
          engine,
          outbox: pgCallbackOutbox(pool),
          timeline: pgTimeline(pool),
          exec: async (statement: string) => void (await pool.unsafe(statement)),
          rows: async (query: string) => (await pool.unsafe(query)) as unknown as Record<string, unknown>[],
        });
        const pg = postgresSide(sql, pgEngine(sql));
        const applyUnforeseen = pgApplyReports(unforeseenSql, { prefetch: false });
        const pgUnforeseen = postgresSide(unforeseenSql, { ...pgEngine(unforeseenSql), apply: (reports, now) => applyUnforeseen(reports, now) });
        const onPostgres = (side: unknown) => side !== sqlite;
        const u = Array.from({ length: 10 }, () => newMessageId());
        const spec = (accountId: number): NewMessage[] => [
          { uuid: u[0], accountId, reserved: 500 },
          { uuid: u[1], accountId, reserved: 1500, totalParts: 3 },
          { uuid: u[2], accountId, channel: 'WHATSAPP', reserved: 200, shortUrl: true },
          { uuid: u[3], accountId: accountId + 1 },
          { uuid: u[4], accountId, reserved: 300 },
          { uuid: u[5], accountId, reserved: 300, expiresAt: T0 + 1 },
          { uuid: u[6], accountId, reserved: 300 },
          { uuid: u[7], accountId, reserved: 300, callbackUrl: null },
          { uuid: u[8], accountId, reserved: 300 },
          { uuid: u[9], accountId, channel: 'VK', reserved: 300 },
        ];
        const a = sqliteAccount(db, 'a', 1_000_000, 4000);
        sqliteAccount(db, 'b', 0, 0, false);
        sqliteMessages(db, spec(a));
        const pa = await pgAccount(sql, 'a', 1_000_000, 4000);
        await pgAccount(sql, 'b', 0, 0, false);
        assert.equal(pa, a);
        await pgMessages(sql, spec(pa));
        assert.equal(await pgAccount(unforeseenSql, 'a', 1_000_000, 4000), a);
        await pgAccount(unforeseenSql, 'b', 0, 0, false);
        await pgMessages(unforeseenSql, spec(pa));
        const shortLink = `insert into short_links (slug, message_uuid, short_url, url) values ('s1', '${u[2]}', 'https://s.example/s1', 'https://shop.example/page')`;

        const results = [];
        for (const side of [sqlite, pg, pgUnforeseen]) {
          const { engine, outbox, timeline } = side;
          await side.exec(shortLink);
          const claimed = await engine.claimDue('w1', T0 + 2, 30_000, 100);
          await side.exec(`update messages set stop_requested = ${onPostgres(side) ? 'true' : '1'} where uuid = '${u[4]}'`);
          const stopped = [...(await engine.stopRequested(u))];
          await engine.reschedule('w1', [{ uuid: u[4]!, dueAt: T0 + 60_000, note: 'window' }, { uuid: u[8]!, dueAt: T0 + 5000, note: 'throttled' }, { uuid: u[8]!, dueAt: T0 + 9000, note: 'twice' }], T0 + 3);
          await engine.apply([byRef(['a6', '166'], { kind: 'delivered', at: T0 + 4 }), byRef(['zz'], { kind: 'delivered', at: T0 + 4 })], T0 + 5);
          await engine.apply(
            [
              sent(u[0]!, T0 + 10, 300, 'smpp', [['a0']]),
              byRef(['a7'], { kind: 'undelivered', at: T0 + 10, errorCode: 11 }),
              sent(u[7]!, T0 + 11, 300, 'smpp', [['a7']]),
              sent(u[1]!, T0 + 11, 900, 'smpp', [['p0', '0'], ['p1'], ['p2']]),
              sent(u[2]!, T0 + 12, 200, 'whatsapp'),
              sent(u[3]!, T0 + 12, 100, 'smpp', [['a3']]),
              byUuid(u[5]!, { kind: 'expired', at: T0 + 12 }, 'engine'),
              sent(u[6]!, T0 + 13, 300, 'smpp', [['a6', '166']]),
              sent(u[0]!, T0 + 14, 300, 'smpp', [['a0']]),
              sent(u[9]!, T0 + 14, 300, 'vk'),
              byUuid('00000000-0000-7000-8000-000000000000', { kind: 'delivered', at: T0 + 14 }),
              byUuid('NOT A UUID', { kind: 'delivered', at: T0 + 14 }),
            ],
            T0 + 15,
          );
          await engine.apply(
            [
              byRef(['p1'], { kind: 'delivered', at: T0 + 20 }),
              byRef(['0'], { kind: 'delivered', at: T0 + 21 }),
              byUuid(u[0]!, { kind: 'delivered', at: T0 + 22 }),
              byUuid(u[2]!, { kind: 'read', at: T0 + 23 }, 'whatsapp'),
              byUuid(u[2]!, { kind: 'click', at: T0 + 24, url: 'https://s.example/s1' }, 'short link'),
              byUuid(u[2]!, { kind: 'click', at: T0 + 24, url: 'https://other.example/' }, 'short link'),
              byRef(['a3'], { kind: 'undelivered', at: T0 + 25, errorCode: 5 }),
              byRef(['p2'], { kind: 'delivered', at: T0 + 26 }),
              byRef(['p2'], { kind: 'undelivered', at: T0 + 27, errorCode: 9 }),
              byUuid(u[9]!, { kind: 'delivered', at: T0 + 27 }, 'vk'),
            ],
            T0 + 28,
          );
          const expiring = await engine.dueForExpiry(T0 + 100_000_000, 100);
          const inFlight = (await engine.inFlight()).map((m) => [m.uuid, m.status, m.connector]).sort();
          await engine.apply(expiring.map((uuid) => byUuid(uuid, { kind: 'expired', at: T0 + 100_000_000 }, 'engine')), T0 + 100_000_000);
          const reclaimed = await engine.claimDue('w2', T0 + 5000, 30_000, 100);
          await engine.apply([{ uuid: u[8]!, source: 'smpp', report: { kind: 'unsent', at: T0 + 5001, errorCode: 500 } }], T0 + 5002);
          await engine.note([{ uuid: u[0]!, at: T0 + 6000, kind: 'carrier_answer', detail: { text: 'ok' } }]);

          const formed = await outbox.formDeliveries(T0 + 200_000_000, { maxEvents: 4, fillWaitMs: 1000 });
          const deliveries = (await outbox.claimDue(T0 + 200_000_000, 10_000, 100)).sort((x, y) => (x.body < y.body ? -1 : 1));
          const attempt = (i: number, outcome: 'delivered' | 'retry' | 'dropped', lease = deliveries[i]!.leaseUntil) => ({
            leaseUntil: lease,
            at: T0 + 200_000_001,
            nextAttemptAt: outcome === 'retry' ? T0 + 200_010_000 : null,
            detail: { webhookId: deliveries[i]!.id, url: deliveries[i]!.url, attempt: 1, httpStatus: 500, error: null, latencyMs: 3, outcome },
          });
          const recorded = await outbox.recordAttempts([attempt(0, 'delivered'), attempt(1, 'retry'), attempt(2, 'dropped', 1), attempt(0, 'dropped')]);

          const timelines = [];
          for (const uuid of u) timelines.push(await timeline(pa, uuid));
          results.push({
            claimed: claimed.map((m) => [m.uuid, m.attempts, m.stopRequested, m.expiresAt]).sort(),
            stopped,
            expiring: [...expiring].sort(),
            inFlight,
            reclaimed: reclaimed.map((m) => [m.uuid, m.attempts]),
            formed,
            deliveries: deliveries.map((d) => ({ ...d, id: null, leaseUntil: null })),
            recorded,
            pending: await outbox.pendingCount(),
            // Delivery ids are fresh per backend: named by their place in the (body-ordered) claim instead.
            timelines: timelines.map((t) =>
              t?.map((e) =>
                e.kind === 'callback_attempt' ? { ...e, detail: { ...e.detail, webhookId: deliveries.findIndex((d) => d.id === e.detail!['webhookId']) } } : e,
              ),
            ),
            messages: (
              await side.rows(
                `select uuid, status, error_code, status_at, sent_at, message_time, reserved, price_total, price_currency, price_parts,
                   price_final, due_at, lease_owner, lease_until, attempts, connector, stop_requested from messages order by uuid`,
              )
            ).map((r) => ({ ...r, price_final: r['price_final'] === null ? null : Boolean(r['price_final']), stop_requested: Boolean(r['stop_requested']) })),
            accounts: (await side.rows('select id, balance, reserved from accounts order by id')).map((r) => ({ ...r })),
            // In event order within each account and URL: the order the callbacks keep.
            events: (await side.rows('select message_uuid, url, payload, created_at, delivery_id is null as unbatched from callback_events order by account_id, url, id')).map((r) => ({ ...r, unbatched: Boolean(r['unbatched']) })),
            // SQLite keeps a delivery's body in a table of its own (schema.ts).
            deliveryRows: sorted(
              await side.rows(
                onPostgres(side)
                  ? 'select body, message_uuids, attempts, state, next_attempt_at, first_attempt_at, last_result from callback_deliveries'
                  : `select b.body, b.message_uuids, d.attempts, d.state, d.next_attempt_at, d.first_attempt_at, d.last_result
                     from callback_deliveries d join callback_delivery_bodies b on b.delivery_id = d.id`,
              ),
            ),
            refs: sorted(await side.rows('select connector, ref_key, message_uuid, part from carrier_refs')),
            parts: (await side.rows('select message_uuid, part, outcome, error_code from message_parts order by message_uuid, part')).map((r) => ({ ...r })),
            kept: sorted(await side.rows('select r.envelope, r.received_at, k.connector, k.ref_key from pending_reports r join pending_report_keys k on k.report_id = r.id')),
          });
        }
        const [fromSqlite, fromPostgres, fromUnforeseen] = results;
        for (const key of Object.keys(fromSqlite!) as (keyof typeof fromSqlite)[]) {
          assert.deepEqual(fromPostgres![key], fromSqlite![key], `${key} differs`);
          assert.deepEqual(fromUnforeseen![key], fromSqlite![key], `${key} differs without the prefetch`);
        }
        // The scenario did what it says.
        assert.equal(fromSqlite!.claimed.length, 10);
        assert.ok(fromSqlite!.events.length > 20);
        assert.ok(fromSqlite!.kept.length === 1 && fromSqlite!.parts.length === 3);
      } finally {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }));
  });
});
