import type { SharedDatabase } from './sharedDatabase.js';
import type { Store } from './store.js';
import { checkDatabaseLocation, isPostgresUrl } from './databaseLocation.js';
import { sqliteStore } from './sqlite/sqliteStore.js';
import { WriteLock } from './sqlite/writeLock.js';

export { isPostgresUrl };
export type { SharedDatabase };

export interface StoreOptions {
  /** A connection of `serve`'s database, shared with its other threads (on SQLite, it then leaves WAL checkpoints to their thread). */
  shared?: SharedDatabase;
  /** Every commit fsynced (admin tools: a revoked key must stay revoked after a power cut). */
  durable?: boolean;
  /** SQLite: create a missing file (and folder); false refuses it, so a mistyped path is not a new empty database. Default true. */
  create?: boolean;
}

/** Picks the store for a database setting: a file path is SQLite, a postgres:// URL is PostgreSQL, other URLs are refused. */
export async function openStore(location: string, options: StoreOptions = {}): Promise<Store> {
  checkDatabaseLocation(location);
  if (isPostgresUrl(location)) {
    // Loaded only when asked for: a SQLite gateway never loads the PostgreSQL driver. Its commits are
    // durable already, and its nodes need no shared write lock.
    const { postgresStore } = await import('./postgres/postgresStore.js');
    return postgresStore(location);
  }
  const sharedLock = options.shared?.sqliteWriteLock;
  return sqliteStore(location, {
    writeLock: sharedLock ? new WriteLock(sharedLock) : undefined,
    durable: options.durable ?? false,
    externalCheckpoints: sharedLock !== undefined,
    create: options.create ?? true,
  });
}
