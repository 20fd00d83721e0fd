import type Database from 'better-sqlite3';
import { WriteLock } from './writeLock.js';

const locks = new WeakMap<Database.Database, WriteLock>();

/** Shares `lock` between this connection's write transactions and those of other threads holding the same buffer. */
export function useWriteLock(db: Database.Database, lock: WriteLock): void {
  locks.set(db, lock);
}

/**
 * A transaction that takes the write lock when it begins (BEGIN IMMEDIATE). Two connections share the
 * database (HTTP thread and delivery thread); a deferred transaction that reads first and writes later
 * fails at once with SQLITE_BUSY when the other connection wrote in between, without waiting.
 */
export function writeTransaction<F extends (...args: never[]) => unknown>(db: Database.Database, fn: F): F {
  const transaction = db.transaction(fn).immediate as unknown as F;
  return ((...args: Parameters<F>) => {
    const lock = locks.get(db);
    return lock ? lock.run(() => transaction(...args)) : transaction(...args);
  }) as F;
}
