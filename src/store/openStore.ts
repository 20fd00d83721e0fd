import type { Store } from './store.js';
import { sqliteStore } from './sqlite/sqliteStore.js';

/** Picks the store for a database setting: a file path is SQLite; postgres:// comes with the PostgreSQL store. */
export async function openStore(location: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//i.test(location)) {
    throw new Error('PostgreSQL is not supported yet: use a SQLite file path for the database');
  }
  return sqliteStore(location);
}
