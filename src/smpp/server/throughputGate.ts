/**
 * A submit rate limit (`throughput` submits per second, 0 = none): a sliding window of the last second. A session's
 * own, or one its door shares between sessions (the SMPP door: one per user, smppDoor.ts).
 * A submit over the limit is refused (ESME_RTHROTTLED) and not counted, so the ESME that slows down gets through.
 */
export class ThroughputGate {
  /** Times of the accepted submits of the last second, a ring of `limit` entries. */
  private readonly times: number[];
  private next = 0;

  constructor(
    readonly limit: number,
    private readonly windowMs = 1000,
  ) {
    this.times = limit > 0 ? new Array<number>(limit).fill(-Infinity) : [];
  }

  /** True (and counted) when a submit at `at` (ms) is within the limit. */
  admit(at: number): boolean {
    if (this.limit <= 0) return true;
    // The oldest of the last `limit` accepted submits must be a full window old.
    if (at - this.times[this.next]! < this.windowMs) return false;
    this.times[this.next] = at;
    this.next = (this.next + 1) % this.limit;
    return true;
  }
}
