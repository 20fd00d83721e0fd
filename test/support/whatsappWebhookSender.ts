/**
 * The WhatsApp stand-in's webhook side: signs and POSTs webhook bodies to the gateway as Meta does, retries
 * what was not answered 200, keeps a log of every attempt, and performs Meta's subscription check.
 *
 * As Meta: `Content-Type: application/json`, `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, the exact
 * body bytes)>`; the body is compact JSON with every non-ASCII character written as a \uXXXX escape (Meta signs
 * "an escaped unicode version of the payload"), so a receiver that re-serialises the parsed JSON gets other bytes
 * and a signature that does not verify. Meta retries a delivery that did not get 200 with decreasing frequency
 * for up to 7 days; here the schedule is short (default 3 retries after 50, 100 and 200 ms).
 */
import { createHmac, randomInt } from 'node:crypto';

export interface WebhookAttempt {
  /** The delivery's number (one per emitted body, shared by its retries). */
  delivery: number;
  /** 1 for the first POST, 2 for the first retry… */
  attempt: number;
  url: string;
  raw: string;
  /** The X-Hub-Signature-256 sent, null when none was. */
  signature: string | null;
  /** The gateway's status, or 'error' when the request failed (refused, reset, timed out). */
  status: number | 'error';
  responseBody: string;
  /** Date.now() when the answer (or the failure) came. */
  at: number;
}

export interface WebhookAnswer {
  status: number | 'error';
  body: string;
}

export interface SendOptions {
  /** undefined: the right signature; null: no header; a string: this header value verbatim. */
  signature?: string | null;
  /** Retry when not answered 200 (default: the sender's setting). */
  retry?: boolean;
}

export interface WebhookSenderOptions {
  appSecret: string;
  webhookUrl?: string;
  /** Delays before each retry, ms; false for none. Default [50, 100, 200]. */
  retryDelaysMs?: number[] | false;
  /** Per POST. Default 5000 ms. */
  timeoutMs?: number;
}

/** Meta's body bytes: compact JSON, non-ASCII as \uXXXX (surrogate pairs for astral characters). */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

export function signatureOf(appSecret: string, raw: string | Buffer): string {
  return 'sha256=' + createHmac('sha256', appSecret).update(raw).digest('hex');
}

export class WhatsAppWebhookSender {
  /** Every POST attempt, in the order their answers came. */
  readonly attempts: WebhookAttempt[] = [];
  webhookUrl: string | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  private idleWaiters: Array<() => void> = [];
  private deliveries = 0;
  private closed = false;
  private readonly aborts = new Set<AbortController>();

  constructor(private readonly options: WebhookSenderOptions) {
    this.webhookUrl = options.webhookUrl;
  }

  /**
   * POSTs `raw` and resolves with the first attempt's answer; retries (when on) go on in the background and are
   * awaited by `idle()`.
   */
  send(raw: string, options: SendOptions = {}): Promise<WebhookAnswer> {
    const url = this.webhookUrl;
    if (!url) return Promise.reject(new Error('WhatsApp stand-in: no webhookUrl set'));
    const delivery = ++this.deliveries;
    const signature = options.signature === undefined ? signatureOf(this.options.appSecret, raw) : options.signature;
    const delays = options.retry === false || this.options.retryDelaysMs === false ? [] : (this.options.retryDelaysMs ?? [50, 100, 200]);
    let first!: (answer: WebhookAnswer) => void;
    const firstAnswer = new Promise<WebhookAnswer>((resolve) => (first = resolve));
    this.track(
      (async () => {
        for (let attempt = 1; ; attempt++) {
          const answer = await this.post(url, raw, signature, delivery, attempt);
          if (attempt === 1) first(answer);
          const wait = delays[attempt - 1];
          if (answer.status === 200 || wait === undefined || this.closed) return;
          await sleep(wait);
          if (this.closed) return;
        }
      })(),
    );
    return firstAnswer;
  }

  /**
   * Meta's verification request: GET webhookUrl?hub.mode=subscribe&hub.verify_token=…&hub.challenge=<random>.
   * The gateway should answer 200 with exactly the challenge.
   */
  async verifySubscription(verifyToken: string, mode = 'subscribe'): Promise<{ status: number; body: string; challenge: string }> {
    if (!this.webhookUrl) throw new Error('WhatsApp stand-in: no webhookUrl set');
    const challenge = String(randomInt(1, 2 ** 31 - 1));
    const url = new URL(this.webhookUrl);
    url.searchParams.set('hub.mode', mode);
    url.searchParams.set('hub.verify_token', verifyToken);
    url.searchParams.set('hub.challenge', challenge);
    const response = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000) });
    return { status: response.status, body: await response.text(), challenge };
  }

  /** Resolves when no webhook (nor a retry, nor anything registered with `track`) is pending. */
  idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Counts `work` as pending for `idle()` (the stand-in's scheduled status scripts use it too). */
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

  private async post(url: string, raw: string, signature: string | null, delivery: number, attempt: number): Promise<WebhookAnswer> {
    const controller = new AbortController();
    this.aborts.add(controller);
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs ?? 5000);
    let answer: WebhookAnswer;
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (signature !== null) headers['x-hub-signature-256'] = signature;
      const response = await fetch(url, { method: 'POST', headers, body: raw, signal: controller.signal });
      answer = { status: response.status, body: await response.text() };
    } catch (error) {
      answer = { status: 'error', body: String(error) };
    } finally {
      clearTimeout(timer);
      this.aborts.delete(controller);
    }
    this.attempts.push({ delivery, attempt, url, raw, signature, status: answer.status, responseBody: answer.body, at: Date.now() });
    return answer;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
