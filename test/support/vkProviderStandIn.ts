/**
 * A VK-notifications aggregator stand-in for tests and benches: node:http on 127.0.0.1 (port 0), speaking the
 * provider profile (src/vk/providerProfile.ts).
 *
 *   const vk = await startVkProviderStandIn({ authValue: 'Bearer tok', callbackSecret: 'sec', callbackUrl });
 *   // POST {vk.baseUrl}/vk/messages {"messages":[{phone, service, text, routes:["VK"], validity, callbackUrl?, callbackData}]}
 *   //   → 200 {"messages":[{"id":"…","callbackData":"…"} | {"callbackData":"…","error":{"code","message"}}]}
 *   await vk.idle();                        // the scripted sent + delivered callbacks have been answered
 *   vk.sends[0].id, vk.requests, vk.batchSizes, vk.duplicates, vk.callbackAttempts
 *
 * Whole-request answers, in order: what the test queued (`failNextRequests`, `hangNext`); the auth header
 * (`authHeader`, default authorization, must equal `authValue`) → 401 `unauthorized`; the body (vkProviderBody.ts)
 * → 400 `invalid_request`. Otherwise 200 with one result per item in the request's order; per-item rules in
 * vkProviderRules.ts (service, dedupe by callbackData, `failFor`, group rate, daily limit).
 *
 * Callbacks (vkProviderCallbacks.ts): each accepted item's script posts `sent`, `delivered`, `read` (as far as
 * `script` says, `statusDelayMs` before each) to its callbackUrl, or the stand-in's. `inactive` / `notVkUser`
 * phones get `not_delivered` (reason inactive_user / not_vk_user) instead of delivered; a `delayDelivery` longer
 * than the validity gives `expired`. `emitStatus` posts what the test builds (`statusFor` helps); `idle()` waits.
 * The clock (`now` option, shifted by `advanceDays`) dates sends, limits and callback times; waits are real time.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { onReceived, type ReceivedRequest } from './receivedRequest.js';
import type { CallbackAnswer, CallbackAttempt } from './retryingPoster.js';
import { checkProviderBody } from './vkProviderBody.js';
import { ProviderCallbacks, scriptFor, type EmitOptions, type ProviderScript, type VkStatusEvent, type VkStatusName } from './vkProviderCallbacks.js';
import { ProviderRules, type ProviderRulesOptions } from './vkProviderRules.js';

export type { CallbackAnswer, CallbackAttempt } from './retryingPoster.js';
export type { EmitOptions, ProviderScript, VkStatusEvent, VkStatusName } from './vkProviderCallbacks.js';
export { providerSignature } from './vkProviderCallbacks.js';

export interface VkProviderStandInOptions extends ProviderRulesOptions {
  /** The auth header's name. Default 'authorization'. */
  authHeader?: string;
  /** Its expected value. Default 'Bearer tok'. */
  authValue?: string;
  /** Signs callbacks (X-Signature). Default 'callback-secret'. */
  callbackSecret?: string;
  /** Where callbacks go for items without callbackUrl; may be set later with `setCallbackUrl`. */
  callbackUrl?: string;
  /** Default 'delivered' (sent, then delivered). */
  script?: ProviderScript;
  /** Wait before each scripted status, ms. Default 0. */
  statusDelayMs?: number;
  /** Post arrays of events (those falling due together) instead of one object per POST. */
  batchCallbacks?: boolean;
  /** Retry delays for callbacks not answered 2xx; false for none. Default [50, 100, 200] ms. */
  retryDelaysMs?: number[] | false;
  /** Per callback POST. Default 5000 ms. */
  callbackTimeoutMs?: number;
  /** The stand-in's clock. Default Date.now. */
  now?: () => number;
}

/** A request, with the stand-in's answer. */
export interface ProviderRecordedRequest extends ReceivedRequest {
  /** The HTTP status answered ('hang' while held, until close). */
  status: number | 'hang';
  response: unknown;
}

