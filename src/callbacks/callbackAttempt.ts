/**
 * One callback attempt (spec §11.1): the Standard Webhooks headers (signed when the account has a secret), one
 * POST, and what its answer means: a 2xx is `delivered`; anything else is retried at the schedule's next time
 * (retrySchedule.ts), or `dropped` once the schedule has none.
 */
import type { Clock } from '../clock.js';
import { callbackCredentials, redactCallbackUrl } from '../domain/callbackUrl.js';
import { signWebhook } from '../domain/signingSecret.js';
import type { CallbackAttemptRecord, ClaimedDelivery } from '../store/callbackOutbox.js';
import { postCallback, type PostTransport } from './postCallback.js';
import { nextAttemptAt, type RandomSource } from './retrySchedule.js';

export interface AttemptContext {
  transport: PostTransport;
  clock: Clock;
  /** Gateway name and version, e.g. `direct-gateway/0.1.0`. */
  userAgent: string;
  random: RandomSource;
}

export interface AttemptOutcome {
  record: CallbackAttemptRecord;
  /** The host gave no answer (timeout, connection or TLS error), as opposed to an answer or a refused target. */
  hostFailed: boolean;
}

export async function attemptDelivery(context: AttemptContext, delivery: ClaimedDelivery): Promise<AttemptOutcome> {
  const { clock, random } = context;
  const at = clock.now();
  const target = callbackCredentials(delivery.url);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': context.userAgent,
    'webhook-id': delivery.id,
  };
  if (delivery.signingSecret !== null) {
    const timestamp = Math.floor(at / 1000);
    headers['webhook-timestamp'] = String(timestamp);
    headers['webhook-signature'] = signWebhook(delivery.signingSecret, delivery.id, timestamp, delivery.body);
  }
  if (target.authorization !== null) headers['Authorization'] = target.authorization;
  const result = await postCallback(context.transport, target.url, headers, delivery.body);
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
