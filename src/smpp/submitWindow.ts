/**
 * The submit side of one SMPP session: at most `window` submit_sm unanswered, the rest queued in order, paced by
 * SubmitPacer (submitPacer.ts). A throttled submit waits and goes again, first in line, while the bind slows
 * down; a submit whose deadline comes while it waits resolves without being written. Nothing is dropped silently:
 * `lost` = written but unanswered when the connection went (the SMSC may have accepted it), `unsent` = never written.
 */
import { COMMAND, ESME_RINVBNDSTS, ESME_RINVCMDID, ESME_ROK } from './commandCodes.js';
import type { PduHeader } from './pduFraming.js';
import type { RequestHandlers } from './pduDispatch.js';
import { SubmitPacer } from './submitPacer.js';

export type SubmitResult =
  | { kind: 'accepted'; messageId: string }
  /** Answered with an error status that is not throttling. */
  | { kind: 'rejected'; status: number }
  /** Still throttled when its deadline came: never accepted. */
  | { kind: 'throttled'; status: number }
  /** Written, but the connection went (or no answer came) before its response: the SMSC may have accepted it. */
  | { kind: 'lost'; reason: string }
  /** Never written. */
  | { kind: 'unsent'; reason: string };

/** Where submits are written: the bound connection's dispatch, as the session offers it. */
export interface SubmitLink {
  request(raw: Buffer, command: string, handlers: RequestHandlers): void;
}

export interface SubmitWindowOptions {
  /** submit_sm per second; 0 = unlimited. */
  rate: number;
  window: number;
  /** The connection to write to now, or undefined when submits cannot go (not bound). */
  link(): SubmitLink | undefined;
  /** Which error statuses mean "slow down" (the owner's table: ESME_RTHROTTLED, ESME_RMSGQFUL). */
  isThrottling(status: number): boolean;
  /** The SMSC answered ESME_RINVBNDSTS: it does not see the connection as bound. */
  onNotBound(): void;
}

interface QueuedSubmit {
  /** Enqueue order: a throttled submit goes back before later ones. */
  order: number;
  /** The encoded submit_sm with sequence number 0; copied and numbered when written. */
  pdu: Buffer;
  deadline: number;
  throttledStatus?: number;
  resolve(result: SubmitResult): void;
}

const now = (): number => performance.now();

export class SubmitWindow {
  /** Submits written on the current connection and not yet answered. */
  outstanding = 0;
  private readonly queue: QueuedSubmit[] = [];
  /** Throttled submits waiting to go again, in enqueue order; they go before `queue`. */
  private readonly retryQueue: QueuedSubmit[] = [];
  private nextOrder = 0;
  private readonly pacer: SubmitPacer;
  private pumpTimer: NodeJS.Timeout | undefined;
  private pumpAt = Infinity;

  constructor(private readonly options: SubmitWindowOptions) {
    this.pacer = new SubmitPacer(options.rate, options.window);
  }

  /** Submits waiting for the window, the pacer or a throttling pause. */
  get queued(): number {
    return this.queue.length + this.retryQueue.length;
  }

  /** Submits per second allowed now (Infinity = unlimited); below the configured rate after throttling. */
  get currentRate(): number {
    return this.pacer.currentRate;
  }

  /** Unanswered submits allowed now; below the configured window after throttling. */
  get currentWindow(): number {
    return this.pacer.window;
  }

  /** Queues one encoded submit_sm (sequence number 0); resolves once it has an outcome. */
  submit(pdu: Buffer, deadline: number): Promise<SubmitResult> {
    return new Promise<SubmitResult>((resolve) => {
      this.queue.push({ order: this.nextOrder++, pdu, deadline, resolve });
      this.pump();
    });
  }