export interface ProviderSend {
  id: string;
  phone: string;
  service: string;
  /** Null for a template item. */
  text: string | null;
  templateId: string | null;
  templateData: Record<string, unknown> | null;
  validity: number;
  callbackUrl: string | null;
  callbackData: string;
  /** The stand-in's clock when accepted. */
  at: number;
}

type Held = { kind: 'hang' } | { kind: 'fail'; status: number; body: string | object };

const DAY_MS = 86_400_000;

export class VkProviderStandIn {
  /** Every HTTP request to the stand-in, in arrival order. */
  readonly requests: ProviderRecordedRequest[] = [];
  /** Every accepted item, in order (a deduplicated repeat is not added again). */
  readonly sends: ProviderSend[] = [];
  /** Items per well-formed, authorized request. */
  readonly batchSizes: number[] = [];
  /** Items answered with the id of an earlier item of the same callbackData. */
  duplicates = 0;
  baseUrl = '';
  private readonly server: http.Server;
  private readonly rules: ProviderRules;
  private readonly callbacks: ProviderCallbacks;
  private readonly held: Held[] = [];
  private readonly hung = new Set<http.ServerResponse>();
  private readonly undelivered = new Map<string, string>();
  private readonly deliveryDelays = new Map<string, number>();
  private offsetMs = 0;

