import { performance } from 'node:perf_hooks';
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { searchIndexer } from './messages/searchIndex.js';
import { WriteLock } from './writeLock.js';
import { useWriteLock } from './writeTransaction.js';
import { nextSearchIndexPause, SEARCH_INDEX_SLICE_ROWS } from './searchIndexPace.js';
import { serveAsWorkerThread } from '../../workerThread.js';

/** The search index thread of `serve` on SQLite (messages/searchIndex.ts): new messages indexed in slices, paced. */
const { path, sqliteWriteLock } = workerData as { path: string; sqliteWriteLock: SharedArrayBuffer };
const db = new Database(path);
db.pragma('busy_timeout = 5000');
useWriteLock(db, new WriteLock(sqliteWriteLock));
const indexNext = searchIndexer(db);
let timer: NodeJS.Timeout | null = null;
let lastNewest: number | null = null;
const step = () => {
  const started = performance.now();
  const { indexed, newest } = indexNext(SEARCH_INDEX_SLICE_ROWS);
  const pause = nextSearchIndexPause(indexed, lastNewest !== null && newest > lastNewest, performance.now() - started);
  lastNewest = newest;
  timer = setTimeout(step, pause);
};
timer = setTimeout(step, 0);
serveAsWorkerThread(() => {
  if (timer) clearTimeout(timer);
  db.close();
});
