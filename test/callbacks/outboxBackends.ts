/**
 * The callback outbox on each store, for tests that must hold on both: SQLite always; PostgreSQL when
 * DGW_TEST_POSTGRES_URL is set (a fresh database per backend, dropped at close). Rows are written with SQL, as the
 * engine would write them. `node()` opens another node's outbox: on PostgreSQL a pool of its own.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { pgCallbackOutbox } from '../../src/store/postgres/callbackOutbox.js';
import { connectPostgres, type Sql } from '../../src/store/postgres/connection.js';
import { migratePostgres } from '../../src/store/postgres/schema.js';
import type { CallbackOutbox } from '../../src/store/callbackOutbox.js';
import { sqliteCallbackOutbox } from '../../src/store/sqlite/callbackOutbox.js';
import { addAccount, addEvent, openTestDatabase } from './support.js';

export interface DeliveryRow {
  id: string;
  account_id: number;
  url: string;
  attempts: number;
  state: string;
  next_attempt_at: number;
  first_attempt_at: number | null;
}

export interface OutboxBackend {
  name: string;
  outbox: CallbackOutbox;
  /** Another node's outbox on the same database (SQLite: the same connection). */
  node(): CallbackOutbox;
  addAccount(name: string): Promise<number>;
  /** One event per URL, in order, all created at `createdAt`. */
  addEvents(accountId: number, urls: string[], createdAt: number): Promise<void>;
  deliveries(): Promise<DeliveryRow[]>;
  /** Makes deliveries look like due retries: `attempts` made, the first at `firstAttemptAt`, due at `dueAt`. */
  makeRetries(ids: string[], attempts: number, firstAttemptAt: number, dueAt: number): Promise<void>;
  close(): Promise<void>;
}

export interface BackendFactory {
  name: string;
  open(): Promise<OutboxBackend>;
}

const num = (value: unknown) => (value === null ? null : Number(value));
let accounts = 0;
/** Account names are unique in a store; tests name them for reading only. */
const uniqueName = (name: string) => `${name}-${++accounts}`;

function sqliteBackend(): OutboxBackend {
  const database = openTestDatabase();
  const { db } = database;
  const outbox = sqliteCallbackOutbox(db);
  return {
    name: 'SQLite',
    outbox,
    node: () => outbox,
    async addAccount(name) {
      return addAccount(db, uniqueName(name));
    },
    async addEvents(accountId, urls, createdAt) {
      db.transaction(() => {
        for (const url of urls) addEvent(db, accountId, url, createdAt);
      })();
    },
    async deliveries() {
      return db.prepare('select id, account_id, url, attempts, state, next_attempt_at, first_attempt_at from callback_deliveries order by id').all() as DeliveryRow[];
    },
    async makeRetries(ids, attempts, firstAttemptAt, dueAt) {
      const update = db.prepare('update callback_deliveries set attempts = ?, first_attempt_at = ?, next_attempt_at = ? where id = ?');
      db.transaction(() => {
        for (const id of ids) update.run(attempts, firstAttemptAt, dueAt, id);
      })();
    },
    async close() {
      database.close();
    },
  };
}

async function postgresBackend(url: string): Promise<OutboxBackend> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const name = `dgw_fair_${randomBytes(6).toString('hex')}`;
  await admin.unsafe(`create database "${name}"`);
  const location = new URL(url);
  location.pathname = `/${name}`;
  const pools: Sql[] = [];
  const pool = () => {
    const sql = connectPostgres(location.toString(), { max: 4 });
    pools.push(sql);
    return sql;
  };
  const sql = pool();
  await migratePostgres(sql);
  let seq = 0;
  return {
    name: 'PostgreSQL',
    outbox: pgCallbackOutbox(sql),
    node: () => pgCallbackOutbox(pool()),
    async addAccount(accountName) {
      const [row] = await sql<{ id: number }[]>`
        insert into accounts (name, currency, balance, created_at) values (${uniqueName(accountName)}, 'USD', 0, 0) returning id`;
      return Number(row!.id);
    },
    async addEvents(accountId, urls, createdAt) {
      const uuids = urls.map(() => `00000000-0000-7000-8000-${(++seq).toString(16).padStart(12, '0')}`);
      const payloads = uuids.map((uuid, i) => JSON.stringify({ message_uuid: uuid, callback_event: 'delivered', i }));
      await sql`
        insert into callback_events (account_id, message_uuid, url, payload, created_at)
        select ${accountId}, u::uuid, url, payload, ${createdAt} from unnest(${uuids}::text[], ${urls}::text[], ${payloads}::text[]) as e (u, url, payload)`;
    },
    async deliveries() {
      const rows = await sql<DeliveryRow[]>`
        select id, account_id, url, attempts, state, next_attempt_at, first_attempt_at from callback_deliveries order by id`;
      return rows.map((row) => ({ ...row, account_id: Number(row.account_id), next_attempt_at: Number(row.next_attempt_at), first_attempt_at: num(row.first_attempt_at) }));
    },
    async makeRetries(ids, attempts, firstAttemptAt, dueAt) {
      await sql`
        update callback_deliveries set attempts = ${attempts}, first_attempt_at = ${firstAttemptAt}, next_attempt_at = ${dueAt}
        where id = any(${ids}::text[])`;
    },
    async close() {
      for (const each of pools) await each.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

/** SQLite, and PostgreSQL when DGW_TEST_POSTGRES_URL is set. */
export function outboxBackends(): BackendFactory[] {
  const url = process.env.DGW_TEST_POSTGRES_URL;
  const factories: BackendFactory[] = [{ name: 'SQLite', open: async () => sqliteBackend() }];
  if (url) factories.push({ name: 'PostgreSQL', open: () => postgresBackend(url) });
  else console.log('# DGW_TEST_POSTGRES_URL is not set: the PostgreSQL cases are skipped');
  return factories;
}
