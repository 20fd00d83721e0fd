/**
 * The VK-notifications provider stand-in's status callbacks (vkProviderStandIn.ts): builds, signs and posts them.
 *
 * Body: one JSON object `{"id","callbackData","status","reason"?,"time"}` (time: ISO 8601 UTC with milliseconds),
 * or with `batch: true` an array of them — the events that fall due together for one URL go in one POST.
 * Headers: `Content-Type: application/json`, `X-Signature: <lowercase hex HMAC-SHA256(secret, exact raw body)>`.
 * An answer other than 2xx (or no answer) is retried after each of `retryDelaysMs` (default [50, 100, 200]).
 *
 * A script is the list of statuses one accepted item gets, each after a wait; `scriptFor` works it out.
 */
import { createHmac } from 'node:crypto';
import { sleep, RetryingPoster, type CallbackAnswer } from './retryingPoster.js';

/** How long the events of one URL are gathered into one POST (`batch`). */
const BATCH_GATHER_MS = 25;

export type VkStatusName = 'sent' | 'delivered' | 'read' | 'not_delivered' | 'expired';

export interface VkStatusEvent {
  id: string;
  callbackData: string;
  status: VkStatusName | string;
  reason?: string;
  time: string;
}

/** How far the automatic status script goes after an accepted item. */
export type ProviderScript = 'none' | 'sent' | 'delivered' | 'read';

export interface EmitOptions {
  /** Sign with this secret instead of the stand-in's. */
  secret?: string;
  /** Post exactly these bytes (signed as they are unless `signature` says otherwise). */
  rawBody?: string;
  /** undefined: the right signature; null: no header; a string: this header value verbatim. */
  signature?: string | null;
  /** Post here instead of the stand-in's callbackUrl. */
  url?: string;
  /** Retry when not answered 2xx (default: the stand-in's setting). */
  retry?: boolean;
}

export interface ScriptStep {
  waitMs: number;
  status: VkStatusName;
  reason?: string;
}

export interface ProviderCallbacksOptions {
  secret: string;
  batch?: boolean;
  retryDelaysMs?: number[] | false;
  timeoutMs?: number;
  /** The stand-in's clock, for `time`. */
  now: () => number;
}

export function providerSignature(secret: string, raw: string | Buffer): string {
  return createHmac('sha256', secret).update(raw).digest('hex');
}

/**
 * The statuses of one accepted item: `sent`, then `delivered` (or `not_delivered` with `notDeliveredReason`, or
 * `expired` when the delivery delay outlasts the validity), then `read` — as far as `script` goes, `delayMs` before
 * each and `deliverAfterMs` more before the delivered slot. An expired item is not waited out in real time: its
 * `expired` comes `delayMs` after `sent`.
 */
export function scriptFor(
  script: ProviderScript,
  item: { validitySeconds: number; delayMs: number; deliverAfterMs: number; notDeliveredReason?: string },
): ScriptStep[] {
  const depth = ['none', 'sent', 'delivered', 'read'].indexOf(script);
  const steps: ScriptStep[] = [];
  if (depth >= 1) steps.push({ waitMs: item.delayMs, status: 'sent' });
  if (depth < 2) return steps;
  if (item.notDeliveredReason) return [...steps, { waitMs: item.delayMs, status: 'not_delivered', reason: item.notDeliveredReason }];
  if (2 * item.delayMs + item.deliverAfterMs > item.validitySeconds * 1000) return [...steps, { waitMs: item.delayMs, status: 'expired' }];
  steps.push({ waitMs: item.delayMs + item.deliverAfterMs, status: 'delivered' });
  if (depth >= 3) steps.push({ waitMs: item.delayMs, status: 'read' });
  return steps;
}

export class ProviderCallbacks {
  readonly sender: RetryingPoster;
  callbackUrl: string | undefined;
  private readonly batches = new Map<string, { events: VkStatusEvent[]; answer: Promise<CallbackAnswer> }>();

  constructor(private readonly options: ProviderCallbacksOptions & { callbackUrl?: string }) {
    this.callbackUrl = options.callbackUrl;
    this.sender = new RetryingPoster({
      accepted: (a) => typeof a.status === 'number' && a.status >= 200 && a.status < 300,
      retryDelaysMs: options.retryDelaysMs,
      timeoutMs: options.timeoutMs,
    });
  }

  event(id: string, callbackData: string, status: VkStatusName | string, reason?: string): VkStatusEvent {
    return { id, callbackData, status, ...(reason === undefined ? {} : { reason }), time: new Date(this.options.now()).toISOString() };
  }

  /** Posts one event (an object body) or several (an array body), as the test built them. */
  emit(events: VkStatusEvent | VkStatusEvent[], options: EmitOptions = {}): Promise<CallbackAnswer> {
    const url = options.url ?? this.callbackUrl;
    if (!url) return Promise.reject(new Error('VK provider stand-in: no callbackUrl set'));
    const raw = options.rawBody ?? JSON.stringify(events);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const signature = options.signature === undefined ? providerSignature(options.secret ?? this.options.secret, raw) : options.signature;
    if (signature !== null) headers['x-signature'] = signature;
    return this.sender.send(url, raw, headers, { retry: options.retry });
  }

  /** Runs an item's script in the background (counted by `idle()`). `url` null: the stand-in's callbackUrl. */
  run(item: { id: string; callbackData: string; url: string | null }, steps: ScriptStep[]): void {
    if (steps.length === 0) return;
    void this.sender.track(
      (async () => {
        for (const step of steps) {
          await sleep(step.waitMs);
          const url = item.url ?? this.callbackUrl;
          if (this.sender.isClosed || !url) return;
          await this.scripted(url, this.event(item.id, item.callbackData, step.status, step.reason));
        }
      })(),
    );
  }

  private scripted(url: string, event: VkStatusEvent): Promise<CallbackAnswer> {
    if (!this.options.batch) return this.emit(event, { url });
    const open = this.batches.get(url);
    if (open) {
      open.events.push(event);
      return open.answer;
    }
    const events = [event];
    // A short window, not the next turn of the loop: on a loaded machine the steps that fall due together may reach
    // here a few milliseconds apart.
    const answer = new Promise<CallbackAnswer>((resolve) =>
      setTimeout(() => {
        this.batches.delete(url);
        resolve(this.emit(events, { url }));
      }, BATCH_GATHER_MS),
    );
    this.batches.set(url, { events, answer });
    return answer;
  }
}
