/**
 * When a failed callback delivery is tried again (spec §11.1): about 5 s, 30 s, 2 min, 10 min, 30 min, 1 h,
 * then every hour, each ±10 %, and never later than 24 h after the first attempt.
 */
export const RETRY_DELAYS_MS: readonly number[] = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000];
export const RETRY_WINDOW_MS = 24 * 3_600_000;
export const RETRY_JITTER = 0.1;

/** A number in [0, 1), like Math.random; injected so tests can pin the jitter. */
export type RandomSource = () => number;

/** The delay after the `failedAttempts`-th failed attempt (1 = after the first), jitter included. */
export function retryDelayMs(failedAttempts: number, random: RandomSource = Math.random): number {
  const index = Math.min(Math.max(failedAttempts, 1), RETRY_DELAYS_MS.length) - 1;
  const base = RETRY_DELAYS_MS[index]!;
  // Jitter spreads the retries of many deliveries that failed together (a receiver outage).
  return Math.round(base * (1 + RETRY_JITTER * (2 * random() - 1)));
}

/**
 * The time of the next attempt after a failure at `failedAt`, or null when it would fall after the 24 h window
 * that starts at the first attempt: the delivery is then dropped.
 */
export function nextAttemptAt(
  failedAttempts: number,
  firstAttemptAt: number,
  failedAt: number,
  random: RandomSource = Math.random,
): number | null {
  const next = failedAt + retryDelayMs(failedAttempts, random);
  return next > firstAttemptAt + RETRY_WINDOW_MS ? null : next;
}
