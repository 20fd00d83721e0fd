import type { ServedStore } from '../sharedDatabase.js';
import { sqliteStore } from './sqliteStore.js';
import type { WorkerThread } from '../../workerThread.js';
import { startCheckpointThread } from './startCheckpointThread.js';
import { startSearchIndexThread } from './startSearchIndexThread.js';
import { WriteLock } from './writeLock.js';

/**
 * SQLite as `serve` runs it: every thread that writes takes turns on one write lock, a thread of its own
 * checkpoints the WAL (so that neither writer stops to do it), and another adds new messages to the search
 * index of the list's content and tags filters, off the acceptance path.
 */
export async function serveSqliteStore(path: string, onCrash: (error: Error) => void): Promise<ServedStore> {
  const shared = { sqliteWriteLock: new SharedArrayBuffer(WriteLock.BYTES) };
  const store = sqliteStore(path, { writeLock: new WriteLock(shared.sqliteWriteLock), externalCheckpoints: true });
  const threads: WorkerThread[] = [];
  const stopThreads = async () => {
    for (const thread of [...threads].reverse()) await thread.stop();
  };
  try {
    threads.push(await startCheckpointThread(path, shared.sqliteWriteLock, onCrash));
    threads.push(await startSearchIndexThread(path, shared.sqliteWriteLock, onCrash));
  } catch (error) {
    await stopThreads();
    await store.close();
    throw error;
  }
  return {
    store,
    shared,
    async close() {
      await stopThreads();
      await store.close();
    },
  };
}
