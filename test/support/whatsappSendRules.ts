/**
 * What decides, after a WhatsApp send's body is valid, whether the stand-in accepts it: failures the test queued
 * (`failNext`, `failFor`) and Meta's two send limits — throughput per business number (130429) and the pair rate
 * between one business number and one user (131056). Only accepted sends count for the limits, so a client that
 * backs off after a 130429 or 131056 gets through.
 */

export interface FailOptions {
  /** HTTP status; default Meta's for the code (httpStatusFor). Sync only. */
  http?: number;
  /** How many sends. Default 1 (failNext only). */
  count?: number;
  /** 'sync' (default): an error answer; 'async': 200 with a wamid, then a `failed` status webhook. */
  mode?: 'sync' | 'async';
  /** error_data.details (sync) or errors[0].error_data.details (async); default the catalog's. */
  details?: string;
  /** error_subcode (deprecated since v16.0, so absent unless given). Sync only. */
  subcode?: number;
}

export interface FailRule extends FailOptions {
  code: number;
  remaining: number;
}

export interface SendLimits {
  /** Accepted sends per phone number in any 1 s window; one more → 130429. */
  throughputPerSecond?: number;
  /** Minimum ms between two accepted sends from one number to one wa_id; sooner → 131056. */
  pairIntervalMs?: number;
}

export class WhatsAppSendRules {
  private readonly next: FailRule[] = [];
  private readonly perRecipient = new Map<string, FailRule>();
  private readonly recentSends = new Map<string, number[]>();
  private readonly lastPairSend = new Map<string, number>();

  constructor(private readonly limits: SendLimits) {}

  failNext(code: number, options: FailOptions = {}): void {
    this.next.push({ ...options, code, remaining: options.count ?? 1 });
  }

  failFor(recipientDigits: string, code: number, options: Omit<FailOptions, 'count'> = {}): void {
    this.perRecipient.set(recipientDigits, { ...options, code, remaining: Infinity });
  }

  clearFailFor(recipientDigits?: string): void {
    if (recipientDigits === undefined) this.perRecipient.clear();
    else this.perRecipient.delete(recipientDigits);
  }

  /** The queued failNext rule (one use of it is taken), else the recipient's failFor rule. */
  takeFailure(waId: string): FailRule | undefined {
    const next = this.next[0];
    if (next) {
      if (--next.remaining <= 0) this.next.shift();
      return next;
    }
    return this.perRecipient.get(waId);
  }

  /** 130429 or 131056 when a limit is hit, else undefined. */
  limitHit(phoneNumberId: string, waId: string, now = Date.now()): number | undefined {
    const { throughputPerSecond, pairIntervalMs } = this.limits;
    if (throughputPerSecond !== undefined) {
      const recent = (this.recentSends.get(phoneNumberId) ?? []).filter((t) => now - t < 1000);
      this.recentSends.set(phoneNumberId, recent);
      if (recent.length >= throughputPerSecond) return 130429;
    }
    if (pairIntervalMs !== undefined) {
      const last = this.lastPairSend.get(`${phoneNumberId}:${waId}`);
      if (last !== undefined && now - last < pairIntervalMs) return 131056;
    }
    return undefined;
  }

  /** Counts an accepted send for both limits. */
  accepted(phoneNumberId: string, waId: string, now = Date.now()): void {
    const recent = this.recentSends.get(phoneNumberId) ?? [];
    recent.push(now);
    this.recentSends.set(phoneNumberId, recent);
    this.lastPairSend.set(`${phoneNumberId}:${waId}`, now);
  }
}
