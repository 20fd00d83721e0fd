/**
 * What VK's answers mean for a message (spec §6.5, §13; README "VK"), for both adapters: the provider profile's
 * per-item error codes and status callbacks, and the community API's error codes. One table each, here only.
 */
import type { Report } from './lifecycle.js';

/** What to do with a message the platform answered with an error. */
export type VkSendOutcome =
  /**
   * Not sent: `unsent` with the code. `pauseSender`: the sender cannot send at all (the circuit breaker opens).
   * `keepsDailySlot`: the refusal says the subscriber's daily limit is used up, so the slot stays counted.
   */
  | { kind: 'unsent'; errorCode: number; pauseSender: boolean; keepsDailySlot: boolean }
  /** The platform took it and it cannot be delivered: `sent` at no price, then `undelivered` with the code. */
  | { kind: 'undelivered'; errorCode: number }
  /** Try again later, within the lifetime. */
  | { kind: 'retry' };

const CODES = { noAccount: 612, perSubscriber: 613, sender: 614, region: 615 } as const;

const unsent = (errorCode: number, pauseSender = false, keepsDailySlot = false): VkSendOutcome => ({ kind: 'unsent', errorCode, pauseSender, keepsDailySlot });

/** The provider profile's codes (an item's `error.code`, a `not_delivered` status's `reason`). */
const PROVIDER_NO_ACCOUNT = new Set(['not_vk_user', 'inactive_user']);
const PROVIDER_PER_SUBSCRIBER = new Set(['daily_limit', 'blocked']);
const PROVIDER_REGION = new Set(['region_not_supported']);
const PROVIDER_SENDER = new Set(['unauthorized', 'service_unknown', 'service_disabled']);
const PROVIDER_TRANSIENT = new Set(['rate_limited', 'internal_error', 'temporarily_unavailable']);

/**
 * An item of a provider request answered with an error code. An unknown code cannot succeed by being sent again:
 * `unsent` 614 without pausing (the answer is logged).
 */
export function providerItemOutcome(code: string): VkSendOutcome {
  if (PROVIDER_NO_ACCOUNT.has(code)) return { kind: 'undelivered', errorCode: CODES.noAccount };
  if (PROVIDER_PER_SUBSCRIBER.has(code)) return unsent(CODES.perSubscriber, false, code === 'daily_limit');
  if (PROVIDER_REGION.has(code)) return { kind: 'undelivered', errorCode: CODES.region };
  if (PROVIDER_SENDER.has(code)) return unsent(CODES.sender, true);
  if (PROVIDER_TRANSIENT.has(code)) return { kind: 'retry' };
  return unsent(CODES.sender);
}

/**
 * A provider request answered as a whole without per-item results: refused credentials (401, 403) pause the sender;
 * no answer, 429 and 5xx are retried; another 4xx (the request itself is wrong) is `unsent` 614 without pausing.
 */
export function providerRequestOutcome(httpStatus: number | null): VkSendOutcome {
  if (httpStatus === null || httpStatus === 429 || httpStatus >= 500) return { kind: 'retry' };
  if (httpStatus === 401 || httpStatus === 403) return unsent(CODES.sender, true);
  return unsent(CODES.sender);
}

/** A provider status callback as the rules need it. */
export interface ProviderStatus {
  status: string;
  reason: string | null;
  at: number;
}

/**
 * What a provider status means (spec §7): `delivered`; `read` (the lifecycle records `delivered` first if it is
 * missing); `not_delivered` as `undelivered` at no price, with the reason's code (null when the reason is not one
 * of the profile's); `expired` as the end of the lifetime (`undelivered` 127, or `unread` after delivered). `sent`
 * is the hand-off the gateway already recorded, and other statuses change nothing: null.
 */
export function providerStatusReport(status: ProviderStatus): Report | null {
  switch (status.status) {
    case 'delivered':
      return { kind: 'delivered', at: status.at };
    case 'read':
      return { kind: 'read', at: status.at };
    case 'not_delivered':
      return { kind: 'undelivered', at: status.at, errorCode: notDeliveredCode(status.reason), price: 0 };
    case 'expired':
      return { kind: 'expired', at: status.at };
    default:
      return null;
  }
}

function notDeliveredCode(reason: string | null): number | null {
  if (reason === null) return null;
  if (PROVIDER_NO_ACCOUNT.has(reason)) return CODES.noAccount;
  if (PROVIDER_PER_SUBSCRIBER.has(reason)) return CODES.perSubscriber;
  if (PROVIDER_REGION.has(reason)) return CODES.region;
  return null;
}

/** VK API error codes of messages.send (dev.vk.com "Errors"). */
const COMMUNITY_SENDER = new Set([5, 7, 15, 27, 28]);
const COMMUNITY_NO_ACCOUNT = new Set([900, 901, 902]);
const COMMUNITY_TRANSIENT = new Set([1, 6, 9, 10, 29]);

/**
 * A community messages.send answered with `error.error_code` (null: no VK answer at all, or an HTTP error).
 * 900/901/902 (blacklist, no permission, privacy) → `undelivered` 612; 914 (too long for VK) → `unsent` 614
 * without pausing (the spec has no code of its own for it); refused tokens pause the sender.
 */
export function communityErrorOutcome(code: number | null): VkSendOutcome {
  if (code === null || COMMUNITY_TRANSIENT.has(code)) return { kind: 'retry' };
  if (COMMUNITY_NO_ACCOUNT.has(code)) return { kind: 'undelivered', errorCode: CODES.noAccount };
  if (COMMUNITY_SENDER.has(code)) return unsent(CODES.sender, true);
  // 914 (too long for VK) and codes unknown here cannot succeed by being sent again.
  return unsent(CODES.sender);
}
