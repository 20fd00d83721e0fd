/**
 * A WhatsApp Business Cloud API stand-in for tests and benches: node:http on 127.0.0.1 (port 0), speaking
 * Meta's Graph API shapes. The gateway's graph base is `baseUrl`; any `v<major>.<minor>` version segment works.
 *
 *   const wa = await startWhatsAppStandIn({ accessToken: 'tok', appSecret: 'sec', webhookUrl,
 *     phoneNumbers: [{ phoneNumberId: '1001', displayPhoneNumber: '15550001111', wabaId: '2001' }] });
 *   // POST {wa.baseUrl}/v21.0/1001/messages → 200 {"messaging_product":"whatsapp","contacts":[…],"messages":[{"id":"wamid.…"}]}
 *   await wa.idle();                        // the automatic sent + delivered webhooks have been answered
 *   wa.sends[0].waId, wa.requests, wa.webhookAttempts
 *
 * Routes:
 * - POST /{version}/{phone-number-id}/messages — text and template messages, checked as Meta does
 *   (whatsappSendBody.ts); the answer carries `message_status: "accepted"` for a template only, as Meta's
 *   reference shows ("only included if sending a template").
 * - GET /{version}/{waba-id}/message_templates?limit=&after=&before=&fields= — cursor paging.
 * The bearer token (Authorization header or `access_token` query parameter) is checked first: wrong or missing →
 * 401, code 190. An id that is not a configured number / WABA → 400, code 100, subcode 33 ("Unsupported post
 * request…"). Other paths → 400, code 2500 ("Unknown path components").
 *
 * Checks of a send, in order: hang / raw answers queued by the test; the token; the phone number id; the body;
 * `failNext`; `failFor` the recipient; throughput (accepted sends of this number in the last second ≥
 * throughputPerSecond → 130429); pair rate (the last accepted send from this number to this wa_id less than
 * pairIntervalMs ago → 131056). Rejected sends count for neither limit.
 *
 * Webhooks (whatsappWebhookSender.ts, whatsappWebhookBodies.ts): after an accepted send the status script posts
 * `sent`, then `delivered`, then `read` (as far as `statusScript` says; one POST each, `statusDelayMs` before each);
 * an async failure posts one `failed` status instead. `emitStatuses`, `emitInbound`, `emitRaw` post what the test
 * builds; each resolves with the gateway's first answer while retries go on; `idle()` waits for all of it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { onReceived, type ReceivedRequest } from './receivedRequest.js';
import { httpStatusFor, fbtraceId, invalidToken, unsupportedRequest, whatsappError, type GraphErrorBody } from './whatsappGraphErrors.js';
import { checkSendBody, type AcceptedSend, type StandInTemplate } from './whatsappSendBody.js';
import {
  buildStatus,
  inboundTextValue,
  newConversationId,
  newWamid,
  webhookEnvelope,
  type InboundOptions,
  type StatusName,
  type StatusOptions,
  type WebhookStatus,
  type WhatsAppPhoneNumber,
} from './whatsappWebhookBodies.js';
import { metaJson, sleep, WhatsAppWebhookSender, type SendOptions, type WebhookAnswer, type WebhookAttempt } from './whatsappWebhookSender.js';
import { WhatsAppSendRules, type FailOptions, type FailRule } from './whatsappSendRules.js';
import { templatePage } from './whatsappTemplatePages.js';

export type { StandInTemplate } from './whatsappSendBody.js';
export type { WebhookStatus, WhatsAppPhoneNumber, StatusOptions, InboundOptions, PricingType } from './whatsappWebhookBodies.js';
export type { WebhookAttempt, WebhookAnswer } from './whatsappWebhookSender.js';
export type { FailOptions } from './whatsappSendRules.js';
export { metaJson, signatureOf } from './whatsappWebhookSender.js';

/** How far the automatic status script goes after an accepted send. */
export type StatusScript = 'none' | 'sent' | 'delivered' | 'read';

