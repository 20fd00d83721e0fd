/**
 * The circuit breaker of a platform's senders, WhatsApp's and VK's (spec §13 code 614): a sender whose credentials
 * or account the platform refused is paused, for every node (the pause is kept in the database), so that its queue
 * waits instead of being burnt message by message. It is resumed by `direct-gateway whatsapp|vk senders resume`, or
 * by one probe message after `pauseProbeMs` that goes through.
 */
export interface PauseState {
  pauseSender(senderName: string, reason: string, at: number): Promise<void>;
  resumeSender(senderName: string, waiting: { dueAt: number; dueBefore: number }): Promise<boolean>;
  pausedSenders(): Promise<{ senderName: string; reason: string; pausedAt: number }[]>;
}

/** How often a node reads the pauses again: a resume on another node (or the CLI) takes effect this soon. */
const REFRESH_MS = 2_000;
/** A paused sender's messages are looked at again this often when no probe is due sooner. */
const PAUSED_RETRY_MS = 30_000;

/**
 * What a resume at `now` makes due again: the messages the breaker put off (at most PAUSED_RETRY_MS ahead), due
 * once every node has read the pauses again.
 */
export function resumedWaiting(now: number): { dueAt: number; dueBefore: number } {
  return { dueAt: now + REFRESH_MS, dueBefore: now + PAUSED_RETRY_MS };
}

export type BreakerDecision = { send: true; probe: boolean } | { send: false; retryAfterMs: number; reason: string };

export class SenderBreaker {
  private paused = new Map<string, { reason: string; pausedAt: number }>();
  private readAt = -Infinity;
  private readonly lastProbeAt = new Map<string, number>();
  private readonly probing = new Set<string>();

  constructor(
    private readonly state: PauseState,
    private readonly probeAfterMs: number,
  ) {}

  async decide(senderName: string, now: number): Promise<BreakerDecision> {
    if (now - this.readAt >= REFRESH_MS) {
      this.paused = new Map((await this.state.pausedSenders()).map((p) => [p.senderName, p]));
      this.readAt = now;
    }
    const pause = this.paused.get(senderName);
    if (!pause) return { send: true, probe: false };
    const reason = `sender paused since ${new Date(pause.pausedAt).toISOString()}: ${pause.reason}`;
    if (this.probeAfterMs === 0) return { send: false, retryAfterMs: PAUSED_RETRY_MS, reason };
    const probeAt = Math.max(pause.pausedAt, this.lastProbeAt.get(senderName) ?? 0) + this.probeAfterMs;
    if (now < probeAt || this.probing.has(senderName)) {
      return { send: false, retryAfterMs: Math.max(1_000, Math.min(PAUSED_RETRY_MS, probeAt - now)), reason };
    }
    this.probing.add(senderName);
    this.lastProbeAt.set(senderName, now);
    return { send: true, probe: true };
  }

  /** The platform refused the sender itself. */
  async trip(senderName: string, reason: string, now: number): Promise<void> {
    this.probing.delete(senderName);
    await this.state.pauseSender(senderName, reason, now);
    if (!this.paused.has(senderName)) this.paused.set(senderName, { reason, pausedAt: now });
  }

  /**
   * A probe was answered. `senderWorks`: the platform took it, or refused it for another reason than the sender
   * (the pause ends); false: no answer or a transient error, which proves nothing (the next probe comes later).
   */
  async probeEnded(senderName: string, senderWorks: boolean, now: number): Promise<void> {
    this.probing.delete(senderName);
    if (!senderWorks) return;
    await this.state.resumeSender(senderName, resumedWaiting(now));
    this.paused.delete(senderName);
  }
}
