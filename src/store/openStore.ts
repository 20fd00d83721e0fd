import type { Store } from './store.js';
import { checkDatabaseLocation, isPostgresUrl } from './databaseLocation.js';
import { sqliteStore } from './sqlite/sqliteStore.js';
import { WriteLock } from './sqlite/writeLock.js';

export { isPostgresUrl };

export interface StoreOptions {
  /** Threads of one process that open the same SQLite file pass the same buffer (see WriteLock). */
  sqliteWriteLock?: SharedArrayBuffer;
  /** Every commit fsynced (admin tools: a revoked key must stay revoked after a power cut). */
  durable?: boolean;
  /** SQLite: a checkpoint thread copies the WAL into the database file, not the committing connections. */
  sqliteExternalCheckpoints?: boolean;
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
  return sqliteStore(location, {
    writeLock: options.sqliteWriteLock ? new WriteLock(options.sqliteWriteLock) : undefined,
    durable: options.durable ?? false,
    externalCheckpoints: options.sqliteExternalCheckpoints ?? false,
    create: options.create ?? true,
  });
}
