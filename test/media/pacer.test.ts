import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { createPacer, type PacedJob, type PacerOptions } from '../../src/media/pacer.js';

/** A job that records when each of its packets went out. */
function recordingJob(start: number, packets: number): PacedJob & { sentAt: number[]; done: Promise<void> } {
  let finish!: () => void;
  const job = {
    dueAt: start,
    sentAt: [] as number[],
    done: new Promise<void>((resolve) => (finish = resolve)),
    fire() {
      job.sentAt.push(performance.now());
      job.dueAt = start + 20 * job.sentAt.length;
      if (job.sentAt.length === packets) finish();
      return job.sentAt.length < packets;
    },
    fail: (error: unknown) => assert.fail(String(error)),
  };
  return job;
}

for (const options of [{ tickMs: 10 }, { tickMs: 0 }] satisfies PacerOptions[]) {
  test(`tick ${options.tickMs}: packet n goes out at start + n·20 ms, and a stall is made good, not carried`, async () => {
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
    const caughtUp = lateness.slice(12); // well after the stall: back on the timeline, its 40+ ms not carried
    assert.ok(caughtUp.every((late) => Math.abs(late) <= 10), `lateness after the stall: ${caughtUp.map((l) => l.toFixed(1))}`);
    assert.ok(Math.max(...lateness) >= 40, 'the stall happened'); // packets due during it went late, then at once
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
