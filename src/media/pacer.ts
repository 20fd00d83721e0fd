import { performance } from 'node:perf_hooks';

/**
 * One timer for every RTP stream in the process. A timer per stream costs a wake-up per packet (10,000/s for 200
 * calls) and each one's lateness lands on that stream alone; a shared pacer wakes once per tick and sends every
 * stream's due packets. Streams compute each due time from their start (start + n·20 ms), so a late wake-up is made
 * good at the next one and nothing drifts.
 *
 * Two ways to wake:
 *  - `tick` (default): every `tickMs` on a grid; a new stream starts on the next grid line, so with 20 ms a multiple
 *    of the tick, every packet is due exactly on a wake-up and the only jitter is the timer's own.
 *  - `deadline`: wake at the earliest due packet; streams start at once. More wake-ups, same idea.
 */

export interface PacedJob {
  /** performance.now() time at which its next packet is due. */
  dueAt: number;
  /** Sends the due packet and moves `dueAt` on; false when the job has nothing left to send. */
  fire(): boolean;
  /** fire() threw; the job has been dropped. */
  fail(error: unknown): void;
}

export interface PacerOptions {
  /** 0 wakes at each earliest deadline instead of on a grid. */
  tickMs?: number;
  /** Packets due within this much of a wake-up go out with it: timers fire up to ~1 ms either side of the mark. */
  sendAheadMs?: number;
  /** Wait the last `spinMs` with setImmediate instead of a timer (burns CPU; 0 = off). */
  spinMs?: number;
  now?: () => number;
}

export interface Pacer {
  /** Due time of a new stream's first packet. */
  firstSlot(): number;
  add(job: PacedJob): void;
  remove(job: PacedJob): void;
  readonly activeJobs: number;
}

export function createPacer(options: PacerOptions = {}): Pacer {
  const tickMs = options.tickMs ?? 10;
  const sendAheadMs = options.sendAheadMs ?? 1;
  const spinMs = options.spinMs ?? 0;
  const now = options.now ?? (() => performance.now());
  const jobs = new Set<PacedJob>();
  let timer: { kind: 'timeout'; handle: NodeJS.Timeout } | { kind: 'immediate'; handle: NodeJS.Immediate } | undefined;
  let wakeAt = Infinity;

  const nextGridLine = (time: number) => Math.ceil(time / tickMs) * tickMs;

  function sendDue(job: PacedJob, horizon: number): void {
    try {
      // A loop, so that after a stall the stream catches up on its timeline rather than slipping.
      while (job.dueAt <= horizon) {
        if (!job.fire()) {
          jobs.delete(job);
          return;
        }
      }
    } catch (error) {
      jobs.delete(job);
      job.fail(error);
    }
  }

  function wake(): void {
    timer = undefined;
    wakeAt = Infinity;
    const horizon = now() + sendAheadMs;
    for (const job of jobs) sendDue(job, horizon);
    schedule();
  }

  function schedule(): void {
    if (jobs.size === 0) return;
    let earliest = Infinity;
    for (const job of jobs) earliest = Math.min(earliest, job.dueAt);
    const target = (tickMs > 0 ? nextGridLine(earliest) : earliest) - sendAheadMs;
    if (timer !== undefined && wakeAt <= target) return;
    clearTimer();
    wakeAt = target;
    const delay = target - now();
    timer =
      delay <= spinMs
        ? { kind: 'immediate', handle: setImmediate(wake) }
        : { kind: 'timeout', handle: setTimeout(wake, Math.ceil(delay - spinMs)) };
  }

  function clearTimer(): void {
    if (timer === undefined) return;
    if (timer.kind === 'timeout') clearTimeout(timer.handle);
    else clearImmediate(timer.handle);
    timer = undefined;
    wakeAt = Infinity;
  }

  return {
    firstSlot: () => (tickMs > 0 ? nextGridLine(now()) : now()),
    add(job) {
      jobs.add(job);
      sendDue(job, now() + sendAheadMs);
      schedule();
    },
    remove(job) {
      jobs.delete(job);
      if (jobs.size === 0) clearTimer();
    },
    get activeJobs() {
      return jobs.size;
    },
  };
}

/** The process's pacer: streams share it unless given their own. */
export const sharedPacer: Pacer = createPacer();
