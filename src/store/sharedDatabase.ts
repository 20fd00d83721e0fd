import type { Store } from './store.js';

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
