import { startWorkerThread, type WorkerThread } from '../../workerThread.js';

/** How often the WAL is copied into the database file: at full load, a few tens of MB of WAL at a time. */
export const CHECKPOINT_INTERVAL_MS = 250;

/** Starts the checkpoint thread (checkpointer.ts) for the SQLite file at `path`; a crash of that thread ends the process. */
export function startCheckpointThread(path: string, sqliteWriteLock: SharedArrayBuffer, onCrash: (error: Error) => void): Promise<WorkerThread> {
  return startWorkerThread('checkpoint', new URL('./checkpointThread.js', import.meta.url), { path, sqliteWriteLock, intervalMs: CHECKPOINT_INTERVAL_MS }, onCrash);
}
