import { checkDatabaseLocation } from './databaseLocation.js';
import { isPostgresUrl, openStore } from './openStore.js';
import type { ServedStore } from './sharedDatabase.js';
import { serveSqliteStore } from './sqlite/servedSqliteStore.js';

export type { ServedStore };

/**
 * Opens the database for `serve`. PostgreSQL needs nothing more; SQLite shares one write lock between the
 * threads that write, and runs two threads of its own (servedSqliteStore.ts).
 */
export async function serveStore(location: string, onCrash: (error: Error) => void): Promise<ServedStore> {
  if (isPostgresUrl(location)) {
    const store = await openStore(location);
    return { store, shared: {}, close: () => store.close() };
  }
  // What openStore checks first: SQLite is opened here without it.
  checkDatabaseLocation(location);
  return serveSqliteStore(location, onCrash);
}
