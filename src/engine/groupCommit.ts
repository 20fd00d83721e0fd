import type { ReportEnvelope } from '../store/store.js';

/** A claimed message given back, due again later (a schedule window, a throttled carrier). */
export interface Wait {
  uuid: string;
  dueAt: number;
  note: string;
}

export interface GroupCommitOptions {
  /** How long the first outcome of a group may wait for others before the group is written. */
  lingerMs: number;
  /** A group this large is written at once. */
  maxGroup: number;
  /** The carrier events that arrived meanwhile; they are written after the group's outcomes. */
  takeEvents(): ReportEnvelope[];
  /** Writes one group: the waits, then the reports, in order. */
  write(reports: ReportEnvelope[], waits: Wait[]): Promise<void>;
  onBackgroundFailure(error: unknown): void;
}

/**
 * The outcomes of one engine round, written in groups as they arrive (group commit) rather than all at once when
 * the round's last hand-off answers: one slow hand-off (an SMSC that dropped the connection keeps its message up to
 * responseTimeoutMs) must not hold back the outcomes of the others, nor the receipts that follow them. An answered
 * hand-off is on record within `lingerMs` plus one write, and from then on a crash cannot hand it off again.
 *
 * A round whose hand-offs all answer within `lingerMs` is still written in one transaction, as before; a slower one
 * is written every `lingerMs` at most. One write at a time, in arrival order; a failed write keeps its group at the
 * front for the next one, and `finish` hands back what could not be written.
 */
export class GroupCommit {
  private reports: ReportEnvelope[] = [];
  private waits: Wait[] = [];
  private timer: NodeJS.Timeout | undefined;
  private tail: Promise<void> = Promise.resolve();
  private written = 0;
  /** A write is queued that has not taken its group yet: it will take what arrives until it starts. */
  private writeQueued = false;
  private finished = false;

  constructor(private readonly options: GroupCommitOptions) {}

  report(envelope: ReportEnvelope): void {
    this.reports.push(envelope);
    this.arrived();
  }

  wait(wait: Wait): void {
    this.waits.push(wait);
    this.arrived();
  }

  /**
   * Something is waiting to be written (an outcome, or a carrier event outside this object): starts the linger.
   * `outside`: how many such events wait now. False once the round is finishing: what arrives then waits for the next round.
   */
  arrived(outside = 0): boolean {
    if (this.finished) return false;
    if (this.reports.length + this.waits.length + outside >= this.options.maxGroup) this.writeSoon();
    else this.timer ??= setTimeout(() => this.writeSoon(), this.options.lingerMs);
    return true;
  }

  /** Writes everything that is waiting, after any write in progress; returns how many outcomes were written in all. */
  async finish(): Promise<number> {
    this.finished = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.enqueue();
    return this.written;
  }

  /** What was not written (after a failure): given back to be tried again in the next round. */
  takeUnwritten(): ReportEnvelope[] {
    this.finished = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.reports.splice(0);
  }

  private writeSoon(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writeQueued) return;
    this.enqueue().catch((error: unknown) => this.options.onBackgroundFailure(error));
  }

  /** The group is taken when its turn comes, not when it is queued: whatever arrived meanwhile goes with it. */
  private enqueue(): Promise<void> {
    this.writeQueued = true;
    const turn = this.tail.then(() => this.writeGroup());
    // The next write waits for this one to end, failed or not; the failure goes to this one's caller.
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private async writeGroup(): Promise<void> {
    this.writeQueued = false;
    this.reports.push(...this.options.takeEvents());
    if (this.reports.length === 0 && this.waits.length === 0) return;
    const reports = this.reports.splice(0);
    const waits = this.waits.splice(0);
    try {
      await this.options.write(reports, waits);
    } catch (error) {
      // Kept, in order, before what arrived during the write.
      this.reports.unshift(...reports);
      this.waits.unshift(...waits);
      throw error;
    }
    this.written += reports.length + waits.length;
  }
}
