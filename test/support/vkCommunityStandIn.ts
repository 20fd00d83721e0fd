/**
 * A stand-in for VK's own API for communities, for tests and benches: node:http on 127.0.0.1 (port 0).
 *
 *   const vk = await startVkCommunityStandIn({ accessToken: 'vk1.a.tok', groupId: 229000001, secret: 's3cr3t',
 *     confirmationCode: 'a1b2c3d4', callbackUrl });
 *   // POST {vk.baseUrl}/method/messages.send  peer_id=…&message=…&random_id=…&v=5.199  (Authorization: Bearer …)
 *   //   → 200 {"response": 1001}            (message ids count up from `firstMessageId`, per community)
 *   //   → 200 {"error": {"error_code": 900, "error_msg": "…", "request_params": […]}}   (VK errors are HTTP 200)
 *   await vk.confirm();                     // the gateway's answer to {"type":"confirmation","group_id":…}
 *   await vk.emitRead(peerId, messageId);   // a message_read event; resent until answered `ok`
 *   vk.sends, vk.requests, vk.duplicates, vk.callbackAttempts
 *
 * Checks of messages.send, in order: the token (Authorization: Bearer, or access_token) → 5; `v` (^5\.\d+$) → 8;
 * `failNext` codes queued by the test; more than `ratePerSecond` calls in the last 1000 ms → 6 (every call with a
 * good token counts); peer_id / random_id / message missing → 100; a (peer_id, random_id) already sent answers the
 * same id and sends nothing (random_id 0 is never deduplicated, as VK); `blockedPeer` → 900, `noPermission` → 901,
 * `privacy` → 902; a message over 4096 characters → 914. Other methods → 3.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { onReceived, type ReceivedRequest } from './receivedRequest.js';
import { RetryingPoster, type CallbackAnswer, type CallbackAttempt } from './retryingPoster.js';
import { callParams, intParam, vkError } from './vkCommunityErrors.js';

export type { CallbackAnswer, CallbackAttempt } from './retryingPoster.js';
export { VK_ERROR_MESSAGES, type VkErrorBody } from './vkCommunityErrors.js';

export const MAX_MESSAGE_LENGTH = 4096;

export interface VkCommunityStandInOptions {
  /** The community token expected. Default 'vk1.a.test-token'. */
  accessToken?: string;
  /** Default 229000001. */
  groupId?: number;
  /** Sent in every Callback API event (`secret`); none when undefined. */
  secret?: string;
  /** The string the gateway must answer a confirmation with (compare with `confirm()`'s result). */
  confirmationCode?: string;
  callbackUrl?: string;
  /** Calls per sliding second; more → error 6; 0 = no limit. Default 20. */
  ratePerSecond?: number;
  /** The first message id answered. Default 1001. */
  firstMessageId?: number;
  /** The `v` put in events. Default '5.199'. */
  apiVersion?: string;
  /** Resend delays for events not answered `ok`; false for none. Default [50, 100, 200] ms. */
  retryDelaysMs?: number[] | false;
  /** Per callback POST. Default 5000 ms. */
  callbackTimeoutMs?: number;
}

export interface CommunityRecordedRequest extends ReceivedRequest {
  /** The parameters read (query, then body). */
  params: Record<string, string>;
  response: unknown;
}

export interface CommunitySend {
  messageId: number;
  peerId: number;
  text: string;
  randomId: number;
  /** The message's number in its conversation (1, 2, … per peer). */
  conversationMessageId: number;
  at: number;
}

export interface EventOptions {
  /** Put this secret in the event (null: none) instead of the stand-in's. */
  secret?: string | null;
  /** Use this event_id (to repeat an event) instead of a new random one. */
  eventId?: string;
  /** Post exactly these bytes. */
  rawBody?: string;
  /** Resend until answered `ok` (default: the stand-in's setting). */
  retry?: boolean;
}

export class VkCommunityStandIn {
  readonly requests: CommunityRecordedRequest[] = [];
  /** Every message sent, in order (a deduplicated repeat is not added again). */
  readonly sends: CommunitySend[] = [];
  /** Calls answered with the id of an earlier (peer_id, random_id). */
  duplicates = 0;
  baseUrl = '';
  callbackUrl: string | undefined;
  private readonly server: http.Server;
  private readonly sender: RetryingPoster;
  private readonly peerErrors = new Map<number, number>();
  private readonly failures: number[] = [];
  private readonly calls: number[] = [];
  private readonly byRandomId = new Map<string, number>();
  private nextMessageId: number;

