import { isDefaultDatabasePath } from '../store/databaseLocation.js';

/**
 * `serve` and `migrate` create a missing SQLite file only at the default path (the quick start) or when told to
 * with --create: anywhere else a missing file is more likely a typo than a wish for a new, empty database.
 */
export function mayCreateDatabase(location: string, createFlag: boolean): boolean {
  return createFlag || isDefaultDatabasePath(location);
}
