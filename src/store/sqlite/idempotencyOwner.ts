import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';

/** A `.tmp` lock file this old was left by a process that died while it made it (that takes microseconds). */
const ABANDONED_TMP_MS = 60_000;

/**
 * Who holds idempotency claims in one SQLite database, and a proof that a holder is dead (spec §5.12).
 *
 * Nothing stops two processes from opening the same file (an admin command does while `serve` runs; so could a second
 * `serve`), so "a claim of another process is dead" needs a proof. Each store that claims keys holds a lock file
 * beside the database, `<db>-owner-<id>`: a SQLite file kept under an exclusive lock for the store's life. The
 * operating system drops that lock the moment its process dies (kill -9 included), and SQLite tells a lock held by
 * another connection of the same process apart too, so "the lock can be taken" proves the owner is gone, for good:
 * ids are random and never reused. WAL databases are only shared by processes of one host (the -shm file is shared
 * memory), so every owner's lock file is visible to every other. A missing lock file is a dead owner: only its owner
 * (on close) or a prover of its death removes it.
 */
export interface SqliteIdempotencyOwner {
  /** This store's owner id; its lock is taken on first use. */
  id(): string;
  isAlive(owner: string): boolean;
  close(): void;
}

export function sqliteIdempotencyOwner(databasePath: string): SqliteIdempotencyOwner {
  const dead = new Set<string>();
  let mine: { id: string; lock: Database.Database | null } | null = null;
  const fileOf = (owner: string) => `${databasePath}-owner-${owner}`;

  // An in-memory database is one connection of one process: there is no other owner to prove dead.
  const inMemory = databasePath === ':memory:' || databasePath === '';

  function isAlive(owner: string): boolean {
    if (owner === mine?.id) return true;
    if (inMemory || dead.has(owner)) return false;
    if (lockIsHeld(fileOf(owner))) return true;
    dead.add(owner);
    rmSync(fileOf(owner), { force: true });
    return false;
  }

  return {
    id() {
      if (!mine) {
        const id = randomBytes(16).toString('hex');
        mine = { id, lock: inMemory ? null : holdLock(fileOf(id)) };
        if (!inMemory) removeDeadOwnersFiles(databasePath, id, isAlive);
      }
      return mine.id;
    },
    isAlive,
    close() {
      if (!mine?.lock) return;
      mine.lock.close();
      rmSync(fileOf(mine.id), { force: true });
      mine = null;
    },
  };
}

/**
 * Takes the lock under a temporary name and only then gives the file its name: a prover never finds an owner's
 * file before it is locked. `locking_mode = exclusive` keeps the lock after the first write; the memory journal
 * leaves no journal file beside it.
 */
function holdLock(file: string): Database.Database {
  const tmp = `${file}.tmp`;
  closeSync(openSync(tmp, 'wx', 0o600));
  const lock = new Database(tmp, { fileMustExist: true });
  try {
    lock.pragma('locking_mode = exclusive');
    lock.pragma('journal_mode = memory');
    lock.exec('create table if not exists owner_alive (since integer)');
    renameSync(tmp, file);
    return lock;
  } catch (error) {
    lock.close();
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** True while some connection (of any process) holds the file's lock. */
function lockIsHeld(file: string): boolean {
  let probe: Database.Database;
  try {
    probe = new Database(file, { fileMustExist: true, timeout: 0 });
  } catch {
    return false; // no file: its owner closed, or was proved dead
  }
  try {
    probe.exec('begin immediate');
    probe.exec('rollback');
    return false;
  } catch (error) {
    // Any other failure (say a file torn by its owner's death) is not a lock that someone holds.
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
  } finally {
    probe.close();
  }
}

/** The lock files of owners that died (kill -9 leaves them) go when the next owner starts. */
function removeDeadOwnersFiles(databasePath: string, self: string, isAlive: (owner: string) => boolean): void {
  const prefix = `${basename(databasePath)}-owner-`;
  const folder = dirname(databasePath);
  for (const name of readdirSync(folder)) {
    if (!name.startsWith(prefix)) continue;
    const owner = name.slice(prefix.length);
    if (owner.endsWith('.tmp')) {
      const file = join(folder, name);
      if (Date.now() - statMtime(file) > ABANDONED_TMP_MS && !lockIsHeld(file)) rmSync(file, { force: true });
    } else if (owner !== self) {
      isAlive(owner);
    }
  }
}

function statMtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return Date.now();
  }
}
