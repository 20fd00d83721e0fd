/** Time is injected so that lifetimes, schedules and retries can be tested in milliseconds. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
