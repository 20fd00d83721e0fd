import { pairLimitBackoffMs } from '../../domain/whatsappOutcomes.js';

/**
 * Paces sends in the gateway instead of collecting the platform's 429s (README "WhatsApp", Limits): each number
 * sends at most `throughput` messages a second, evenly spaced, and one subscriber gets at most one message per
 * `pairIntervalMs` from one number; after a pair-rate error (131056) that pair waits 4^n s. Per node.
 */
export class SendPacer {
  private readonly nextSlotAt = new Map<string, number>();
  private readonly nextPairAt = new Map<string, number>();
  private readonly pairErrors = new Map<string, number>();

  constructor(private readonly pairIntervalMs: number) {}

  /**
   * Takes a slot for one message, or says how long to wait for one. A wait up to `maxWaitMs` is taken (the caller
   * sleeps it); a longer one takes nothing and the message goes back to the queue for that long.
   */
  take(phoneNumberId: string, throughput: number, destination: string, now: number, maxWaitMs: number): { waitMs: number; taken: boolean } {
    const pair = `${phoneNumberId}:${destination}`;
    const slot = Math.max(now, this.nextSlotAt.get(phoneNumberId) ?? 0);
    const pairSlot = this.nextPairAt.get(pair) ?? 0;
    const at = Math.max(slot, pairSlot);
    if (at - now > maxWaitMs) return { waitMs: at - now, taken: false };
    this.nextSlotAt.set(phoneNumberId, at + 1000 / throughput);
    if (this.pairIntervalMs > 0) this.nextPairAt.set(pair, at + this.pairIntervalMs);
    this.forgetPast(now);
    return { waitMs: at - now, taken: true };
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

  /** Keeps the pair map to the pairs still waiting (it would otherwise grow with every subscriber ever sent to). */
  private forgetPast(now: number): void {
    if (this.nextPairAt.size < 100_000) return;
    for (const [pair, at] of this.nextPairAt) if (at <= now && !this.pairErrors.has(pair)) this.nextPairAt.delete(pair);
  }
}
