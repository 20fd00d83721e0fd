/**
 * The limits the gateway enforces on VK before a hand-off, so that it never pays for a sure refusal (README "VK").
 */

/**
 * VK's daily limit counts messages to one phone from one group. The gateway counts them over the last 24 hours, not
 * per calendar day: at most `limit` in any 24 hours is at most `limit` in any day, whatever day VK counts in.
 */
export const DAILY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The provider's validity bounds, in seconds. */
export const MIN_VALIDITY_S = 15;
export const MAX_VALIDITY_S = 86_400;

/** The validity handed to the provider: what is left of the message's lifetime, clamped to 15–86400 s. */
export function validitySeconds(expiresAt: number, now: number): number {
  const left = Math.floor((expiresAt - now) / 1000);
  return Math.min(MAX_VALIDITY_S, Math.max(MIN_VALIDITY_S, left));
}

export function dailyLimitDetail(limit: number): string {
  return `VK's daily limit: ${limit} messages from this group to this phone in the last 24 hours`;
}
