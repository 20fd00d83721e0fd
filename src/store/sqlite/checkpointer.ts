import type Database from 'better-sqlite3';
import type { WriteLock } from './writeLock.js';

interface CheckpointResult {
  busy: number;
  /** Frames in the WAL. */
  log: number;
  /** Frames of it now copied into the database file. */
  checkpointed: number;
}

/** Unlocked passes before the last one under the lock: each copies what the writers added during the one before. */
const MAX_UNLOCKED_PASSES = 4;
/** Few enough new frames to copy under the write lock without holding writers up for long. */
const SMALL_REMAINDER_FRAMES = 2_000;

/**
 * Copies the WAL into the database file from a connection of its own, so that the writers never do it
 * themselves (an automatic checkpoint runs inside the commit that crosses the threshold, holding the write
 * lock for the whole copy and fsync). The bulk is copied while writers go on; only the last frames are
 * copied under the write lock, so that the checkpoint completes and the next writer starts the WAL over
 * instead of letting it grow.
 */
export function createCheckpointer(db: Database.Database, lock: WriteLock) {
  const passive = (): CheckpointResult => (db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[])[0]!;
  let lastCompleted = -1;

  return {
    /** One checkpoint; returns the frames the WAL held at its last pass. Quick when nothing was written since the last. */
    run(): number {
      let result = passive();
      if (result.log === 0 || (result.log === lastCompleted && result.checkpointed === result.log)) return result.log;
      for (let pass = 1; pass < MAX_UNLOCKED_PASSES; pass++) {
        const before = result.log;
        result = passive();
        if (result.log - before < SMALL_REMAINDER_FRAMES) break;
      }
      result = lock.run(passive);
      if (result.checkpointed === result.log) lastCompleted = result.log;
      return result.log;
    },
  };
}
