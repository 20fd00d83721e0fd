import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { UnusableDatabaseError } from '../unusableDatabaseError.js';
import { preparePrivateDatabaseFile } from './privateDatabaseFile.js';
import type { Store } from '../store.js';
import { sqliteAccounts } from './accounts.js';
import { sqliteBlocklist } from './blocklist.js';
import { sqliteIdempotency } from './idempotency.js';
import { sqliteIdempotencyOwner } from './idempotencyOwner.js';
import { sqliteKeys } from './keys.js';
import { sqliteAccept } from './messages/accept.js';
import { sqliteFlashcallConversion } from './messages/flashcallConversion.js';
import { sqliteList } from './messages/list.js';
import { collectListing } from '../messageListing.js';
import { sqliteFollowShortLink } from './messages/followShortLink.js';
import { sqliteStoreInbound, sqliteUnmatchedInbound } from './messages/storeInbound.js';
import { toMessage, type MessageRow } from '../rows/messageRow.js';
import { sqliteStop } from './messages/stop.js';
import { migrate } from './schema.js';
import type { WriteLock } from './writeLock.js';
import { useWriteLock } from './writeTransaction.js';
import { walSync } from './walSync.js';
import { sqliteCallbackOutbox } from './callbackOutbox.js';
import { sqliteApplyReports } from './engine/applyReports.js';
import { sqliteClaimDue } from './engine/claimDue.js';
import { ClaimedStates } from './engine/claimedStates.js';
import { sqliteEngineLookups } from './engine/lookups.js';
import { sqliteReschedule } from './engine/reschedule.js';
import { sqliteNotes } from './engine/notes.js';
import { sqliteTimeline } from './messages/timeline.js';
import { sqliteSenders } from './senders.js';
import { sqliteWhatsAppState } from './whatsappState.js';
import { sqliteVkState } from './vkState.js';
import { sqliteSmppUsers } from './smppUsers.js';
import { sqliteSmppDoor } from './smppDoor.js';
import { sqliteSandboxInbox } from './sandboxInbox.js';

/** With a checkpoint thread, the writers' own checkpoints are only a bound on the WAL should that thread fall behind (~400 MB). */
const FALLBACK_AUTOCHECKPOINT_PAGES = 100_000;

const MMAP_BYTES = 1024 * 1024 * 1024;

/**
 * Opens (creating it and its folder if needed, unless `create` is false) a SQLite database. One process, one writer.
 * WAL with synchronous=NORMAL: every commit survives a crash of the process (kill -9); only the
 * acceptance of messages and stops are also made to survive a power cut (see walSync.ts), since fsync on
 * every engine and outbox commit would cost most of the throughput.
 */
export function openSqliteDatabase(path: string, { create = true }: { create?: boolean } = {}): Database.Database {
  if (path === ':memory:') return configure(new Database(path));
  if (!create && !existsSync(path)) {
    throw new UnusableDatabaseError(
      `no database at ${path} (a typo?); to create one there: direct-gateway migrate --create --db ${path} (or serve --create)`,
    );
  }
  let db: Database.Database | undefined;
  try {
    for (const warning of preparePrivateDatabaseFile(path)) process.stderr.write(`direct-gateway: warning: ${warning}\n`);
    db = new Database(path, { fileMustExist: true });
    return configure(db);
  } catch (error) {
    db?.close();
    throw explainOpenError(path, error);
  }
}

/** SQLite's own words ("attempt to write a readonly database") do not say what to change. */
function explainOpenError(path: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM')) {
    return new UnusableDatabaseError(
      `database ${path} cannot be opened for writing (${(error as Error).message}): the gateway writes to it and creates ${path}-wal and ` +
        `${path}-shm beside it; give the user that runs it write access to the file and its folder`,
    );
  }
  // The folder or file could not be made (a path below a plain file, a folder of another user…).
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new UnusableDatabaseError(`cannot create database ${path}: ${(error as Error).message}`);
  return error;
}