  /** Writes what the window and the pacer allow now; call when either may have room (bound, answered, timer). */
  pump(): void {
    const link = this.options.link();
    if (!link) return;
    while (this.outstanding < this.pacer.window) {
      const fromRetry = this.retryQueue.length > 0;
      const item = fromRetry ? this.retryQueue[0] : this.queue[0];
      if (!item) return;
      const at = now();
      if (item.deadline <= at) {
        (fromRetry ? this.retryQueue : this.queue).shift();
        this.expire(item);
        continue;
      }
      const wait = this.pacer.waitMs(at);
      if (wait > 0) {
        this.schedulePump(wait);
        return;
      }
      (fromRetry ? this.retryQueue : this.queue).shift();
      this.pacer.take();
      this.outstanding += 1;
      link.request(Buffer.from(item.pdu), 'submit_sm', {
        onResponse: (raw, header) => this.onResponse(item, raw, header),
        onLost: (reason) => item.resolve({ kind: 'lost', reason }),
      });
    }
  }

  /** The connection went: its unanswered submits are lost (their dispatch says so), and its window is free. */
  connectionClosed(): void {
    this.outstanding = 0;
  }

  /** Queued submits resolve now: `throttled` if they were, else `unsent` with this reason. */
  failQueued(reason: string): void {
    for (const item of [...this.retryQueue.splice(0), ...this.queue.splice(0)]) {
      if (item.throttledStatus !== undefined) item.resolve({ kind: 'throttled', status: item.throttledStatus });
      else item.resolve({ kind: 'unsent', reason });
    }
  }

  /** Resolves the queued submits whose deadline has come (checked on the session's tick). */
  expireDue(at: number): void {
    for (const queue of [this.retryQueue, this.queue]) {
      if (!queue.some((item) => item.deadline <= at)) continue;
      const keep = queue.filter((item) => item.deadline > at);
      const expired = queue.filter((item) => item.deadline <= at);
      queue.splice(0, queue.length, ...keep);
      for (const item of expired) this.expire(item);
    }
  }

  stop(): void {
    clearTimeout(this.pumpTimer);
  }

  private onResponse(item: QueuedSubmit, raw: Buffer, header: PduHeader): void {
    this.outstanding -= 1;
    const status = header.commandId === COMMAND.generic_nack && header.commandStatus === ESME_ROK ? ESME_RINVCMDID : header.commandStatus;
    if (status === ESME_ROK) {
      this.pacer.accepted();
      item.resolve({ kind: 'accepted', messageId: readMessageId(raw) });
    } else if (this.options.isThrottling(status)) {
      const backoff = this.pacer.throttled(now());
      item.throttledStatus = status;
      if (now() + backoff < item.deadline) this.requeue(item);
      else item.resolve({ kind: 'throttled', status });
    } else {
      item.resolve({ kind: 'rejected', status });
      if (status === ESME_RINVBNDSTS) this.options.onNotBound();
    }
    this.pump();
  }

  private requeue(item: QueuedSubmit): void {
    let at = this.retryQueue.length;
    while (at > 0 && this.retryQueue[at - 1]!.order > item.order) at -= 1;
    this.retryQueue.splice(at, 0, item);
  }

  private expire(item: QueuedSubmit): void {
    if (item.throttledStatus !== undefined) item.resolve({ kind: 'throttled', status: item.throttledStatus });
    else item.resolve({ kind: 'unsent', reason: 'not sent before its deadline (window full, paced or not bound)' });
  }

  private schedulePump(waitMs: number): void {
    const at = now() + waitMs;
    if (this.pumpTimer && at >= this.pumpAt) return;
    clearTimeout(this.pumpTimer);
    this.pumpAt = at;
    this.pumpTimer = setTimeout(() => {
      this.pumpTimer = undefined;
      this.pumpAt = Infinity;
      this.pump();
    }, Math.max(1, Math.ceil(waitMs)));
  }
}

/** submit_sm_resp message_id: a C-octet string after the header (absent in an error response). */
function readMessageId(raw: Buffer): string {
  if (raw.length <= 16) return '';
  const zero = raw.indexOf(0, 16);
  return raw.toString('latin1', 16, zero < 0 ? raw.length : zero);
}
