/**
 * Delivers the callback outbox (spec §11.1): forms batches, attempts them (callbackAttempt.ts, over
 * postCallback.ts) and records each attempt with its retry or drop. Many requests are kept in flight; database
 * work is batched. Which delivery goes next is fairScheduler.ts's rule (caps per host and account, first attempts
 * before retries, dead hosts backed off); this file only keeps count of what is in flight and of which hosts
 * answer. How it is driven, a round at a time or continuously, is senderLoops.ts.
 */
import type { Clock } from '../clock.js';
import { MAX_EVENTS_PER_DELIVERY, type CallbackAttemptRecord, type CallbackOutbox, type ClaimedDelivery } from '../store/callbackOutbox.js';
import { attemptDelivery, type AttemptContext } from './callbackAttempt.js';
import { callbackHostOf } from './callbackHost.js';
import {
  CALLBACK_CONCURRENCY,
  fairRound,
  FlightCounts,
  PER_ACCOUNT_CONCURRENCY,
  PER_HOST_CONCURRENCY,
  type FairnessLimits,
} from './fairScheduler.js';
import { HostBackoff, type HostTicket } from './hostBackoff.js';
import { closePostTransport, createPostTransport } from './postCallback.js';
import type { RandomSource } from './retrySchedule.js';
import { sendOneRound, startSendLoop, type SendLoop, type SenderSteps } from './senderLoops.js';

/** Success is a 2xx within this time, connect plus response (spec §11.1). */
export const CALLBACK_TIMEOUT_MS = 10_000;
/** The spec lets a batch wait up to 1 s to fill. */
export const BATCH_WAIT_MS = 1_000;

/** The part of a pino logger the sender uses. */
export interface CallbackLogger {
  warn(detail: object, message: string): void;
  error(detail: object, message: string): void;
}

export interface CallbackSenderOptions {
  outbox: CallbackOutbox;
  clock: Clock;
  allowPrivateTargets: boolean;
  /** Gateway name and version, e.g. `direct-gateway/0.1.0`. */
  userAgent: string;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Requests in flight to one host (scheme, host name and port) at once. */
  perHostConcurrency?: number;
  /** Requests in flight for one account at once. */
  perAccountConcurrency?: number;
  batchWaitMs?: number;
  /** Tests shorten it; production keeps the spec's 10 s. */
  timeoutMs?: number;
  /**
   * Must outlast a request and its recording: an expired lease lets the delivery be claimed again. It is also how long
   * the deliveries in flight when a process died wait before another process (or the restarted one) resends them.
   * Default: 30 s (three timeouts).
   */
  leaseMs?: number;
  /** How long the loop sleeps when there is nothing to send. */
  idleMs?: number;
  random?: RandomSource;
  logger?: CallbackLogger;
}

export interface CallbackSender {
  /** One round: form deliveries, claim the due ones, POST them, record the results. Returns the attempts made. */
  tick(): Promise<number>;
  /** Sends continuously until `stop`. Do not call `tick` meanwhile. */
  start(): void;
  /** Ends the loop after the requests in flight have finished and been recorded. */
  stop(): Promise<void>;
}

const silentLogger: CallbackLogger = { warn() {}, error() {} };

export function createCallbackSender(options: CallbackSenderOptions): CallbackSender {
  const { outbox, clock, allowPrivateTargets, userAgent } = options;
  const concurrency = options.concurrency ?? CALLBACK_CONCURRENCY;
  const limits: FairnessLimits = {
    concurrency,
    perHost: options.perHostConcurrency ?? PER_HOST_CONCURRENCY,
    perAccount: options.perAccountConcurrency ?? PER_ACCOUNT_CONCURRENCY,
  };
  const timeoutMs = options.timeoutMs ?? CALLBACK_TIMEOUT_MS;
  const leaseMs = options.leaseMs ?? Math.max(30_000, timeoutMs * 3);
  const idleMs = options.idleMs ?? 50;
  const logger = options.logger ?? silentLogger;
  const formOptions = { maxEvents: MAX_EVENTS_PER_DELIVERY, fillWaitMs: options.batchWaitMs ?? BATCH_WAIT_MS, limitEvents: 5_000 };
  const transport = createPostTransport(timeoutMs, allowPrivateTargets);
  const attemptContext: AttemptContext = { transport, clock, userAgent, random: options.random ?? Math.random };

  const hosts = new HostBackoff();
  const flights = new FlightCounts();
  let formedAt: number | null = null;
  /** One exchange with the store, its choices made by a fair round from what is in flight and which hosts are down. */
  async function exchangeFairly(records: CallbackAttemptRecord[], now: number): Promise<ClaimedDelivery[]> {
    const round = fairRound({ now, limits, inFlight: flights, hostState: (host) => hosts.state(host, now), probeWaitMs: timeoutMs, formedAt });
    const claimed = await outbox.exchange(records, now, { leaseMs, limit: concurrency - flights.total, form: formOptions, choose: round });
    if (round.formAsked) formedAt = now;
    return claimed;
  }

  /** One attempt, counted in flight from its start to its end; its answer (or none) tells how its host is. */
  async function attempt(delivery: ClaimedDelivery): Promise<CallbackAttemptRecord> {
    const host = callbackHostOf(delivery.url);
    const retry = delivery.attempts > 0;
    const ticket: HostTicket = hosts.ticket(host);
    flights.add(host, delivery.accountId, retry);
    try {
      const { record, hostFailed } = await attemptDelivery(attemptContext, delivery);
      if (record.detail.httpStatus !== null) hosts.answered(host);
      else if (hostFailed) hosts.failed(host, ticket, clock.now());
      return record;
    } finally {
      flights.remove(host, delivery.accountId, retry);
    }
  }

  function logDropped(records: CallbackAttemptRecord[]): void {
    for (const { detail } of records) {
      if (detail.outcome === 'dropped') {
        logger.warn({ webhookId: detail.webhookId, url: detail.url, attempts: detail.attempt }, 'callback dropped: no 2xx within 24 h');
      }
    }
  }

  const steps: SenderSteps = {
    exchange: exchangeFairly,
    attempt,
    async record(records) {
      await outbox.recordAttempts(records);
      logDropped(records);
    },
    recorded: logDropped,
  };

  let loop: SendLoop | null = null;
  return {
    tick: () => sendOneRound(steps, clock.now()),
    start() {
      if (loop) return;
      loop = startSendLoop(steps, { clock, idleMs, logger });
    },
    async stop() {
      const running = loop;
      loop = null;
      await running?.stop();
      closePostTransport(transport);
    },
  };
}
