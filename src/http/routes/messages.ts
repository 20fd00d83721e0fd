import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { listQuerySchema, readListQuery, type ListQuery } from '../../domain/listQuery.js';
import { messageView } from '../../domain/messageView.js';
import { sendRequestSchema } from '../../domain/itemFields.js';
import { sendMessages } from '../../service/sendMessages.js';
import { errors } from '../apiError.js';
import type { AppDeps } from '../appDeps.js';
import { withIdempotency } from '../idempotency.js';
import { jsonArrayStream } from '../jsonArrayStream.js';
import { collectListing, LIST_CHUNK_SIZE } from '../../store/messageListing.js';
import {
  authErrors,
  ErrorSchema,
  MessageSchema,
  MessageUuidParamsSchema,
  SendResponseSchema,
  StopRequestSchema,
  StopResponseSchema,
  TimelineSchema,
} from '../schemas.js';
import { documentOnly } from '../validatorCompiler.js';

const messagesAuth = { keyTypes: [1] } as const;

export interface MessageRoutesOptions extends AppDeps {
  /** The short link base, known once the server listens. */
  shortLinkBase: () => string;
}

/** `/message` and below (spec §5, §8, §9). */
export async function messageRoutes(api: FastifyInstance, { store, config, clock, shortLinkBase }: MessageRoutesOptions): Promise<void> {
  api.post(
    '/message',
    {
      config: { auth: messagesAuth },
      // The body is checked item by item, each failure its own 4220 detail (domain/validateBatch.ts); the key by idempotency.ts.
      validatorCompiler: documentOnly,
      schema: {
        summary: 'Send 1–1000 messages',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }),
        body: sendRequestSchema,
        response: { 200: SendResponseSchema, 400: ErrorSchema, 409: ErrorSchema, 413: ErrorSchema, 422: ErrorSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const { principal } = request;
      const response = await withIdempotency(store, principal.accountId, Array.isArray(key) ? key[0] : key, request.bodyHash, clock.now, (k) =>
        sendMessages({ store, prices: config.prices, now: clock.now(), shortLinkBase }, principal, request.body, k),
      );
      return reply.code(response.status).type('application/json; charset=utf-8').send(response.body);
    },
  );

  api.get<{ Querystring: ListQuery }>(
    '/message',
    {
      config: { auth: messagesAuth },
      schema: {
        summary: 'List messages',
        querystring: listQuerySchema,
        response: { 200: Type.Array(MessageSchema, { description: 'Header X-Total-Count: all matches' }), 422: ErrorSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const { filter, page } = readListQuery(request.query);
      const listing = await store.messages.listChunks(request.principal.accountId, filter, page, clock.now());
      reply.header('X-Total-Count', String(listing.total));
      // A page of one chunk is answered whole; a larger one streams, other requests being served between chunks.
      if (listing.size <= LIST_CHUNK_SIZE) return reply.send((await collectListing(listing)).messages.map(messageView));
      return reply.type('application/json; charset=utf-8').send(jsonArrayStream(listing.chunks, messageView));
    },
  );

  api.get<{ Params: Static<typeof MessageUuidParamsSchema> }>(
    '/message/:messageUuid',
    {
      config: { auth: messagesAuth },
      schema: { summary: 'Get one message', params: MessageUuidParamsSchema, response: { 200: MessageSchema, ...authErrors } },
    },
    async (request) => {
      const message = await store.messages.get(request.principal.accountId, request.params.messageUuid);
      if (!message) throw errors.notFound();
      return messageView(message);
    },
  );

  api.get<{ Params: Static<typeof MessageUuidParamsSchema> }>(
    '/message/:messageUuid/events',
    {
      config: { auth: messagesAuth },
      schema: {
        summary: 'Timeline of one message (our addition): every event in order',
        params: MessageUuidParamsSchema,
        response: { 200: TimelineSchema, ...authErrors },
      },
    },
    async (request) => {
      const entries = await store.messages.timeline(request.principal.accountId, request.params.messageUuid);
      if (!entries) throw errors.notFound();
      return entries.map((e) => ({ time: new Date(e.at).toISOString(), kind: e.kind, detail: e.detail }));
    },
  );

  api.post<{ Body: Static<typeof StopRequestSchema> }>(
    '/message/stop',
    {
      config: { auth: messagesAuth },
      schema: { summary: 'Stop messages', body: StopRequestSchema, response: { 200: StopResponseSchema, 400: ErrorSchema, 422: ErrorSchema, ...authErrors } },
    },
    async (request) => {
      const { uuids } = request.body;
      const codes = await store.messages.stop(request.principal.accountId, uuids, clock.now());
      const items = codes.map((code, i) => ({ messageUuid: uuids[i]!, code }));
      return { errors: codes.some((c) => c === 403 || c === 404), items };
    },
  );
}
