/**
 * A write lock shared by the threads of one process (HTTP and delivery each have a connection).
 * SQLite's own busy handler sleeps in steps of up to 100 ms while another connection writes, leaving
 * both threads idle; waiting on shared memory wakes the waiter the moment the writer is done.
 * Other processes (the admin CLI) still meet SQLite's busy timeout, which stays the fallback.
 */
export class WriteLock {
  readonly buffer: SharedArrayBuffer;
  private readonly cell: Int32Array;
  /** Per thread: transactions nest (savepoints) under one lock. */
  private depth = 0;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.buffer = buffer;
    this.cell = new Int32Array(buffer);
  }

  run<T>(write: () => T): T {
    if (this.depth > 0) return this.nested(write);
    while (Atomics.compareExchange(this.cell, 0, 0, 1) !== 0) Atomics.wait(this.cell, 0, 1, 100);
    try {
      return this.nested(write);
    } finally {
      Atomics.store(this.cell, 0, 0);
      Atomics.notify(this.cell, 0, 1);
    }
  }

  private nested<T>(write: () => T): T {
    this.depth++;
    try {
      return write();
    } finally {
      this.depth--;
    }
  }
}
