/** Helpers for the HTTP tests (test/http/): valid items per channel, requests, raw sockets. */
import { request as httpRequest } from 'node:http';
import { hashSecret } from '../../src/auth/apiKeys.js';
import { call, type TestGateway } from './gateway.js';
import { jsonOrUndefined } from './receivedRequest.js';

/** A canonical lowercase UUID v7 (spec §2.4, DESIGN: time-ordered ids). */
export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Second precision, UTC, `Z` (spec §2.2). */
export const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The spec's example key (§6.1.5): keyId `Aladdin`, secret `open sesame`. */
export const EXAMPLE_AUTH = 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==';

/** Creates an account whose type-1 key is the documentation's example key. One per gateway (keyIds are unique). */
export async function exampleKeyAccount(gateway: TestGateway, name = 'example'): Promise<{ auth: string; accountId: number }> {
  const now = gateway.clock.now();
  const account = await gateway.store.accounts.create({ name, currency: 'RUB', balance: 1000 * 10_000, billingEnabled: true }, now);
  await gateway.store.keys.create(
    { keyId: 'Aladdin', secretHash: hashSecret('open sesame'), type: 1, accountId: account.id, trafficCenterId: 1 },
    now,
  );
  return { auth: EXAMPLE_AUTH, accountId: account.id };
}

let accountCounter = 0;
/** A unique account name, so tests sharing a gateway never collide. */
export function uniqueName(prefix = 'acct'): string {
  accountCounter += 1;
  return `${prefix}-${accountCounter}-${process.pid}`;
}

/** Approved sender names used by `sms()` / `whatsapp()`; pass them as `senders` when creating the account. */
export const SMS_SENDER = 'sms_sender';
export const WA_SENDER = 'wa_sender';
export const APPROVED_SENDERS = [
  { channel: 'SMS' as const, name: SMS_SENDER },
  { channel: 'WHATSAPP' as const, name: WA_SENDER },
];

type Item = Record<string, unknown>;

export function voicecode(overrides: Item = {}): Item {
  return {
    channelType: 'VOICECODE',
    senderName: 'voicecode',
    destination: '14085553911',
    content: { contentType: 'text', text: 'Код авторизации от revicom: 3 4 5 6' },
    ...overrides,
  };
}
export function flashcall(overrides: Item = {}): Item {
  return { channelType: 'FLASHCALL', senderName: 'any sender', destination: '14085553911', content: '1234', ...overrides };
}
export function sms(overrides: Item = {}): Item {
  return { channelType: 'SMS', senderName: SMS_SENDER, destination: '79261234567', content: 'Hello', ...overrides };
}
export function whatsapp(overrides: Item = {}): Item {
  return {
    channelType: 'WHATSAPP',
    senderName: WA_SENDER,
    destination: '79261234567',
    content: { contentType: 'text', text: 'Your order 42 has shipped' },
    ...overrides,
  };
}
export function vk(overrides: Item = {}): Item {
  return { channelType: 'VK', senderName: 'vk_group', destination: '79261234567', content: 'Привет', ...overrides };
}

export async function send(gateway: TestGateway, auth: string, items: unknown, headers?: Record<string, string>) {
  return call(gateway, 'POST', '/api/v1/message', { auth, body: items, headers });
}

/** Sends valid items and returns their uuids, failing loudly if any was not created. */
export async function sendOk(gateway: TestGateway, auth: string, items: unknown[]): Promise<string[]> {
  const response = await send(gateway, auth, items);
  if (response.status !== 200 || response.body?.errors !== false) {
    throw new Error(`expected every item created, got ${response.status} ${response.text}`);
  }
  return (response.body.items as { messageUuid: string }[]).map((i) => i.messageUuid);
}

/** GET /api/v1/message with a query given as [key, value] pairs (keys may repeat). */
export async function list(gateway: TestGateway, auth: string, query: [string, string][] | string = []) {
  const search = typeof query === 'string' ? query : new URLSearchParams(query).toString();
  return call(gateway, 'GET', `/api/v1/message${search ? `?${search}` : ''}`, { auth });
}

/** The uuids a list query returns, in order. */
export async function listUuids(gateway: TestGateway, auth: string, query: [string, string][] | string = []): Promise<string[]> {
  const response = await list(gateway, auth, query);
  if (response.status !== 200) throw new Error(`list failed: ${response.status} ${response.text}`);
  return (response.body as { messageUuid: string }[]).map((m) => m.messageUuid);
}

/** X-Total-Count of the account's (outbound) messages. */
export async function countMessages(gateway: TestGateway, auth: string): Promise<number> {
  const response = await list(gateway, auth, [['per_page', '1']]);
  if (response.status !== 200) throw new Error(`count failed: ${response.status} ${response.text}`);
  return Number(response.headers.get('x-total-count'));
}

export async function getMessage(gateway: TestGateway, auth: string, uuid: string) {
  return call(gateway, 'GET', `/api/v1/message/${uuid}`, { auth });
}

export async function stop(gateway: TestGateway, auth: string, body: unknown) {
  return call(gateway, 'POST', '/api/v1/message/stop', { auth, body });
}

export async function balance(gateway: TestGateway, auth: string): Promise<Record<string, number>> {
  const response = await call(gateway, 'GET', '/api/v1/balance', { auth });
  if (response.status !== 200) throw new Error(`balance failed: ${response.status} ${response.text}`);
  return response.body as Record<string, number>;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

/**
 * A request on a raw node:http client: exact headers (no Content-Type unless given), any bytes, and a
 * response read even when the server answers before the whole body was sent (413, 401 on a big body).
 */
export function rawRequest(
  gateway: TestGateway,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<RawResponse> {
  const url = new URL(gateway.url + path);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      // A connection of its own, closed after the response: the server may not have drained the body,
      // and a kept-alive half-read socket would hold up the gateway's close() for its keep-alive timeout.
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          res.socket?.destroy();
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: jsonOrUndefined(text) });
        });
        res.on('error', reject);
      },
    );
    // The server may answer and close before the body is written in full: that is not a failure here,
    // as long as a response arrived.
    let responded = false;
    req.on('response', () => (responded = true));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if ((error.code === 'EPIPE' || error.code === 'ECONNRESET') && responded) return;
      reject(error);
    });
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

/** `YYYY-MM-DD hh:mm:ss` of an epoch-ms instant read in UTC (the scheduling fields' format, §2.2). */
export function wallClock(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** ISO 8601 UTC, second precision, `Z` (§2.2). */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Every field of the message object, in the order of spec §8.3. */
export const MESSAGE_FIELDS = [
  'messageUuid', 'externalMessageId', 'direction', 'channelType', 'sendingMethog', 'sendingMethod', 'trafficType',
  'trafficCenterId', 'templateId', 'dispatchId', 'senderName', 'destination', 'brand', 'country', 'countryCode', 'region',
  'content', 'tags', 'ttl', 'hours', 'days', 'localSendTime', 'localCompletionTime', 'useLocalTime', 'shortUrl',
  'callbackUrl', 'callbackEvents', 'totalParts', 'price', 'createdTime', 'sentTime', 'statusTime', 'status', 'errorCode',
  'cascadeMessageUuid', 'cascadeStep',
];