  constructor(private readonly options: VkCommunityStandInOptions = {}) {
    this.callbackUrl = options.callbackUrl;
    this.nextMessageId = options.firstMessageId ?? 1001;
    this.sender = new RetryingPoster({
      accepted: (a) => a.status === 200 && a.body === 'ok',
      retryDelaysMs: options.retryDelaysMs,
      timeoutMs: options.callbackTimeoutMs,
    });
    this.server = http.createServer((req, res) => onReceived(req, (received) => this.receive(received, res)));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get groupId(): number {
    return this.options.groupId ?? 229000001;
  }

  // ---- scripting -------------------------------------------------------------------------------------------

  setCallbackUrl(url: string | undefined): void {
    this.callbackUrl = url;
  }

  /** Sends to this peer fail with 900 (the user blacklisted the community). */
  blockedPeer(peerId: number): void {
    this.peerErrors.set(peerId, 900);
  }

  /** Sends to this peer fail with 901 (the user has not allowed messages from the community). */
  noPermission(peerId: number): void {
    this.peerErrors.set(peerId, 901);
  }

  /** Sends to this peer fail with 902 (privacy settings). */
  privacy(peerId: number): void {
    this.peerErrors.set(peerId, 902);
  }

  clearPeer(peerId?: number): void {
    if (peerId === undefined) this.peerErrors.clear();
    else this.peerErrors.delete(peerId);
  }

  /** The next `count` well-authorized calls fail with `errorCode` (6, 9, 29, 10…). */
  failNext(count: number, errorCode: number): void {
    for (let i = 0; i < count; i++) this.failures.push(errorCode);
  }

  // ---- Callback API ----------------------------------------------------------------------------------------

  /** Posts `{"type":"confirmation","group_id":…}` once; resolves with the gateway's answer text. */
  async confirm(): Promise<string> {
    const answer = await this.post(JSON.stringify({ type: 'confirmation', group_id: this.groupId }), false);
    return answer.body;
  }

  /** A `message_read` event: the user read the community's messages up to `readMessageId`. */
  emitRead(peerId: number, readMessageId: number, options: EventOptions & { conversationMessageId?: number } = {}): Promise<CallbackAnswer> {
    const cmid = options.conversationMessageId ?? this.sends.find((s) => s.messageId === readMessageId)?.conversationMessageId ?? 0;
    const object = { from_id: peerId, peer_id: peerId, read_message_id: readMessageId, conversation_message_id: cmid };
    return this.emitEvent('message_read', object, options);
  }

  /** Any Callback API event (message_new, message_allow, message_deny…), resent until answered `ok`. */
  emitEvent(type: string, object: Record<string, unknown>, options: EventOptions = {}): Promise<CallbackAnswer> {
    const secret = options.secret === undefined ? this.options.secret : options.secret;
    const event = {
      group_id: this.groupId,
      type,
      event_id: options.eventId ?? randomBytes(20).toString('hex'),
      v: this.options.apiVersion ?? '5.199',
      object,
      ...(secret === null || secret === undefined ? {} : { secret }),
    };
    return this.post(options.rawBody ?? JSON.stringify(event), options.retry);
  }

  get callbackAttempts(): readonly CallbackAttempt[] {
    return this.sender.attempts;
  }

  /** Resolves when no event nor resend is pending. */
  idle(): Promise<void> {
    return this.sender.idle();
  }

  async close(): Promise<void> {
    this.sender.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private post(raw: string, retry?: boolean): Promise<CallbackAnswer> {
    if (!this.callbackUrl) return Promise.reject(new Error('VK community stand-in: no callbackUrl set'));
    return this.sender.send(this.callbackUrl, raw, { 'content-type': 'application/json' }, { retry });
  }

  // ---- HTTP ------------------------------------------------------------------------------------------------

  private receive(received: ReceivedRequest, res: http.ServerResponse): void {
    const params = callParams(received);
    const record: CommunityRecordedRequest = { ...received, params, response: undefined };
    this.requests.push(record);
    const match = /^\/method\/([\w.]+)\/?$/.exec(new URL(record.path, 'http://stand-in').pathname);
    const method = match?.[1] ?? '';
    const answer = method === 'messages.send' ? this.send(record) : vkError(3, method, params);
    record.response = answer;
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer));
  }

  private send(record: CommunityRecordedRequest): object {
    const { params } = record;
    const fail = (code: number, message?: string): object => vkError(code, 'messages.send', params, message);
    const header = record.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : params.access_token;
    if (token === undefined) return fail(5, 'User authorization failed: no access_token passed.');
    if (token !== (this.options.accessToken ?? 'vk1.a.test-token')) return fail(5);
    if (!/^5\.\d+$/.test(params.v ?? '')) return fail(8);
    const queued = this.failures.shift();
    if (queued !== undefined) return fail(queued);
    const now = Date.now();
    this.calls.push(now);
    while (this.calls.length > 0 && this.calls[0]! <= now - 1000) this.calls.shift();
    const rate = this.options.ratePerSecond ?? 20;
    if (rate > 0 && this.calls.length > rate) return fail(6);
    const peerId = intParam(params, 'peer_id') ?? intParam(params, 'user_id');
    const randomId = intParam(params, 'random_id');
    const text = params.message ?? '';
    if (peerId === null) return fail(100, 'One of the parameters specified was missing or invalid: peer_id is undefined');
    if (randomId === null) return fail(100, 'One of the parameters specified was missing or invalid: random_id is a required parameter');
    if (text.length === 0) return fail(100, 'One of the parameters specified was missing or invalid: message is empty or invalid');
    const key = `${peerId}:${randomId}`;
    const earlier = randomId === 0 ? undefined : this.byRandomId.get(key);
    if (earlier !== undefined) {
      this.duplicates++;
      return { response: earlier };
    }
    const peerError = this.peerErrors.get(peerId);
    if (peerError !== undefined) return fail(peerError);
    if (text.length > MAX_MESSAGE_LENGTH) return fail(914);
    const messageId = this.nextMessageId++;
    const conversationMessageId = this.sends.filter((s) => s.peerId === peerId).length + 1;
    this.sends.push({ messageId, peerId, text, randomId, conversationMessageId, at: now });
    if (randomId !== 0) this.byRandomId.set(key, messageId);
    return { response: messageId };
  }
}

export async function startVkCommunityStandIn(options: VkCommunityStandInOptions = {}): Promise<VkCommunityStandIn> {
  return new VkCommunityStandIn(options).listen();
}
