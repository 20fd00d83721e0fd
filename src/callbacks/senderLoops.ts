/**
 * The two ways the callback sender is driven: one round at a time (`sendOneRound`, tests and the CLI), or a loop
 * that keeps every slot busy (`startSendLoop`, serve). Both go through the same steps; what a step does is the
 * sender's (callbackSender.ts).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../clock.js';
import type { CallbackAttemptRecord, ClaimedDelivery } from '../store/callbackOutbox.js';

/** How long the loop waits for more answers before recording one while other requests are in flight. */
const EXCHANGE_GATHER_MS = 5;

export interface SenderSteps {
  /** One exchange with the store: records these attempts and claims due deliveries for the free slots. */
  exchange(records: CallbackAttemptRecord[], now: number): Promise<ClaimedDelivery[]>;
  /** One attempt; never rejects on an HTTP failure (its record says so). */
  attempt(delivery: ClaimedDelivery): Promise<CallbackAttemptRecord>;
  /** Records attempts without claiming more. */
  record(records: CallbackAttemptRecord[]): Promise<void>;
  /** After an exchange recorded these attempts. */
  recorded(records: CallbackAttemptRecord[]): void;
}

export interface LoopLogger {
  error(detail: object, message: string): void;
}

/** Claims the due deliveries, attempts them all, records the results. Returns the attempts made. */
export async function sendOneRound(steps: SenderSteps, now: number): Promise<number> {
  const claimed = await steps.exchange([], now);
  const records = await Promise.all(claimed.map((delivery) => steps.attempt(delivery)));
  await steps.record(records);
  return records.length;
}

export interface SendLoop {
  /** Ends the loop after the requests in flight have finished and been recorded. */
  stop(): Promise<void>;
}

/** Unlike a round, the loop does not wait for every attempt: a slow receiver holds one slot, not everyone. */
export function startSendLoop(steps: SenderSteps, options: { clock: Clock; idleMs: number; logger: LoopLogger }): SendLoop {
  const { clock, idleMs, logger } = options;
  let running = true;
  let wake: (() => void) | null = null;
  // A finished request or stop() wakes the loop; one that comes while the loop is busy is kept for its next sleep.
  // Deferred to the check phase, so that the answers arriving in one poll phase are recorded in one transaction.
  let signalled = false;
  const signal = () =>
    setImmediate(() => {
      signalled = true;
      wake?.();
    });
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (signalled) {
        signalled = false;
        return resolve();
      }
      const timer = setTimeout(done, ms);
      wake = done;
      function done() {
        clearTimeout(timer);
        wake = null;
        signalled = false;
        resolve();
      }
    });

  async function run(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let finished: CallbackAttemptRecord[] = [];
    const launch = (delivery: ClaimedDelivery) => {
      const done: Promise<void> = steps
        .attempt(delivery)
        .then(
          (result) => void finished.push(result),
          (error: unknown) => logger.error({ error, webhookId: delivery.id }, 'callback attempt failed unexpectedly'),
        )
        .finally(() => {
          inFlight.delete(done);
          signal();
        });
      inFlight.add(done);
    };
    // One exchange with the store per round: the attempts that finished, then new deliveries for the free slots.
    const exchange = async () => {
      const records = finished;
      finished = [];
      const claimed = await steps.exchange(records, clock.now());
      steps.recorded(records);
      claimed.forEach(launch);
    };
    while (running) {
      try {
        await exchange();
        // Whatever was claimed, the next round is useful only once a request finishes (or to pick up new work).
        await sleep(idleMs);
        // Answers come one by one under load; while others are due any moment, a short pause records them together
        // (each exchange is a transaction, and the transactions, not the rows, were most of its cost).
        if (running && inFlight.size > 0) await delay(EXCHANGE_GATHER_MS);
      } catch (error) {
        logger.error({ error }, 'callback sender round failed');
        await sleep(idleMs);
      }
    }
    await Promise.all(inFlight);
    if (finished.length > 0) await steps.record(finished.splice(0));
  }

  const loop = run();
  return {
    async stop() {
      running = false;
      signal();
      await loop;
    },
  };
}
