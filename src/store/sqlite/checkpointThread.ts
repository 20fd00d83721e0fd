import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createCheckpointer } from './checkpointer.js';
import { WriteLock } from './writeLock.js';
import { serveAsWorkerThread } from '../../workerThread.js';

/** The checkpoint thread of `serve` on SQLite (see checkpointer.ts): a checkpoint every `intervalMs`. */
const { path, sqliteWriteLock, intervalMs } = workerData as { path: string; sqliteWriteLock: SharedArrayBuffer; intervalMs: number };
const db = new Database(path);
db.pragma('busy_timeout = 5000');
const checkpointer = createCheckpointer(db, new WriteLock(sqliteWriteLock));
let timer: NodeJS.Timeout | null = null;
const next = () => {
  timer = setTimeout(() => {
    checkpointer.run();
    next();
  }, intervalMs);
};
next();
serveAsWorkerThread(() => {
  if (timer) clearTimeout(timer);
  db.close();
});
