import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseListQuery, type QueryValues } from '../../domain/listQuery.js';
import { messageView } from '../../domain/messageView.js';
import { sendRequestSchema } from '../../domain/itemFields.js';
import { sendMessages } from '../../service/sendMessages.js';
import { errors } from '../apiError.js';
import type { AppDeps } from '../app.js';
import { withIdempotency } from '../idempotency.js';
import { jsonArrayStream } from '../jsonArrayStream.js';
import { collectListing, LIST_CHUNK_SIZE } from '../../store/messageListing.js';
import { authErrors, ErrorSchema, ListQuerySchema, MessageSchema, SendResponseSchema, StopRequestSchema, StopResponseSchema, TimelineSchema } from '../schemas.js';
import { isUuid } from '../../domain/messageUuid.js';

const messagesAuth = { keyTypes: [1] } as const;
const MAX_STOP_UUIDS = 10_000;

/** Repeated query keys as arrays, straight from the raw URL (spec §2.5). */
function queryValues(request: FastifyRequest): QueryValues {
  const search = request.raw.url?.split('?')[1] ?? '';
  // No prototype: a key such as `constructor` or `__proto__` is a key like any other.
  const values: Record<string, string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(search)) (values[key] ??= []).push(value);
  return values;
}

export function registerMessageRoutes(api: FastifyInstance, { store, config, clock }: AppDeps, shortLinkBase: () => string): void {
  api.post(
    '/message',
    {
      config: { auth: messagesAuth },
      schema: {
        summary: 'Send 1–1000 messages',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }),
        body: sendRequestSchema,
        response: { 200: SendResponseSchema, 400: ErrorSchema, 409: ErrorSchema, 413: ErrorSchema, 422: ErrorSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      if (request.body === undefined) throw errors.badRequest();
      const key = request.headers['idempotency-key'];
      const { principal } = request;
      const response = await withIdempotency(store, principal.accountId, Array.isArray(key) ? key[0] : key, request.bodyHash, clock.now, (k) =>
        sendMessages({ store, prices: config.prices, now: clock.now(), shortLinkBase }, principal, request.body, k),
      );
      return reply.code(response.status).type('application/json; charset=utf-8').send(response.body);
    },
  );

  api.get(
    '/message',
    {
      config: { auth: messagesAuth },
      schema: {
        summary: 'List messages',
        querystring: ListQuerySchema,
        response: { 200: Type.Array(MessageSchema, { description: 'Header X-Total-Count: all matches' }), 422: ErrorSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const parsed = parseListQuery(queryValues(request));
      if (!parsed.ok) throw errors.invalid(parsed.msg);
      const listing = await store.messages.listChunks(request.principal.accountId, parsed.filter, parsed.page, clock.now());
      reply.header('X-Total-Count', String(listing.total));
      // A page of one chunk is answered whole; a larger one streams, other requests being served between chunks.
      if (listing.size <= LIST_CHUNK_SIZE) return reply.send((await collectListing(listing)).messages.map(messageView));
      return reply.type('application/json; charset=utf-8').send(jsonArrayStream(listing.chunks, messageView));
    },
  );

  api.get(
    '/message/:messageUuid',
    {
      config: { auth: messagesAuth },
      schema: { summary: 'Get one message', params: Type.Object({ messageUuid: Type.String() }), response: { 200: MessageSchema, ...authErrors } },
    },
    async (request) => {
      const { messageUuid } = request.params as { messageUuid: string };
      const message = isUuid(messageUuid) ? await store.messages.get(request.principal.accountId, messageUuid) : null;
      if (!message) throw errors.notFound();
      return messageView(message);
    },
  );

  api.get(
    '/message/:messageUuid/events',
    {
      config: { auth: messagesAuth },
      schema: {
        summary: 'Timeline of one message (our addition): every event in order',
        params: Type.Object({ messageUuid: Type.String() }),
        response: { 200: TimelineSchema, ...authErrors },
      },
    },
    async (request) => {
      const { messageUuid } = request.params as { messageUuid: string };
      const entries = isUuid(messageUuid) ? await store.engine.timeline(request.principal.accountId, messageUuid) : null;
      if (!entries) throw errors.notFound();
      return entries.map((e) => ({ time: new Date(e.at).toISOString(), kind: e.kind, detail: e.detail }));
    },
  );

  api.post(
    '/message/stop',
    {
      config: { auth: messagesAuth },
      schema: { summary: 'Stop messages', body: StopRequestSchema, response: { 200: StopResponseSchema, 400: ErrorSchema, 422: ErrorSchema, ...authErrors } },
    },
    async (request) => {
      const body = request.body;
      if (body === undefined) throw errors.badRequest();
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw errors.invalid('Invalid request');
      const uuids = (body as { uuids?: unknown }).uuids;
      const valid =
        Array.isArray(uuids) && uuids.length >= 1 && uuids.length <= MAX_STOP_UUIDS && uuids.every((u) => typeof u === 'string');
      if (!valid) throw errors.invalid('Invalid uuids');
      const codes = await store.messages.stop(request.principal.accountId, uuids as string[], clock.now());
      const items = codes.map((code, i) => ({ messageUuid: uuids[i] as string, code }));
      return { errors: codes.some((c) => c === 403 || c === 404), items };
    },
  );
}
