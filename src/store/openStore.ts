import type { Store } from './store.js';
import { sqliteStore } from './sqlite/sqliteStore.js';
import { WriteLock } from './sqlite/writeLock.js';

export interface StoreOptions {
  /** Threads of one process that open the same SQLite file pass the same buffer (see WriteLock). */
  sqliteWriteLock?: SharedArrayBuffer;
  /** Every commit fsynced (admin tools: a revoked key must stay revoked after a power cut). */
  durable?: boolean;
}

/** Picks the store for a database setting: a file path is SQLite; postgres:// comes with the PostgreSQL store. */
export async function openStore(location: string, options: StoreOptions = {}): Promise<Store> {
  if (/^postgres(ql)?:\/\//i.test(location)) {
    throw new Error('PostgreSQL is not supported yet: use a SQLite file path for the database');
  }
  return sqliteStore(location, {
    writeLock: options.sqliteWriteLock ? new WriteLock(options.sqliteWriteLock) : undefined,
    durable: options.durable ?? false,
  });
}
