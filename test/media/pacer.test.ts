import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { createPacer, type PacedJob, type PacerOptions } from '../../src/media/pacer.js';

/** A job that records when each of its packets went out, by the clock the pacer runs on. */
function recordingJob(
  start: number,
  packets: number,
  now: () => number = () => performance.now(),
): PacedJob & { sentAt: number[]; done: Promise<void> } {
  let finish!: () => void;
  const job = {
    dueAt: start,
    sentAt: [] as number[],
    done: new Promise<void>((resolve) => (finish = resolve)),
    fire() {
      job.sentAt.push(now());
      job.dueAt = start + 20 * job.sentAt.length;
      if (job.sentAt.length === packets) finish();
      return job.sentAt.length < packets;
    },
    fail: (error: unknown) => assert.fail(String(error)),
  };
  return job;
}

/**
 * Time that passes only when the test says so, with the pacer's timers mocked to it: the timeline is checked exactly,
 * whatever else the machine is doing. (With real timers every bound on lateness is a bound on the machine's load;
 * the real jitter figure is bench/rtp.ts's.)
 */
function virtualTime(origin: number) {
  let time = origin;
  mock.timers.enable({ apis: ['setTimeout', 'setImmediate'] });
  return {
    now: () => time,
    /** Time goes on in 1 ms steps: every timer fires on its mark. */
    run(ms: number) {
      for (let i = 0; i < ms; i++) {
        time += 1;
        mock.timers.tick(1);
      }
    },
    /** The event loop is busy for `ms`: no timer fires until it is over, then every late one at once. */
    stall(ms: number) {
      time += ms;
      mock.timers.tick(ms);
    },
    reset: () => mock.timers.reset(),
  };
}

for (const options of [{ tickMs: 10 }, { tickMs: 0 }] satisfies PacerOptions[]) {
  test(`tick ${options.tickMs}: packet n goes out at start + n·20 ms, and a stall is made good, not carried`, () => {
    const clock = virtualTime(1_003); // off the 10 ms grid: the first slot is the next grid line
    try {
      const pacer = createPacer({ ...options, now: clock.now });
      const start = pacer.firstSlot();
      assert.equal(start, options.tickMs === 10 ? 1_010 : 1_003);
      const job = recordingJob(start, 30, clock.now);
      pacer.add(job);
      clock.run(100);
      clock.stall(70); // three or four packets fall due during it
      clock.run(600);
      assert.equal(job.sentAt.length, 30);
      assert.equal(pacer.activeJobs, 0);

      const stallStart = 1_003 + 100;
      const stallEnd = stallStart + 70;
      const dueInStall = (n: number) => start + 20 * n > stallStart && start + 20 * n <= stallEnd;
      const held = job.sentAt.filter((_, n) => dueInStall(n));
      assert.ok(held.length >= 3, 'the stall held packets back');
      assert.deepEqual(held, held.map(() => stallEnd), 'the packets due during the stall went at once when it ended');
      // Every other packet on its mark, up to sendAheadMs (1 ms) early: after the stall too, so nothing was carried.
      const lateness = job.sentAt.map((at, n) => at - (start + 20 * n));
      const offStall = lateness.filter((_, n) => !dueInStall(n));
      assert.ok(offStall.every((late) => late >= -1 && late <= 0), `lateness of each packet: ${lateness}`);
    } finally {
      clock.reset();
    }
  });

  test(`tick ${options.tickMs}, real clock: every packet in order, never early, a stall made good`, async () => {
    const pacer = createPacer(options);
    const start = pacer.firstSlot();
    const job = recordingJob(start, 30);
    pacer.add(job);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const blockedUntil = performance.now() + 70; // the event loop is busy for 70 ms
    while (performance.now() < blockedUntil);
    await job.done;
    assert.equal(pacer.activeJobs, 0);
    const lateness = job.sentAt.map((at, n) => at - (start + 20 * n));
    // Bounds a loaded machine cannot break: load only makes packets later, and the pacer never sends one more than
    // sendAheadMs (1 ms) before it is due. How late they are is the bench's figure (bench/rtp.ts).
    assert.ok(lateness.every((late) => late >= -1), `a packet went early: ${lateness.map((l) => l.toFixed(1))}`);
    assert.ok(Math.max(...lateness) >= 40, 'the stall happened');
    // Back on the timeline after the stall: one packet of the last 15 on time is enough (a pacer that kept the
    // stall's delay has every one of them late by it).
    const best = Math.min(...lateness.slice(15));
    assert.ok(best <= 20, `the last 15 packets all late, the best by ${best.toFixed(1)} ms: ${lateness.map((l) => l.toFixed(1))}`);
  });
}

test('jobs due at the same moment go out in one wake-up, in the order they were added', async () => {
  const pacer = createPacer({ tickMs: 10 });
  const start = pacer.firstSlot();
  const order: number[] = [];
  await Promise.all(
    [0, 1, 2].map(
      (id) =>
        new Promise<void>((resolve) =>
          pacer.add({
            dueAt: start + 20,
            fire() {
              order.push(id);
              resolve();
              return false;
            },
            fail: () => {},
          }),
        ),
    ),
  );
  assert.deepEqual(order, [0, 1, 2]);
});

test('a job that throws is dropped and told; the others go on', async () => {
  const pacer = createPacer({ tickMs: 10 });
  const start = pacer.firstSlot();
  const failed = new Promise<unknown>((resolve) =>
    pacer.add({
      dueAt: start + 20,
      fire: () => {
        throw new Error('socket gone');
      },
      fail: resolve,
    }),
  );
  const healthy = recordingJob(start, 3);
  pacer.add(healthy);
  assert.match(String(await failed), /socket gone/);
  await healthy.done;
  assert.equal(pacer.activeJobs, 0);
});
