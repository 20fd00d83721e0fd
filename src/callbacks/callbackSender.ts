/**
 * Delivers the callback outbox (spec §11.1): forms batches, POSTs them with the Standard Webhooks headers,
 * and records each attempt with its retry or drop. Many requests are kept in flight; database work is batched.
 * Which delivery goes next is fairScheduler.ts's rule (caps per host and account, first attempts before retries,
 * dead hosts backed off); this file only keeps count of what is in flight and of which hosts answer.
 */
import { Buffer } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../clock.js';
import { callbackCredentials, redactCallbackUrl } from '../domain/callbackUrl.js';
import { signWebhook } from '../domain/signingSecret.js';
import { MAX_EVENTS_PER_DELIVERY, type CallbackAttemptRecord, type CallbackOutbox, type ClaimedDelivery } from '../store/callbackOutbox.js';
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
import { nextAttemptAt, type RandomSource } from './retrySchedule.js';
import { guardedLookup, refuseLiteralHost, RefusedTargetError } from './targetGuard.js';

/** Success is a 2xx within this time, connect plus response (spec §11.1). */
export const CALLBACK_TIMEOUT_MS = 10_000;
/** The spec lets a batch wait up to 1 s to fill. */
export const BATCH_WAIT_MS = 1_000;
/** How long the loop waits for more answers before recording one while other requests are in flight. */
const EXCHANGE_GATHER_MS = 5;

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
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  const formOptions = { maxEvents: MAX_EVENTS_PER_DELIVERY, fillWaitMs: options.batchWaitMs ?? BATCH_WAIT_MS, limitEvents: 5_000 };
  const transport: Transport = {
    timeoutMs,
    allowPrivateTargets,
    lookup: guardedLookup(allowPrivateTargets),
    httpAgent: new http.Agent({ keepAlive: true }),
    httpsAgent: new https.Agent({ keepAlive: true }),
  };

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
      const { record, hostFailed } = await send(delivery);
      if (record.detail.httpStatus !== null) hosts.answered(host);
      else if (hostFailed) hosts.failed(host, ticket, clock.now());
      return record;
    } finally {
      flights.remove(host, delivery.accountId, retry);
    }
  }

  async function send(delivery: ClaimedDelivery): Promise<{ record: CallbackAttemptRecord; hostFailed: boolean }> {
    const at = clock.now();
    const target = callbackCredentials(delivery.url);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': userAgent,
      'webhook-id': delivery.id,
    };
    if (delivery.signingSecret !== null) {
      const timestamp = Math.floor(at / 1000);
      headers['webhook-timestamp'] = String(timestamp);
      headers['webhook-signature'] = signWebhook(delivery.signingSecret, delivery.id, timestamp, delivery.body);
    }
    if (target.authorization !== null) headers['Authorization'] = target.authorization;
    const result = await post(transport, target.url, headers, delivery.body);
    const ok = result.httpStatus !== null && result.httpStatus >= 200 && result.httpStatus < 300;
    const attemptNumber = delivery.attempts + 1;
    const retryAt = ok ? null : nextAttemptAt(attemptNumber, delivery.firstAttemptAt ?? at, clock.now(), random);
    const record: CallbackAttemptRecord = {
      leaseUntil: delivery.leaseUntil,
      at,
      nextAttemptAt: retryAt,
      detail: {
        webhookId: delivery.id,
        url: redactCallbackUrl(delivery.url),
        attempt: attemptNumber,
        httpStatus: result.httpStatus,
        error: result.error,
        latencyMs: result.latencyMs,
        outcome: ok ? 'delivered' : retryAt === null ? 'dropped' : 'retry',
      },
    };
    return { record, hostFailed: result.hostFailed };
  }

  function logDropped(records: CallbackAttemptRecord[]): void {
    for (const { detail } of records) {
      if (detail.outcome === 'dropped') {
        logger.warn({ webhookId: detail.webhookId, url: detail.url, attempts: detail.attempt }, 'callback dropped: no 2xx within 24 h');
      }
    }
  }

  async function record(records: CallbackAttemptRecord[]): Promise<void> {
    await outbox.recordAttempts(records);
    logDropped(records);
  }

  async function tick(): Promise<number> {
    const now = clock.now();
    const claimed = await exchangeFairly([], now);
    const records = await Promise.all(claimed.map(attempt));
    await record(records);
    return records.length;
  }

  let running = false;
  let loop: Promise<void> | null = null;
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

  // Unlike tick, the loop does not wait for a whole round: a slow receiver holds one slot, not everyone.
  async function run(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let finished: CallbackAttemptRecord[] = [];
    const launch = (delivery: ClaimedDelivery) => {
      const done: Promise<void> = attempt(delivery)
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
      const claimed = await exchangeFairly(records, clock.now());
      logDropped(records);
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
    if (finished.length > 0) await record(finished.splice(0));
  }

  return {
    tick,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      signal();
      await loop;
      loop = null;
      transport.httpAgent.destroy();
      transport.httpsAgent.destroy();
    },
  };
}