  constructor(private readonly options: VkProviderStandInOptions = {}) {
    this.rules = new ProviderRules(options);
    this.callbacks = new ProviderCallbacks({
      secret: options.callbackSecret ?? 'callback-secret',
      callbackUrl: options.callbackUrl,
      batch: options.batchCallbacks,
      retryDelaysMs: options.retryDelaysMs,
      timeoutMs: options.callbackTimeoutMs,
      now: () => this.now(),
    });
    this.server = http.createServer((req, res) => onReceived(req, (received) => this.receive(received, res)));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The stand-in's clock. */
  now(): number {
    return (this.options.now ?? Date.now)() + this.offsetMs;
  }

  /** Moves the stand-in's clock forward (daily limits, callback times). */
  advanceDays(days: number): void {
    this.offsetMs += days * DAY_MS;
  }

  // ---- scripting -------------------------------------------------------------------------------------------

  setCallbackUrl(url: string | undefined): void {
    this.callbacks.callbackUrl = url;
  }

  /** The next `count` POSTs get this status and body (an object as JSON, a string verbatim), before any check. */
  failNextRequests(count: number, status: number, body?: string | object): void {
    const fallback = { error: { code: status === 429 ? 'rate_limited' : 'internal_error', message: `Stand-in answer ${status}` } };
    for (let i = 0; i < count; i++) this.held.push({ kind: 'fail', status, body: body ?? fallback });
  }

  /** The next `count` POSTs are never answered (until `releaseHung` or `close`). */
  hangNext(count = 1): void {
    for (let i = 0; i < count; i++) this.held.push({ kind: 'hang' });
  }

  /** Cuts the connections of hung requests (the client sees a reset). */
  releaseHung(): void {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  /** Every item for this phone gets the error `code` (e.g. not_vk_user, daily_limit, blocked) until cleared. */
  failFor(phone: string, code: string, message?: string): void {
    this.rules.failFor(phone, code, message);
  }

  clearFailFor(phone?: string): void {
    this.rules.clearFailFor(phone);
  }

  /** Accepted, then `not_delivered` with reason `inactive_user`. */
  inactive(phone: string): void {
    this.undelivered.set(phone, 'inactive_user');
  }

  /** Accepted, then `not_delivered` with reason `not_vk_user`. */
  notVkUser(phone: string): void {
    this.undelivered.set(phone, 'not_vk_user');
  }

  /** `delivered` comes `ms` later than the script's delay; longer than the item's validity → `expired`. */
  delayDelivery(phone: string, ms: number): void {
    this.deliveryDelays.set(phone, ms);
  }

  // ---- callbacks -------------------------------------------------------------------------------------------

  /** A status event for an accepted item (id and callbackData filled in, time now). */
  statusFor(id: string, status: VkStatusName | string, reason?: string): VkStatusEvent {
    const send = this.sends.find((s) => s.id === id);
    if (!send) throw new Error(`VK provider stand-in: no accepted item ${id}`);
    return this.callbacks.event(id, send.callbackData, status, reason);
  }

  /** Posts an event (object body) or events (array body); resolves with the gateway's first answer. */
  emitStatus(events: VkStatusEvent | VkStatusEvent[], options: EmitOptions = {}): Promise<CallbackAnswer> {
    return this.callbacks.emit(events, options);
  }

  /** Every callback POST attempt (first tries and retries) with the gateway's answer. */
  get callbackAttempts(): readonly CallbackAttempt[] {
    return this.callbacks.sender.attempts;
  }

  /** Resolves when no scripted or emitted callback, nor a retry, is pending. */
  idle(): Promise<void> {
    return this.callbacks.sender.idle();
  }

  async close(): Promise<void> {
    this.callbacks.sender.close();
    this.releaseHung();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP ------------------------------------------------------------------------------------------------

  private receive(received: ReceivedRequest, res: http.ServerResponse): void {
    const record: ProviderRecordedRequest = { ...received, status: 'hang', response: undefined };
    this.requests.push(record);
    const path = new URL(record.path, 'http://stand-in').pathname.replace(/\/$/, '');
    if (record.method !== 'POST' || path !== '/vk/messages') {
      return this.answer(record, res, 404, { error: { code: 'not_found', message: `No route ${record.method} ${path}` } });
    }
    const held = this.held.shift();
    if (held?.kind === 'hang') return void this.hung.add(res);
    if (held) return this.answer(record, res, held.status, held.body);
    const auth = record.headers[(this.options.authHeader ?? 'authorization').toLowerCase()];
    if (auth !== (this.options.authValue ?? 'Bearer tok')) {
      return this.answer(record, res, 401, { error: { code: 'unauthorized', message: auth === undefined ? 'Missing credentials' : 'Invalid credentials' } });
    }
    const checked = checkProviderBody(record.body);
    if (!checked.ok) return this.answer(record, res, 400, { error: { code: 'invalid_request', message: checked.message } });
    this.batchSizes.push(checked.items.length);
    const accepted: ProviderSend[] = [];
    const results = checked.items.map((item) => {
      const now = this.now();
      const verdict = this.rules.verdict(item, now);
      if (verdict.kind === 'error') return { callbackData: item.callbackData, error: verdict.error };
      if (verdict.kind === 'duplicate') {
        this.duplicates++;
        return { id: verdict.id, callbackData: item.callbackData };
      }
      const { routes: _routes, ...fields } = item;
      const send: ProviderSend = { id: randomUUID(), ...fields, at: now };
      this.rules.accept(item, send.id, now);
      this.sends.push(send);
      accepted.push(send);
      return { id: send.id, callbackData: item.callbackData };
    });
    this.answer(record, res, 200, { messages: results });
    for (const send of accepted) this.script(send);
  }

  private script(send: ProviderSend): void {
    const steps = scriptFor(this.options.script ?? 'delivered', {
      validitySeconds: send.validity,
      delayMs: this.options.statusDelayMs ?? 0,
      deliverAfterMs: this.deliveryDelays.get(send.phone) ?? 0,
      notDeliveredReason: this.undelivered.get(send.phone),
    });
    this.callbacks.run({ id: send.id, callbackData: send.callbackData, url: send.callbackUrl }, steps);
  }

  private answer(record: ProviderRecordedRequest, res: http.ServerResponse, status: number, body: string | object): void {
    record.status = status;
    record.response = body;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8' }).end(text);
  }
}

export async function startVkProviderStandIn(options: VkProviderStandInOptions = {}): Promise<VkProviderStandIn> {
  return new VkProviderStandIn(options).listen();
}
