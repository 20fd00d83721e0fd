/**
 * The callback inspector (issue #15 item 7): a receiver built into the gateway for each account, so that a first-time
 * user needs none of their own. `callbackUrl: http://127.0.0.1:8080/sandbox/inbox/{account}` makes the gateway post the
 * account's callbacks here; each request is kept as received (headers, exact body bytes) with what its Standard
 * Webhooks signature check found (spec §11.3), and read back or cleared with the account's API key.
 * - `POST /sandbox/inbox/{account}`: no API key (it is the gateway's own callbacks arriving); answered 200 at once.
 * - `GET /sandbox/inbox/{account}?limit=&before=`: newest first; `DELETE`: empties it. Type 1 key of that account.
 */
import { Buffer } from 'node:buffer';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { webhookMac } from '../../../domain/signingSecret.js';
import { isStorableText } from '../../../domain/textRules.js';
import type { InboxAccount, InboxEntry, InboxHeader, InboxSignature } from '../../../store/sandboxInbox.js';
import type { Store } from '../../../store/store.js';
import { errors } from '../../apiError.js';
import type { AppDeps } from '../../appDeps.js';
import { keepRawBodies, rawBodyOf } from '../../rawBody.js';
import { authErrors, ErrorSchema, InboxClearedSchema, InboxPageSchema, InboxParamsSchema, InboxQuerySchema, SANDBOX_TAG, StatusOkSchema } from '../../schemas.js';

/** Entries kept per account: each request received drops the older ones. */
export const INBOX_KEEP = 1000;

/** Standard Webhooks receivers reject a `webhook-timestamp` more than 5 minutes from their clock (spec §11.3). */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

const TAGS = [SANDBOX_TAG];
const accountKey = { keyTypes: [1] } as const;
const HMAC_BYTES = 32;
const SIGNATURE = /^v1,([A-Za-z0-9+/]+={0,2})$/;
const SECONDS = /^[0-9]{1,15}$/;

/** A request as the inbox checks it: header values by lowercase name (Node's request.headers). */
export interface SignedRequest {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * What the Standard Webhooks check finds (spec §11.3): `unsigned` without a secret or a `webhook-signature`;
 * `verified` when one of its space-separated `v1,` signatures is the HMAC-SHA256 of `{id}.{timestamp}.{body}` (the
 * exact bytes) under the secret's key, compared in constant time, and the timestamp is within the tolerance of `now`;
 * `invalid` otherwise.
 */
export function webhookSignatureState(secret: string | null, request: SignedRequest, now: number): InboxSignature {
  const signatures = single(request.headers['webhook-signature']);
  if (secret === null || signatures === undefined) return 'unsigned';
  const id = single(request.headers['webhook-id']);
  const timestamp = single(request.headers['webhook-timestamp']);
  if (id === undefined || timestamp === undefined || !SECONDS.test(timestamp)) return 'invalid';
  if (Math.abs(now / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) return 'invalid';
  const expected = webhookMac(secret, id, timestamp, request.body);
  let verified = false;
  for (const candidate of signatures.split(/\s+/)) {
    const match = SIGNATURE.exec(candidate);
    if (!match) continue;
    const given = Buffer.from(match[1]!, 'base64');
    // Every candidate is compared, in constant time: the answer tells nothing of where a near miss was.
    if (given.length === HMAC_BYTES && timingSafeEqual(given, expected)) verified = true;
  }
  return verified ? 'verified' : 'invalid';
}

/** A header sent once; a repeated one (Node gives an array) is taken as not given. */
function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Every header line as received: names as written, repeated lines apart (Node's rawHeaders, before any rewrite). */
function headerLines(rawHeaders: string[]): InboxHeader[] {
  const lines: InboxHeader[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) lines.push({ name: rawHeaders[i]!, value: rawHeaders[i + 1]! });
  return lines;
}

/** The account an inbox path names; unknown (or a name no account can have) is 404. */
async function namedAccount(store: Store, name: string): Promise<InboxAccount> {
  const account = isStorableText(name) ? await store.sandboxInbox.account(name) : null;
  if (!account) throw errors.notFound();
  return account;
}

const entryView = (entry: InboxEntry) => ({
  id: entry.id,
  receivedAt: new Date(entry.receivedAt).toISOString(),
  headers: entry.headers,
  body: entry.body.toString('utf8'),
  signature: entry.signature,
  webhookId: entry.webhookId,
});

export async function sandboxInboxRoutes(api: FastifyInstance, { store, config, clock }: AppDeps): Promise<void> {
  // The signature is over the exact bytes: kept as received, whatever the content type, up to the app's limit.
  keepRawBodies(api, config.http.bodyLimitBytes);

  api.post<{ Params: { account: string } }>(
    '/inbox/:account',
    {
      schema: {
        tags: TAGS,
        summary: "Callback inspector: the account's built-in callback receiver",
        description:
          "Use it as a message's callbackUrl. No API key: it records the request as received and whether its signature verifies with the account's signing secret.",
        security: [],
        params: InboxParamsSchema,
        response: { 200: StatusOkSchema, 404: ErrorSchema, 413: ErrorSchema },
      },
    },
    async (request) => {
      const account = await namedAccount(store, request.params.account);
      const body = rawBodyOf(request);
      const now = clock.now();
      const webhookId = single(request.headers['webhook-id']) ?? null;
      await store.sandboxInbox.record(
        {
          accountId: account.accountId,
          receivedAt: now,
          headers: headerLines(request.raw.rawHeaders),
          body,
          signature: webhookSignatureState(account.signingSecret, { headers: request.headers, body }, now),
          webhookId: webhookId !== null && isStorableText(webhookId) ? webhookId : null,
        },
        INBOX_KEEP,
      );
      return { status: 'ok' };
    },
  );

  api.get<{ Params: { account: string }; Querystring: { limit: string; before?: string } }>(
    '/inbox/:account',
    {
      config: { auth: accountKey },
      schema: {
        tags: TAGS,
        summary: 'Callback inspector: what reached the inbox, newest first',
        params: InboxParamsSchema,
        querystring: InboxQuerySchema,
        response: { 200: InboxPageSchema, 422: ErrorSchema, ...authErrors },
      },
    },
    async (request) => {
      const account = await ownAccount(store, request.params.account, request.principal.accountId);
      const limit = Number(request.query.limit);
      const before = request.query.before === undefined ? undefined : Number(request.query.before);
      // One more than the page: whether there is a next page, without a count.
      const entries = await store.sandboxInbox.list(account.accountId, { limit: limit + 1, ...(before === undefined ? {} : { before }) });
      const page = entries.slice(0, limit);
      return { entries: page.map(entryView), nextBefore: entries.length > limit ? page.at(-1)!.id : null };
    },
  );

  api.delete<{ Params: { account: string } }>(
    '/inbox/:account',
    {
      config: { auth: accountKey },
      schema: {
        tags: TAGS,
        summary: 'Callback inspector: empty the inbox',
        params: InboxParamsSchema,
        response: { 200: InboxClearedSchema, ...authErrors },
      },
    },
    async (request) => {
      const account = await ownAccount(store, request.params.account, request.principal.accountId);
      return { status: 'ok', deleted: await store.sandboxInbox.clear(account.accountId) };
    },
  );
}

/** Another account's inbox is answered like an unknown one: 404, never 403 (it tells nothing of other accounts). */
async function ownAccount(store: Store, name: string, principalAccountId: number): Promise<InboxAccount> {
  const account = await namedAccount(store, name);
  if (account.accountId !== principalAccountId) throw errors.notFound();
  return account;
}
