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
import { RetryingPoster, type CallbackAnswer as WebhookAnswer, type CallbackAttempt } from './retryingPoster.js';

/** A POST attempt, with the X-Hub-Signature-256 it carried (null when none). */
export type WebhookAttempt = Omit<CallbackAttempt, 'headers'> & { signature: string | null };

export type { WebhookAnswer };

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
  webhookUrl: string | undefined;
  // Meta retries whatever was not answered 200.
  private readonly poster: RetryingPoster;

  constructor(private readonly options: WebhookSenderOptions) {
    this.webhookUrl = options.webhookUrl;
    this.poster = new RetryingPoster({
      accepted: (answer) => answer.status === 200,
      ...(options.retryDelaysMs === undefined ? {} : { retryDelaysMs: options.retryDelaysMs }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  /** Every POST attempt, in the order their answers came. */
  get attempts(): WebhookAttempt[] {
    return this.poster.attempts.map(({ headers, ...attempt }) => ({ ...attempt, signature: headers['x-hub-signature-256'] ?? null }));
  }

  /**
   * POSTs `raw` and resolves with the first attempt's answer; retries (when on) go on in the background and are
   * awaited by `idle()`.
   */
  send(raw: string, options: SendOptions = {}): Promise<WebhookAnswer> {
    const url = this.webhookUrl;
    if (!url) return Promise.reject(new Error('WhatsApp stand-in: no webhookUrl set'));
    const signature = options.signature === undefined ? signatureOf(this.options.appSecret, raw) : options.signature;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    return this.poster.send(url, raw, headers, options.retry === undefined ? {} : { retry: options.retry });
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
    return this.poster.idle();
  }

  /** Counts `work` as pending for `idle()` (the stand-in's scheduled status scripts use it too). */
  track<T>(work: Promise<T>): Promise<T> {
    return this.poster.track(work);
  }

  /** Stops retrying and aborts what is in flight. */
  close(): void {
    this.poster.close();
  }

  get isClosed(): boolean {
    return this.poster.isClosed;
  }
}

export { sleep } from './retryingPoster.js';
