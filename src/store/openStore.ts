import type { Store } from './store.js';
import { checkDatabaseLocation, isPostgresUrl } from './databaseLocation.js';
import { sqliteStore } from './sqlite/sqliteStore.js';
import { WriteLock } from './sqlite/writeLock.js';

export { isPostgresUrl };

/**
 * What the threads of one `serve` share about its database, handed from `serveStore` (servedStore.ts) to the
 * other threads' openStore; opaque outside the store. On SQLite: the write lock its writers take turns on.
 */
export interface SharedDatabase {
  sqliteWriteLock?: SharedArrayBuffer;
}

/** The database as `serve` runs it (servedStore.ts): this thread's store, and the database's own threads, if it has any. */
export interface ServedStore {
  store: Store;
  /** For the other threads' openStore, so that they share this database as `serve` runs it. */
  shared: SharedDatabase;
  /** Stops the database's own threads, then closes the store. */
  close(): Promise<void>;
}

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
