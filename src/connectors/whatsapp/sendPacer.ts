import { pairLimitBackoffMs } from '../../domain/whatsappOutcomes.js';

/** A reservation unused this long after its time belongs to a message that will not come back here (stopped, expired). */
const FORGET_RESERVATION_MS = 60_000;
/** The maps are swept of the past at most this often (a sweep walks them whole), and only once they are large. */
const SWEEP_EVERY_MS = 10_000;
const SWEEP_ABOVE = 100_000;

/**
 * Paces sends in the gateway instead of collecting the platform's 429s (README "WhatsApp", Limits): each number
 * sends at most `throughput` messages a second, evenly spaced, and one subscriber gets at most one message per
 * `pairIntervalMs` from one number; after a pair-rate error (131056) that pair waits 4^n s. Per node.
 *
 * A message whose slot is further away than the caller may wait gets its slot reserved and goes back to the queue
 * until then: a backlog of one number never holds the engine's hand-offs (other accounts' messages share them), and
 * each message comes back to a slot of its own instead of all of them competing again for the next one.
 */
export class SendPacer {
  private readonly nextSlotAt = new Map<string, number>();
  private readonly nextPairAt = new Map<string, number>();
  private readonly pairErrors = new Map<string, number>();
  /** Slots taken for messages sent back to the queue, by message uuid. */
  private readonly reserved = new Map<string, number>();
  private sweptAt = -Infinity;

  constructor(private readonly pairIntervalMs: number) {}

  /**
   * A slot for message `uuid`: `taken` with the wait to sleep before sending (at most `maxWaitMs`), or not taken with
   * how long the message should wait in the queue.
   */
  take(uuid: string, phoneNumberId: string, throughput: number, destination: string, now: number, maxWaitMs: number): { waitMs: number; taken: boolean } {
    const held = this.reserved.get(uuid);
    if (held !== undefined) {
      if (held - now > maxWaitMs) return { waitMs: held - now, taken: false };
      this.reserved.delete(uuid);
      return { waitMs: Math.max(0, held - now), taken: true };
    }
    const pair = `${phoneNumberId}:${destination}`;
    const pairAt = this.nextPairAt.get(pair) ?? 0;
    // Held back by its subscriber only: it takes no slot of the number, which others may use meanwhile.
    if (pairAt - now > maxWaitMs) return { waitMs: pairAt - now, taken: false };
    const at = Math.max(now, this.nextSlotAt.get(phoneNumberId) ?? 0, pairAt);
    this.nextSlotAt.set(phoneNumberId, at + 1000 / throughput);
    if (this.pairIntervalMs > 0) this.nextPairAt.set(pair, at + this.pairIntervalMs);
    this.forgetPast(now);
    if (at - now <= maxWaitMs) return { waitMs: at - now, taken: true };
    this.reserved.set(uuid, at);
    return { waitMs: at - now, taken: false };
  }

  /** The platform said the pair is sent to too often: the next try waits 4^n s (n: such errors in a row). */
  pairLimited(phoneNumberId: string, destination: string, now: number): number {
    const pair = `${phoneNumberId}:${destination}`;
    const errors = (this.pairErrors.get(pair) ?? 0) + 1;
    this.pairErrors.set(pair, errors);
    const backoff = pairLimitBackoffMs(errors);
    this.nextPairAt.set(pair, now + backoff);
    return backoff;
  }

  /** A send to the pair went through: its back-off starts again from 4 s. */
  delivered(phoneNumberId: string, destination: string): void {
    this.pairErrors.delete(`${phoneNumberId}:${destination}`);
  }

  /**
   * Keeps the maps to what still matters (they would otherwise grow with every subscriber and message). Not on every
   * take: a backlog of 100,000 reserved slots, all in the future, would otherwise be walked once per send.
   */
  private forgetPast(now: number): void {
    if (now - this.sweptAt < SWEEP_EVERY_MS || (this.nextPairAt.size < SWEEP_ABOVE && this.reserved.size < SWEEP_ABOVE)) return;
    this.sweptAt = now;
    for (const [pair, at] of this.nextPairAt) if (at <= now && !this.pairErrors.has(pair)) this.nextPairAt.delete(pair);
    for (const [uuid, at] of this.reserved) if (at < now - FORGET_RESERVATION_MS) this.reserved.delete(uuid);
  }
}
