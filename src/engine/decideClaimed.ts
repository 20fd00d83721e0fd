import type { Report } from '../domain/lifecycle.js';
import { ERROR_CODES } from '../domain/lifecycle.js';
import { nextSendMoment } from '../domain/schedule.js';
import type { ClaimedMessage } from '../store/store.js';

/** What to do with a message just claimed (pure): hand it off, wait for its window, or end it. */
export type ClaimDecision =
  | { action: 'handoff' }
  | { action: 'wait'; until: number; reason: string }
  | { action: 'end'; report: Report; detail: string };

export function decideClaimed(message: ClaimedMessage, now: number): ClaimDecision {
  if (message.stopRequested) {
    return { action: 'end', report: { kind: 'unsent', at: now, errorCode: ERROR_CODES.stopped }, detail: 'stopped by request' };
  }
  if (now >= message.expiresAt) {
    return { action: 'end', report: { kind: 'expired', at: now }, detail: 'lifetime ended before hand-off' };
  }
  const plan = { sendAfter: message.sendAfter, completeBy: message.completeBy, expiresAt: message.expiresAt };
  const next = nextSendMoment({ hours: message.hours, days: message.days }, plan, message.timeZone, now);
  if (next === null) {
    return {
      action: 'end',
      report: { kind: 'unsent', at: now, errorCode: ERROR_CODES.expiredBeforeSending },
      detail: 'no sending window opens before localCompletionTime or the end of the lifetime',
    };
  }
  if (next > now) return { action: 'wait', until: next, reason: `sending window opens (${message.timeZone})` };
  return { action: 'handoff' };
}
