import { UnusableDatabaseError } from './unusableDatabaseError.js';

/**
 * A database migrated by a newer direct-gateway has tables and meanings this code does not know; writing to it could
 * corrupt what the newer code relies on, so it is refused before anything is changed.
 */
export function refuseNewerSchema(appliedVersions: Iterable<number>, latest: number): void {
  const newest = Math.max(0, ...appliedVersions);
  if (newest > latest) {
    throw new UnusableDatabaseError(
      `the database schema is at version ${newest}, newer than this direct-gateway knows (${latest}): ` +
        'it was migrated by a newer release; run that release (or a newer one), not this one',
    );
  }
}
