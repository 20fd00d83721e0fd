import { resolve } from 'node:path';
import { UnusableDatabaseError } from './unusableDatabaseError.js';

/** Where the database is when no setting names one; the only path `serve` and `migrate` create unasked. */
export const DEFAULT_DATABASE_PATH = './data/gateway.db';

/** A database URL's password is not for the terminal or the logs. */
export function redactDatabasePassword(location: string): string {
  return location.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^/]*@/i, '$1***@');
}

/** A `postgres://` or `postgresql://` URL names a PostgreSQL database; anything else is a SQLite file path. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Refuses a location that looks like a URL of another database (`mysql://…`): taken as a file path it would
 * silently become a SQLite file named `mysql:/…`.
 */
export function checkDatabaseLocation(location: string): void {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1];
  if (scheme !== undefined && !isPostgresUrl(location)) {
    throw new UnusableDatabaseError(
      `unsupported database URL scheme "${scheme}:" in ${redactDatabasePassword(location)}: use a SQLite file path or a postgres:// URL`,
    );
  }
}

/** The default path counts whether it was left unset or written out. */
export function isDefaultDatabasePath(location: string): boolean {
  return resolve(location) === resolve(DEFAULT_DATABASE_PATH);
}