export interface WhatsAppStandInOptions {
  /** The expected `Authorization: Bearer …`. */
  accessToken: string;
  /** Signs webhooks (X-Hub-Signature-256). */
  appSecret: string;
  /** Where webhooks go; may be set later with `setWebhookUrl`. */
  webhookUrl?: string;
  phoneNumbers: WhatsAppPhoneNumber[];
  /** Templates per WABA id; changed at run time with `setTemplates` or by editing `templatesOf(wabaId)`. */
  templates?: Record<string, StandInTemplate[]>;
  /** Accepted sends per phone number per second; more → 130429. Default: no limit. */
  throughputPerSecond?: number;
  /** Minimum time between two accepted sends from one number to one recipient; sooner → 131056. Default: none. */
  pairIntervalMs?: number;
  /** Default 'delivered' (sent, then delivered). */
  statusScript?: StatusScript;
  /** Wait before each scripted status, ms. Default 0. */
  statusDelayMs?: number;
  /** Options for every scripted status (e.g. `{ conversation: false }` as v24.0+). */
  statusOptions?: Omit<StatusOptions, 'timestamp' | 'errorCode' | 'errorDetails'>;
  /** Retry delays for webhooks not answered 200; false for none. Default [50, 100, 200] ms. */
  webhookRetryDelaysMs?: number[] | false;
  /** Per webhook POST. Default 5000 ms. */
  webhookTimeoutMs?: number;
}

/** A request, with the stand-in's answer. */
export interface RecordedRequest extends ReceivedRequest {
  /** The HTTP status answered ('hang' while held, until close). */
  status: number | 'hang';
  response: unknown;
}

export interface SentMessage extends AcceptedSend {
  wamid: string;
  phoneNumberId: string;
  conversationId: string;
  acceptedAt: number;
}

type HeldAnswer = { kind: 'hang' } | { kind: 'raw'; status: number; body: string; contentType: string };

export class WhatsAppStandIn {
  /** Every HTTP request to the stand-in, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** Every accepted send, in order. */
  readonly sends: SentMessage[] = [];
  baseUrl = '';
  private readonly server: http.Server;
  private readonly webhooks: WhatsAppWebhookSender;
  private readonly templates = new Map<string, StandInTemplate[]>();
  private readonly rules: WhatsAppSendRules;
  private readonly heldAnswers: HeldAnswer[] = [];
  private readonly hung = new Set<http.ServerResponse>();
  private readonly conversations = new Map<string, string>();

