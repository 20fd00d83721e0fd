/**
 * A write lock shared by the threads of one process (HTTP and delivery each have a connection).
 * SQLite's own busy handler sleeps in steps of up to 100 ms while another connection writes, leaving
 * both threads idle; waiting on shared memory wakes the waiter the moment the writer is done.
 * Other processes (the admin CLI) still meet SQLite's busy timeout, which stays the fallback.
 *
 * It is a ticket lock: writers go in the order they asked. A plain test-and-set lock lets the thread that
 * just released take the lock again before the woken waiter runs, so one busy thread (delivery, writing
 * round after round) could keep the other (acceptance) waiting for many transactions in a row.
 */
export class WriteLock {
  /** Size of the shared buffer: the next ticket to hand out, and the ticket now served. */
  static readonly BYTES = 8;
  readonly buffer: SharedArrayBuffer;
  private readonly cells: Int32Array;
  /** Per thread: transactions nest (savepoints) under one lock. */
  private depth = 0;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(WriteLock.BYTES)) {
    if (buffer.byteLength < WriteLock.BYTES) throw new Error(`a write lock needs ${WriteLock.BYTES} bytes of shared memory`);
    this.buffer = buffer;
    this.cells = new Int32Array(buffer, 0, 2);
  }

  run<T>(write: () => T): T {
    if (this.depth > 0) return this.nested(write);
    const ticket = Atomics.add(this.cells, NEXT, 1);
    for (let serving = Atomics.load(this.cells, SERVING); serving !== ticket; serving = Atomics.load(this.cells, SERVING)) {
      Atomics.wait(this.cells, SERVING, serving, 100);
    }
    try {
      return this.nested(write);
    } finally {
      Atomics.add(this.cells, SERVING, 1);
      Atomics.notify(this.cells, SERVING);
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

const NEXT = 0;
const SERVING = 1;
