import { ERROR_CODES, type Report } from './lifecycle.js';
import { FINAL_STATUSES } from './statuses.js';

/** The answer for one uuid of `POST /api/v1/message/stop` (spec §9). */
export type StopCode = 200 | 202 | 403 | 404;

/** What a stop does to one message, as the store found it (null: no such message of the account). */
export type StopDecision =
  /** 404: unknown here. */
  | 'unknown'
  /** 200 again: it is unsent already (stopped, expired before hand-off, refused). */
  | 'already-unsent'
  /** 403: handed off or final, too late to stop. */
  | 'too-late'
  /** 202: the engine holds it under a lease; flagged, and the engine checks the flag before the hand-off. */
  | 'flag-for-engine'
  /** 200: not claimed, so stopped now, in the answer's own transaction (unsent 606, refunded, with its callback). */
  | 'stop-now';

export const STOP_CODES: Record<StopDecision, StopCode> = {
  unknown: 404,
  'already-unsent': 200,
  'too-late': 403,
  'flag-for-engine': 202,
  'stop-now': 200,
};

export function decideStop(message: { status: string; leaseUntil: number | null } | null, now: number): StopDecision {
  if (message === null) return 'unknown';
  if (message.status === 'unsent') return 'already-unsent';
  if (FINAL_STATUSES.has(message.status) || message.status === 'sent') return 'too-late';
  if (message.leaseUntil !== null && message.leaseUntil > now) return 'flag-for-engine';
  return 'stop-now';
}

/** The report a stop records: unsent 606. */
export function stoppedReport(now: number): Report {
  return { kind: 'unsent', at: now, errorCode: ERROR_CODES.stopped };
}