  constructor(private readonly options: WhatsAppStandInOptions) {
    for (const [wabaId, list] of Object.entries(options.templates ?? {})) this.templates.set(wabaId, [...list]);
    this.webhooks = new WhatsAppWebhookSender({
      appSecret: options.appSecret,
      webhookUrl: options.webhookUrl,
      retryDelaysMs: options.webhookRetryDelaysMs,
      timeoutMs: options.webhookTimeoutMs,
    });
    this.rules = new WhatsAppSendRules({ throughputPerSecond: options.throughputPerSecond, pairIntervalMs: options.pairIntervalMs });
    this.server = http.createServer((req, res) => this.receive(req, res));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  // ---- scripting -------------------------------------------------------------------------------------------

  setWebhookUrl(url: string | undefined): void {
    this.webhooks.webhookUrl = url;
  }

  /** Replaces a WABA's templates. */
  setTemplates(wabaId: string, templates: StandInTemplate[]): void {
    this.templates.set(wabaId, [...templates]);
  }

  /** The live list of a WABA's templates (edit it in place to change them at run time). */
  templatesOf(wabaId: string): StandInTemplate[] {
    let list = this.templates.get(wabaId);
    if (!list) this.templates.set(wabaId, (list = []));
    return list;
  }

  /** The next `count` (default 1) valid sends fail with `code`. */
  failNext(code: number, options: FailOptions = {}): void {
    this.rules.failNext(code, options);
  }

  /** Every send to this recipient (digits, as wa_id) fails with `code` until `clearFailFor`. */
  failFor(recipientDigits: string, code: number, options: Omit<FailOptions, 'count'> = {}): void {
    this.rules.failFor(recipientDigits, code, options);
  }

  /** Removes one recipient's rule, or all of them. */
  clearFailFor(recipientDigits?: string): void {
    this.rules.clearFailFor(recipientDigits);
  }

  /** The next `count` POSTs to /messages are never answered (until `releaseHung` or `close`): timeout tests. */
  hangNext(count = 1): void {
    for (let i = 0; i < count; i++) this.heldAnswers.push({ kind: 'hang' });
  }

  /**
   * The next `count` POSTs to /messages get exactly this answer, before any check (e.g. 500 with an HTML page
   * from a proxy). For a Meta-shaped 500 use `failNext(131000)` or `failNext(1, { http: 500 })`.
   */
  rawNext(status: number, body = '', options: { count?: number; contentType?: string } = {}): void {
    for (let i = 0; i < (options.count ?? 1); i++) {
      this.heldAnswers.push({ kind: 'raw', status, body, contentType: options.contentType ?? 'text/html; charset=utf-8' });
    }
  }

  /** Cuts the connections of hung requests (the client sees a reset). */
  releaseHung(): void {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  // ---- webhooks --------------------------------------------------------------------------------------------

  /** A status object for an accepted send (recipient, biz_opaque_callback_data, pricing, conversation filled in). */
  statusFor(wamid: string, status: StatusName | string, options: StatusOptions = {}): WebhookStatus {
    const send = this.sends.find((s) => s.wamid === wamid);
    if (!send) throw new Error(`WhatsApp stand-in: no accepted send ${wamid}`);
    return buildStatus(
      {
        wamid,
        waId: send.waId,
        bizOpaqueCallbackData: send.bizOpaqueCallbackData,
        templateCategory: send.template?.category,
        conversationId: send.conversationId,
      },
      status,
      { ...this.options.statusOptions, ...options },
    );
  }

  /**
   * Posts statuses (from `statusFor`, or any objects) for a number: all in one POST, or one POST each with
   * `separate: true`, in the order given. Resolves with the gateway's first answer to each POST.
   */
  async emitStatuses(phoneNumberId: string, statuses: WebhookStatus[], options: SendOptions & { separate?: boolean } = {}): Promise<WebhookAnswer[]> {
    const phone = this.phone(phoneNumberId);
    if (!phone) throw new Error(`WhatsApp stand-in: unknown phone number id ${phoneNumberId}`);
    const groups = options.separate ? statuses.map((s) => [s]) : [statuses];
    const answers: WebhookAnswer[] = [];
    for (const group of groups) answers.push(await this.webhooks.send(metaJson(webhookEnvelope(phone, { statuses: group })), options));
    return answers;
  }

  /** Posts a text message from a WhatsApp user to a number. Resolves with the gateway's answer and the message id. */
  async emitInbound(
    phoneNumberId: string,
    fromDigits: string,
    text: string,
    options: InboundOptions & SendOptions = {},
  ): Promise<WebhookAnswer & { messageId: string }> {
    const phone = this.phone(phoneNumberId);
    if (!phone) throw new Error(`WhatsApp stand-in: unknown phone number id ${phoneNumberId}`);
    const { value, id } = inboundTextValue(fromDigits, text, options);
    const answer = await this.webhooks.send(metaJson(webhookEnvelope(phone, value)), options);
    return { ...answer, messageId: id };
  }

  /** Posts exactly `body`. `signature`: undefined → the right one for these bytes, null → no header, a string → it. */
  emitRaw(body: string, options: SendOptions = {}): Promise<WebhookAnswer> {
    return this.webhooks.send(body, options);
  }

  /** The webhook envelope for a number around a change value, as an object (to re-space, sign, tamper with). */
  envelope(phoneNumberId: string, value: Record<string, unknown>): Record<string, unknown> {
    const phone = this.phone(phoneNumberId);
    if (!phone) throw new Error(`WhatsApp stand-in: unknown phone number id ${phoneNumberId}`);
    return webhookEnvelope(phone, value);
  }

  /** Meta's GET verification request to webhookUrl. */
  verifySubscription(verifyToken: string, mode = 'subscribe'): Promise<{ status: number; body: string; challenge: string }> {
    return this.webhooks.verifySubscription(verifyToken, mode);
  }

  /** Every webhook POST attempt (first tries and retries) with the gateway's status. */
  get webhookAttempts(): readonly WebhookAttempt[] {
    return this.webhooks.attempts;
  }

  /** Resolves when no scripted status, webhook or retry is pending. */
  idle(): Promise<void> {
    return this.webhooks.idle();
  }

  async close(): Promise<void> {
    this.webhooks.close();
    this.releaseHung();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP ------------------------------------------------------------------------------------------------

  private receive(req: http.IncomingMessage, res: http.ServerResponse): void {
    onReceived(req, (received) => {
      const record: RecordedRequest = { ...received, status: 'hang', response: undefined };
      this.requests.push(record);
      this.route(record, res);
    });
  }

  private route(record: RecordedRequest, res: http.ServerResponse): void {
    const url = new URL(record.path, 'http://stand-in');
    const match = /^\/(v\d+\.\d+)\/([^/]+)\/(messages|message_templates)\/?$/.exec(url.pathname);
    if (!match) {
      const unknown = { error: { message: `Unknown path components: ${url.pathname}`, type: 'OAuthException', code: 2500, fbtrace_id: fbtraceId() } };
      return this.answer(record, res, 400, unknown);
    }
    const [, version, id, edge] = match as unknown as [string, string, string, string];
    if (edge === 'messages' && record.method === 'POST') {
      const held = this.heldAnswers.shift();
      if (held?.kind === 'hang') return void this.hung.add(res);
      if (held?.kind === 'raw') {
        record.status = held.status;
        record.response = held.body;
        return void res.writeHead(held.status, { 'content-type': held.contentType }).end(held.body);
      }
    }
    if (!this.authorized(record, url)) return this.answer(record, res, 401, invalidToken());
    if (edge === 'messages') {
      if (record.method !== 'POST' || !this.phone(id)) return this.answer(record, res, 400, unsupportedRequest(record.method === 'POST' ? 'post' : 'get', id));
      return this.sendMessage(record, res, id);
    }
    const waba = record.method === 'GET' && this.options.phoneNumbers.some((p) => p.wabaId === id);
    if (!waba) return this.answer(record, res, 400, unsupportedRequest(record.method === 'GET' ? 'get' : 'post', id));
    const page = templatePage(this.templatesOf(id), url, `${this.baseUrl}/${version}/${id}/message_templates`);
    return this.answer(record, res, page.status, page.body);
  }

  private authorized(record: RecordedRequest, url: URL): boolean {
    const header = record.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : url.searchParams.get('access_token');
    return token === this.options.accessToken;
  }

  private sendMessage(record: RecordedRequest, res: http.ServerResponse, phoneNumberId: string): void {
    const phone = this.phone(phoneNumberId)!;
    const checked = checkSendBody(record.body, this.templatesOf(phone.wabaId));
    if (!checked.ok) return this.answer(record, res, 400, checked.error);
    const send = checked.send;
    const rule = this.rules.takeFailure(send.waId);
    if (rule && rule.mode !== 'async') {
      const error = whatsappError(rule.code, { details: rule.details, subcode: rule.subcode });
      return this.answer(record, res, rule.http ?? httpStatusFor(rule.code), error);
    }
    const limited = this.rules.limitHit(phoneNumberId, send.waId);
    if (limited) return this.answer(record, res, httpStatusFor(limited), whatsappError(limited));
    const accepted = this.accept(phoneNumberId, send);
    const response = {
      messaging_product: 'whatsapp',
      contacts: [{ input: send.to, wa_id: send.waId }],
      messages: [{ id: accepted.wamid, ...(send.type === 'template' ? { message_status: 'accepted' } : {}) }],
    };
    this.answer(record, res, 200, response);
    if (rule) this.scheduleFailure(accepted, rule);
    else this.scheduleStatuses(accepted);
  }

  private accept(phoneNumberId: string, send: AcceptedSend): SentMessage {
    const now = Date.now();
    this.rules.accepted(phoneNumberId, send.waId, now);
    // One conversation per number, recipient and category, as Meta opens one per category window.
    const conversationKey = `${phoneNumberId}:${send.waId}:${send.template?.category ?? 'service'}`;
    let conversationId = this.conversations.get(conversationKey);
    if (!conversationId) this.conversations.set(conversationKey, (conversationId = newConversationId()));
    const accepted: SentMessage = { ...send, wamid: newWamid(send.waId), phoneNumberId, conversationId, acceptedAt: now };
    this.sends.push(accepted);
    return accepted;
  }

  private scheduleStatuses(send: SentMessage): void {
    const script = this.options.statusScript ?? 'delivered';
    const steps = (['sent', 'delivered', 'read'] as const).slice(0, ['none', 'sent', 'delivered', 'read'].indexOf(script));
    if (steps.length === 0 || !this.webhooks.webhookUrl) return;
    void this.webhooks.track(
      (async () => {
        for (const step of steps) {
          await sleep(this.options.statusDelayMs ?? 0);
          if (this.webhooks.isClosed) return;
          await this.emitStatuses(send.phoneNumberId, [this.statusFor(send.wamid, step)]).catch(() => undefined);
        }
      })(),
    );
  }

  private scheduleFailure(send: SentMessage, rule: FailRule): void {
    if (!this.webhooks.webhookUrl) return;
    void this.webhooks.track(
      (async () => {
        await sleep(this.options.statusDelayMs ?? 0);
        if (this.webhooks.isClosed) return;
        const failed = this.statusFor(send.wamid, 'failed', { errorCode: rule.code, errorDetails: rule.details });
        await this.emitStatuses(send.phoneNumberId, [failed]).catch(() => undefined);
      })(),
    );
  }

  private phone(phoneNumberId: string): WhatsAppPhoneNumber | undefined {
    return this.options.phoneNumbers.find((p) => p.phoneNumberId === phoneNumberId);
  }

  private answer(record: RecordedRequest, res: http.ServerResponse, status: number, body: GraphErrorBody | object): void {
    record.status = status;
    record.response = body;
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
  }
}

export async function startWhatsAppStandIn(options: WhatsAppStandInOptions): Promise<WhatsAppStandIn> {
  return new WhatsAppStandIn(options).listen();
}
