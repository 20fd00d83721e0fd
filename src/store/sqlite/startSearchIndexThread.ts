import { startWorkerThread, type WorkerThread } from '../../workerThread.js';

/** Starts the search index thread (searchIndexThread.ts) for the SQLite file at `path`; a crash of it ends the process. */
export function startSearchIndexThread(path: string, sqliteWriteLock: SharedArrayBuffer, onCrash: (error: Error) => void): Promise<WorkerThread> {
  return startWorkerThread('search index', new URL('./searchIndexThread.js', import.meta.url), { path, sqliteWriteLock }, onCrash);
}
