/**
 * Per-bind pacing of submit_sm: a token bucket at the configured rate, and a slow-down when the SMSC throttles
 * (ESME_RTHROTTLED / ESME_RMSGQFUL), as TCP does with congestion:
 * - sending pauses for a backoff that doubles while throttling goes on (reset by an accepted submit);
 * - the bind's window is halved (and its rate, when one is configured): with the round trip unchanged, that
 *   halves what it sends per second;
 * - both grow back while submits are accepted: the window by half a submit per accepted submit, the rate by half
 *   every second without throttling, up to the configured values.
 * Times are monotonic milliseconds (performance.now()).
 */

/** The bucket holds at most this much time's worth of tokens: a short burst, never a second's worth at once. */
const BURST_SECONDS = 0.1;
const RATE_RECOVERY_STEP_MS = 1_000;
const RATE_RECOVERY_FACTOR = 1.5;
const WINDOW_GROWTH_PER_ACCEPT = 0.5;
export const THROTTLE_BACKOFF_MIN_MS = 50;
export const THROTTLE_BACKOFF_MAX_MS = 2_000;

export class SubmitPacer {
  /** Messages per second now; Infinity = unlimited. */
  private rate: number;
  private windowLimit: number;
  private tokens: number;
  private refilledAt = 0;
  private pausedUntil = 0;
  /** Throttle episodes since the last accepted submit (drives the backoff). */
  private episodes = 0;
  private rateChangedAt = 0;

  constructor(
    private readonly configuredRate: number,
    private readonly configuredWindow: number,
  ) {
    this.rate = configuredRate > 0 ? configuredRate : Infinity;
    this.windowLimit = configuredWindow;
    this.tokens = this.capacity();
  }

  get currentRate(): number {
    return this.rate;
  }

  /** How many submits may be unanswered now (≤ the configured window). */
  get window(): number {
    return Math.max(1, Math.floor(this.windowLimit));
  }

  /** Milliseconds until a submit may leave; 0 = now. */
  waitMs(now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    this.recoverRate(now);
    if (this.rate === Infinity) return 0;
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }

  /** Call when a submit leaves (after waitMs gave 0). */
  take(): void {
    if (this.rate !== Infinity) this.tokens -= 1;
  }

  accepted(): void {
    this.episodes = 0;
    this.windowLimit = Math.min(this.configuredWindow, this.windowLimit + WINDOW_GROWTH_PER_ACCEPT);
  }

  /** The SMSC throttled a submit; returns the pause. The responses to one burst count once (while paused). */
  throttled(now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    const backoff = Math.min(THROTTLE_BACKOFF_MAX_MS, THROTTLE_BACKOFF_MIN_MS * 2 ** this.episodes);
    this.episodes += 1;
    this.windowLimit = Math.max(1, this.windowLimit / 2);
    if (this.rate !== Infinity) {
      this.rate = Math.max(1, this.rate / 2);
      this.tokens = 0;
      this.refilledAt = now + backoff;
    }
    this.pausedUntil = now + backoff;
    this.rateChangedAt = now + backoff;
    return backoff;
  }

  private recoverRate(now: number): void {
    if (this.rate === Infinity || this.rate >= this.configuredRate || now - this.rateChangedAt < RATE_RECOVERY_STEP_MS) return;
    this.rateChangedAt = now;
    this.rate = Math.min(this.configuredRate, this.rate * RATE_RECOVERY_FACTOR);
  }

  private capacity(): number {
    return this.rate === Infinity ? Infinity : Math.max(1, this.rate * BURST_SECONDS);
  }

  private refill(now: number): void {
    if (now <= this.refilledAt) return;
    this.tokens = Math.min(this.capacity(), this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
  }
}
