import { closeSync, fsync, openSync } from 'node:fs';

/**
 * Makes the commits made so far survive a power cut, without holding the write lock for it: commits run at
 * synchronous=NORMAL (the WAL written, not flushed), then the WAL file is flushed here, in the thread pool,
 * before the caller answers. That is what synchronous=FULL does inside the commit, but meanwhile the other
 * writer goes on and this thread serves other requests; answers that wait at the same time share one flush.
 * WAL frames are only ever appended until a completed checkpoint, which has made them part of the
 * (flushed) database file, lets the WAL start over.
 */
/** `flushFile` is fs.fsync; tests pass their own to see the flushes. */
export function walSync(databasePath: string, flushFile: typeof fsync = fsync) {
  let fd: number | null = null;
  /** The flush under way: it may have started before the caller's commit. */
  let running: Promise<void> | null = null;
  /** The flush that starts when the one under way ends: it covers every commit made until then. */
  let queued: Promise<void> | null = null;

  const start = (): Promise<void> => {
    const flush = new Promise<void>((resolve, reject) => {
      // The WAL exists once the first commit was written: only then is there anything to flush.
      fd ??= openSync(`${databasePath}-wal`, 'r+');
      flushFile(fd, (error) => (error ? reject(error) : resolve()));
    }).finally(() => {
      if (running === flush) running = null;
    });
    running = flush;
    return flush;
  };

  return {
    /** Resolves once every commit made before the call is on disk. */
    sync(): Promise<void> {
      if (databasePath === ':memory:') return Promise.resolve();
      if (running === null) return start();
      queued ??= running
        .catch(() => {})
        .then(() => {
          queued = null;
          return start();
        });
      return queued;
    },
    close(): void {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
