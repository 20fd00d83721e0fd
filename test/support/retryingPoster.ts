/**
 * The webhook side the platform stand-ins share (WhatsApp's, the VK provider's and VK's Callback API): POSTs a body to
 * the gateway, retries what was not accepted (Meta: anything but 200; the provider: any non-2xx; VK's Callback API:
 * anything but 200 `ok`), keeps a log of every attempt, and counts all of it — and whatever else is registered with
 * `track` — for `idle()`.
 *
 *   const poster = new RetryingPoster({ accepted: (a) => a.status === 200 && a.body === 'ok' });
 *   const first = await poster.send(url, raw, { 'content-type': 'application/json' });  // retries go on behind
 *   await poster.idle();
 */

export interface CallbackAttempt {
  /** The delivery's number (one per emitted body, shared by its retries). */
  delivery: number;
  /** 1 for the first POST, 2 for the first retry… */
  attempt: number;
  url: string;
  raw: string;
  /** The headers sent (lower-case names). */
  headers: Record<string, string>;
  /** The gateway's status, or 'error' when the request failed (refused, reset, timed out). */
  status: number | 'error';
  responseBody: string;
  /** Date.now() when the answer (or the failure) came. */
  at: number;
}

export interface CallbackAnswer {
  status: number | 'error';
  body: string;
}

export interface CallbackSenderOptions {
  /** Whether an answer ends the delivery; otherwise it is retried while delays remain. */
  accepted: (answer: CallbackAnswer) => boolean;
  /** Delays before each retry, ms; false for none. Default [50, 100, 200]. */
  retryDelaysMs?: number[] | false;
  /** Per POST. Default 5000 ms. */
  timeoutMs?: number;
}

export class RetryingPoster {
  /** Every POST attempt, in the order their answers came. */
  readonly attempts: CallbackAttempt[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private idleWaiters: Array<() => void> = [];
  private deliveries = 0;
  private closed = false;
  private readonly aborts = new Set<AbortController>();

  constructor(private readonly options: CallbackSenderOptions) {}

  /** POSTs `raw`; resolves with the first attempt's answer while retries (when on) go on, awaited by `idle()`. */
  send(url: string, raw: string, headers: Record<string, string>, options: { retry?: boolean } = {}): Promise<CallbackAnswer> {
    const delivery = ++this.deliveries;
    const delays = options.retry === false || this.options.retryDelaysMs === false ? [] : (this.options.retryDelaysMs ?? [50, 100, 200]);
    let first!: (answer: CallbackAnswer) => void;
    const firstAnswer = new Promise<CallbackAnswer>((resolve) => (first = resolve));
    void this.track(
      (async () => {
        for (let attempt = 1; ; attempt++) {
          const answer = await this.post(url, raw, headers, delivery, attempt);
          if (attempt === 1) first(answer);
          const wait = delays[attempt - 1];
          if (this.options.accepted(answer) || wait === undefined || this.closed) return;
          await sleep(wait);
          if (this.closed) return;
        }
      })(),
    );
    return firstAnswer;
  }

  /** Resolves when nothing sent or registered with `track` is pending. */
  idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Counts `work` as pending for `idle()` (the stand-ins' status scripts use it). */
  track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const done = (): void => {
      this.pending.delete(work);
      if (this.pending.size > 0) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    };
    work.then(done, done);
    return work;
  }

  /** Stops retrying and aborts what is in flight. */
  close(): void {
    this.closed = true;
    for (const controller of this.aborts) controller.abort();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async post(url: string, raw: string, headers: Record<string, string>, delivery: number, attempt: number): Promise<CallbackAnswer> {
    const controller = new AbortController();
    this.aborts.add(controller);
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs ?? 5000);
    let answer: CallbackAnswer;
    try {
      const response = await fetch(url, { method: 'POST', headers, body: raw, signal: controller.signal });
      answer = { status: response.status, body: await response.text() };
    } catch (error) {
      answer = { status: 'error', body: String(error) };
    } finally {
      clearTimeout(timer);
      this.aborts.delete(controller);
    }
    this.attempts.push({ delivery, attempt, url, raw, headers, status: answer.status, responseBody: answer.body, at: Date.now() });
    return answer;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