interface Transport {
  timeoutMs: number;
  allowPrivateTargets: boolean;
  lookup: ReturnType<typeof guardedLookup>;
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
}

interface PostResult {
  httpStatus: number | null;
  error: string | null;
  latencyMs: number;
  /** No answer from the host (timeout, connection or TLS error): counts against the host, unlike a refused target. */
  hostFailed: boolean;
}

/** One POST; never rejects. A stale keep-alive socket reset before any answer is retried once on a fresh one. */
async function post(transport: Transport, url: string, headers: Record<string, string>, body: string): Promise<PostResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { httpStatus: null, error: 'invalid callback URL', latencyMs: 0, hostFailed: false };
  }
  const refusal = refuseLiteralHost(target.hostname, transport.allowPrivateTargets);
  if (refusal) return { httpStatus: null, error: refusal.message, latencyMs: latency(), hostFailed: false };
  const bytes = Buffer.from(body);
  const deadline = started + transport.timeoutMs;
  for (let tries = 0; ; tries++) {
    const answer = await postOnce(transport, target, { ...headers, 'Content-Length': String(bytes.length) }, bytes, deadline);
    if (answer.staleSocket && tries === 0) continue;
    return { httpStatus: answer.httpStatus, error: answer.error, latencyMs: latency(), hostFailed: answer.httpStatus === null && !answer.refused };
  }
}

function postOnce(
  transport: Transport,
  target: URL,
  headers: Record<string, string>,
  body: Buffer,
  deadline: number,
): Promise<{ httpStatus: number | null; error: string | null; staleSocket: boolean; refused: boolean }> {
  return new Promise((resolve) => {
    const secure = target.protocol === 'https:';
    const request = (secure ? https : http).request({
      method: 'POST',
      protocol: target.protocol,
      hostname: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port || undefined,
      path: `${target.pathname}${target.search}`,
      headers,
      agent: secure ? transport.httpsAgent : transport.httpAgent,
      lookup: transport.lookup,
    });
    let settled = false;
    const settle = (httpStatus: number | null, error: string | null, staleSocket = false, refused = false) => {
      if (settled) return;
      settled = true;
      resolve({ httpStatus, error, staleSocket, refused });
    };
    // One deadline for connect + response; it also bounds draining the ignored response body.
    const timer = setTimeout(
      () => request.destroy(Object.assign(new Error(`timeout after ${transport.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      Math.max(0, deadline - performance.now()),
    );
    request.on('close', () => clearTimeout(timer));
    request.on('response', (response) => {
      settle(response.statusCode ?? null, null);
      response.on('error', () => {});
      response.resume(); // drained, so the keep-alive socket can be reused
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      const refused = error instanceof RefusedTargetError;
      settle(null, error.message || error.code || 'request failed', request.reusedSocket && error.code === 'ECONNRESET', refused);
    });
    request.end(body);
  });
}