function configure(db: Database.Database): Database.Database {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Checkpoints fsync the database file; at the default 1000 pages they come every few hundred
  // delivered messages. 10000 pages (~40 MB of WAL) keeps them rare without letting the WAL grow unbounded.
  db.pragma('wal_autocheckpoint = 10000');
  // Reads through a memory map of (up to) the first GiB of the file. Each connection drops its page cache whenever
  // another connection has committed since its last transaction, which under load (HTTP and delivery threads
  // writing in turns) is before nearly every transaction; pages read back through the map cost a fraction of
  // read() calls. Writes still go through the WAL.
  db.pragma(`mmap_size = ${MMAP_BYTES}`);
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

export interface SqliteStoreOptions {
  writeLock?: WriteLock;
  /** Create a missing file (default true); false refuses it (admin commands: a mistyped path is not a new database). */
  create?: boolean;
  durable?: boolean;
  /** A checkpoint thread copies the WAL (checkpointer.ts): this connection's commits need not. */
  externalCheckpoints?: boolean;
}

export function sqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  const db = openSqliteDatabase(path, { create: options.create ?? true });
  if (options.writeLock) useWriteLock(db, options.writeLock);
  if (options.externalCheckpoints) db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  if (options.durable) db.pragma('synchronous = FULL');
  const accept = sqliteAccept(db);
  const idempotencyOwner = sqliteIdempotencyOwner(path);
  const list = sqliteList(db);
  const stop = sqliteStop(db);
  const flashcall = sqliteFlashcallConversion(db);
  const followShortLink = sqliteFollowShortLink(db);
  const storeInbound = sqliteStoreInbound(db);
  const unmatchedInbound = sqliteUnmatchedInbound(db);
  const claimed = new ClaimedStates();
  const claimDue = sqliteClaimDue(db, claimed);
  const reschedule = sqliteReschedule(db);
  const applyReports = sqliteApplyReports(db, { claimed });
  const getOne = db.prepare<[string, number], MessageRow>('select * from messages where uuid = ? and account_id = ?');
  const wal = walSync(path);
  return {
    accounts: sqliteAccounts(db),
    keys: sqliteKeys(db),
    senders: sqliteSenders(db),
    blocklist: sqliteBlocklist(db),
    idempotency: sqliteIdempotency(db, idempotencyOwner),
    messages: {
      async accept(batch, now) {
        // Answered 201 only once on disk (a power cut must not lose it), flushed outside the write lock.
        const results = accept(batch, now);
        await wal.sync();
        return results;
      },
      async get(accountId, uuid) {
        const row = getOne.get(uuid.toLowerCase(), accountId);
        return row ? toMessage(row) : null;
      },
      async list(accountId, filter, page, now) {
        return collectListing(await list(accountId, filter, page, now));
      },
      listChunks: list,
      async stop(accountId, uuids, now) {
        // A 200 is a promise (spec §9): it must survive a power cut like an acceptance.
        const codes = stop(accountId, uuids, now);
        await wal.sync();
        return codes;
      },
      async storeInbound(message) {
        return storeInbound(message);
      },
      async unmatchedInbound(limit) {
        return unmatchedInbound(limit);
      },
      async followShortLink(slug) {
        return followShortLink(slug);
      },
      async recordFlashcallConversion(accountId, uuid, result, code, now) {
        return flashcall(accountId, uuid, result, code, now);
      },
      timeline: sqliteTimeline(db),
    },
    engine: {
      async claimDue(owner, now, leaseMs, limit) {
        return claimDue(owner, now, leaseMs, limit);
      },
      async reschedule(owner, items, now) {
        reschedule(owner, items, now);
      },
      async apply(reports, now) {
        applyReports(reports, now);
      },
      ...sqliteEngineLookups(db),
      note: sqliteNotes(db),
    },
    callbacks: sqliteCallbackOutbox(db),
    whatsapp: sqliteWhatsAppState(db),
    vk: sqliteVkState(db),
    smppUsers: sqliteSmppUsers(db),
    smpp: sqliteSmppDoor(db, idempotencyOwner, () => wal.sync()),
    sandboxInbox: sqliteSandboxInbox(db),
    async close() {
      idempotencyOwner.close();
      wal.close();
      db.close();
    },
  };
}
