/**
 * What the WhatsApp Cloud API's error codes mean for a message (spec §13; README "WhatsApp"), for both ways an error
 * comes: the answer to the send (sync) and a `failed` status webhook (async). The numbers are Meta's.
 */

/** What to do with a message whose send was answered with an error. */
export type SendErrorOutcome =
  /** Not sent: `unsent` with the code. `pauseSender`: the sender cannot send at all (the circuit breaker opens). */
  | { kind: 'unsent'; errorCode: number; pauseSender: boolean }
  /** The platform took it and it cannot be delivered: `sent`, then `undelivered` with the code. */
  | { kind: 'undelivered'; errorCode: number }
  /** Try again later, within the lifetime. `pairLimit`: this destination is sent to too often (back off 4^n s). */
  | { kind: 'retry'; pairLimit: boolean };

const WINDOW_CLOSED = [131047, 470];
const TEMPLATE_MISMATCH = [132000, 132001, 132012, 132015];
const NO_ACCOUNT = [131026];
const PER_SUBSCRIBER_LIMIT = [131049, 131050];
const REGION = [130497];
const PAIR_LIMIT = 131056;
const TRANSIENT = [130429, 131057, 4, 80007, 131000];

/** Credentials, permissions, a locked account: nothing of this sender can go out until an operator acts. */
function isSenderUnusable(code: number): boolean {
  return code === 0 || code === 3 || code === 10 || code === 190 || (code >= 200 && code <= 299) || code === 368 || code === 131031;
}

const CODES = { windowClosed: 610, template: 611, noAccount: 612, perSubscriber: 613, sender: 614, region: 615 } as const;

/**
 * A send answered with an error. `code` is the body's `error.code` (null when the body had none), `httpStatus` the
 * answer's status. A 5xx, a timeout (httpStatus null) or an unknown code on a 5xx is retried; an unknown code on a
 * 4xx cannot succeed by being sent again and is `unsent` 614 without pausing (the answer is logged).
 */
export function sendErrorOutcome(code: number | null, httpStatus: number | null): SendErrorOutcome {
  if (code !== null) {
    if (WINDOW_CLOSED.includes(code)) return { kind: 'unsent', errorCode: CODES.windowClosed, pauseSender: false };
    if (TEMPLATE_MISMATCH.includes(code)) return { kind: 'unsent', errorCode: CODES.template, pauseSender: false };
    if (NO_ACCOUNT.includes(code)) return { kind: 'undelivered', errorCode: CODES.noAccount };
    // Refused at the hand-off for this subscriber: known before the platform took it (§13: unsent).
    if (PER_SUBSCRIBER_LIMIT.includes(code)) return { kind: 'unsent', errorCode: CODES.perSubscriber, pauseSender: false };
    if (REGION.includes(code)) return { kind: 'undelivered', errorCode: CODES.region };
    if (code === PAIR_LIMIT) return { kind: 'retry', pairLimit: true };
    if (TRANSIENT.includes(code)) return { kind: 'retry', pairLimit: false };
    if (isSenderUnusable(code)) return { kind: 'unsent', errorCode: CODES.sender, pauseSender: true };
  }
  if (httpStatus === null || httpStatus >= 500 || httpStatus === 429) return { kind: 'retry', pairLimit: false };
  return { kind: 'unsent', errorCode: CODES.sender, pauseSender: false };
}

/**
 * The spec code of a `failed` status webhook (the message was `sent`, so it becomes `undelivered`): the first of its
 * errors with a known meaning, else null (the cause is unknown to the spec, §7).
 */
export function failedStatusCode(codes: readonly number[]): number | null {
  for (const code of codes) {
    if (WINDOW_CLOSED.includes(code)) return CODES.windowClosed;
    if (TEMPLATE_MISMATCH.includes(code)) return CODES.template;
    if (NO_ACCOUNT.includes(code)) return CODES.noAccount;
    if (PER_SUBSCRIBER_LIMIT.includes(code)) return CODES.perSubscriber;
    if (REGION.includes(code)) return CODES.region;
    if (isSenderUnusable(code)) return CODES.sender;
  }
  return null;
}

/** The back-off after the n-th pair-rate error in a row for one destination (n from 1): 4^n seconds. */
export function pairLimitBackoffMs(consecutive: number): number {
  return 4 ** Math.max(1, Math.min(consecutive, 6)) * 1000;
}
