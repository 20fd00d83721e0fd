import { Type, type TSchema } from '@sinclair/typebox';
import { CALLBACK_EVENTS, CHANNELS, DIRECTIONS, SENDING_METHODS, STATUSES, TRAFFIC_TYPES } from '../domain/channels.js';
import { STORABLE_TEXT_PATTERN } from '../domain/textRules.js';

/**
 * Request and response shapes. A request schema is the route's check (validatorCompiler.ts, first failing property
 * in this order → `Invalid <property>`) and its documentation; responses only document. The list query's schema is
 * the domain's (listQuery.ts), the send body's too (itemFields.ts).
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Enum = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.Integer(),
      msg: Type.String(),
      details: Type.Optional(
        Type.Array(Type.Object({ index: Type.Integer(), field: Type.String(), msg: Type.String() }), { maxItems: 100 }),
      ),
    }),
  },
  { $id: 'Error', description: 'Error envelope (spec §3.3)' },
);

export const SendResponseSchema = Type.Object(
  {
    errors: Type.Boolean(),
    items: Type.Array(
      Type.Object({
        messageUuid: Type.Optional(Type.String({ format: 'uuid' })),
        code: Type.Integer({ description: '201 created, or a business rejection code 4020/4031/4032/4033' }),
        error: Type.Optional(Type.Object({ code: Type.Integer(), msg: Type.String() })),
      }),
    ),
  },
  { description: 'One item per request item, same order (spec §5.3)' },
);

const PriceSchema = Type.Object({
  totalPrice: Type.Number(),
  currency: Type.String(),
  invoicedParts: Type.Integer(),
  final: Type.Boolean(),
});

export const MessageSchema = Type.Object(
  {
    messageUuid: Type.String({ format: 'uuid' }),
    externalMessageId: Nullable(Type.String()),
    direction: Enum(DIRECTIONS),
    channelType: Enum(CHANNELS),
    sendingMethog: Enum(SENDING_METHODS),
    sendingMethod: Enum(SENDING_METHODS),
    trafficType: Enum(TRAFFIC_TYPES),
    trafficCenterId: Type.Integer(),
    templateId: Nullable(Type.Integer()),
    dispatchId: Nullable(Type.Integer()),
    senderName: Type.String(),
    destination: Type.String(),
    brand: Nullable(Type.String()),
    country: Nullable(Type.String()),
    countryCode: Nullable(Type.String()),
    region: Nullable(Type.String()),
    content: Type.Union([Type.String(), Type.Object({}, { additionalProperties: true })]),
    tags: Type.Array(Type.String()),
    ttl: Nullable(Type.Integer()),
    hours: Nullable(Type.Array(Type.Integer())),
    days: Nullable(Type.Array(Type.Integer())),
    localSendTime: Nullable(Type.String()),
    localCompletionTime: Nullable(Type.String()),
    useLocalTime: Nullable(Type.Boolean()),
    shortUrl: Nullable(Type.Boolean()),
    callbackUrl: Nullable(Type.String()),
    callbackEvents: Nullable(Type.Array(Enum(CALLBACK_EVENTS))),
    totalParts: Type.Integer(),
    price: Nullable(PriceSchema),
    createdTime: Type.String(),
    sentTime: Nullable(Type.String()),
    statusTime: Type.String(),
    status: Enum(STATUSES),
    errorCode: Nullable(Type.Integer()),
    cascadeMessageUuid: Nullable(Type.String()),
    cascadeStep: Nullable(Type.Integer()),
  },
  { description: 'Message object (spec §8.3)' },
);

export const StopRequestSchema = Type.Object({
  uuids: Type.Array(Type.String(), { minItems: 1, maxItems: 10000 }),
});

export const StopResponseSchema = Type.Object({
  errors: Type.Boolean(),
  items: Type.Array(Type.Object({ messageUuid: Type.String(), code: Type.Integer({ description: '200, 202, 403 or 404' }) })),
});

export const BalanceSchema = Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), Type.Number(), {
  description: 'Available balance per currency; {} when billing is disabled',
});

export const StatusOkSchema = Type.Object({ status: Type.Literal('ok') });

export const FlashcallConversionSchema = Type.Object({
  messageUuid: Type.String(),
  result: Enum(['NUMBER_VERIFIED', 'WRONG_CODE', 'NUMBER_VERIFIERD']),
  code: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 16, pattern: STORABLE_TEXT_PATTERN }))),
});

/** A path's message uuid: one in any case (§2.4); anything else names no message (404). */
export const MessageUuidParamsSchema = Type.Object({ messageUuid: Type.String({ format: 'uuid' }) });

export const ShortLinkParamsSchema = Type.Object({ slug: Type.String() });

/** Every error status an authenticated endpoint can answer. */
export const authErrors = { 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 500: ErrorSchema };

export const TimelineSchema = Type.Array(
  Type.Object({
    time: Type.String({ description: 'ISO 8601 UTC with milliseconds' }),
    kind: Type.String({ description: 'accepted, claimed, sent, unsent, delivered, …, callback_attempt' }),
    detail: Nullable(Type.Object({}, { additionalProperties: true })),
  }),
  { description: 'Every event of the message in order' },
);

// ---- Sandbox: media and magic numbers (routes/sandbox/media.ts) ----

export const SandboxVoicecodeAudioSchema = {
  description:
    'The audio the VOICECODE call plays: RIFF/WAVE, PCM 16-bit mono at 8000 Hz (before G.711 companding), as long as the call\'s RTP audio. Weak ETag; If-None-Match → 304.',
  content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } },
} as const;

export const SandboxCallerIdSchema = Type.Object(
  {
    callerId: Nullable(Type.String({ description: 'The caller ID the FLASHCALL call presents; null: no number of the pattern ends in this code (the call is refused, 604)' })),
    code: Type.String(),
    numberPattern: Type.String({ description: 'sip.flashcallNumberPattern: its X\'s are replaced by the code' }),
  },
  { description: 'FLASHCALL caller ID' },
);

const SimulatedOutcomeSchema = Type.Object({
  kind: Enum(['refused', 'undelivered', 'neverFinal', 'delivered']),
  errorCode: Type.Optional(Type.Integer()),
  speed: Type.Optional(Enum(['normal', 'slow'])),
  then: Type.Optional(Nullable(Enum(['read', 'click']))),
});

const SandboxChannelOutcomeSchema = Type.Object({
  outcome: SimulatedOutcomeSchema,
  events: Type.Array(
    Type.Object({ afterMs: Type.Integer(), kind: Type.String(), errorCode: Type.Optional(Type.Integer()), url: Type.Optional(Type.String()) }),
    { description: 'The simulator\'s late events after hand-off' },
  ),
  simulated: Type.Boolean({ description: 'Whether this channel\'s connector is the simulator' }),
  summary: Type.String(),
  item: Type.Object({}, { additionalProperties: true, description: 'The request item the curl sends' }),
  curl: Type.String(),
});

const SandboxMagicNumberRowProperties = {
  exampleDestination: Type.String(),
  description: Type.String(),
  channels: Type.Record(Enum(CHANNELS), SandboxChannelOutcomeSchema),
};

export const SandboxMagicNumbersSchema = Type.Object(
  {
    origin: Type.String(),
    authorization: Type.String({ description: 'The sandbox\'s example key' }),
    delays: Type.Object({ deliveryDelayMs: Type.Integer(), slowDelayMs: Type.Integer(), readDelayMs: Type.Integer() }),
    connectors: Type.Record(Enum(CHANNELS), Type.String()),
    numbers: Type.Array(Type.Object({ digits: Type.String({ description: 'The last 4 digits of the destination' }), ...SandboxMagicNumberRowProperties })),
    other: Type.Object(SandboxMagicNumberRowProperties, { description: 'Every other destination' }),
  },
  { description: "The simulator's magic numbers (its own table)" },
);

// The sandbox's callback inbox (issue #15, routes/sandbox/inbox.ts).
/** An inbox is named by its account's name. */
export const InboxParamsSchema = Type.Object({ account: Type.String({ description: "The account's name" }) });

export const InboxQuerySchema = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^([1-9][0-9]{0,2}|1000)$', default: '100', description: 'Entries per page, 1–1000' })),
  before: Type.Optional(
    Type.String({ pattern: '^[1-9][0-9]{0,14}$', description: "Only entries older than this id: the page before's `nextBefore`" }),
  ),
});

export const InboxEntrySchema = Type.Object({
  id: Type.Integer({ description: 'Grows with every request received' }),
  receivedAt: Type.String({ description: 'ISO 8601 UTC with milliseconds' }),
  headers: Type.Array(Type.Object({ name: Type.String(), value: Type.String() }), {
    description: 'Every header line as received, in order',
  }),
  body: Type.String({ description: 'The body as received, read as UTF-8' }),
  signature: Type.Union(['verified', 'invalid', 'unsigned'].map((v) => Type.Literal(v)), {
    description:
      "The Standard Webhooks check (spec §11.3) with the account's signing secret: unsigned when it has none or the request no webhook-signature",
  }),
  webhookId: Nullable(Type.String()),
});

export const InboxPageSchema = Type.Object(
  {
    entries: Type.Array(InboxEntrySchema),
    nextBefore: Nullable(Type.Integer({ description: 'The `before` of the next page; null on the last page' })),
  },
  { description: 'What reached the inbox, newest first' },
);

export const InboxClearedSchema = Type.Object({ status: Type.Literal('ok'), deleted: Type.Integer() });

/** The OpenAPI tag of every /sandbox route (force, inbox, media). */
export const SANDBOX_TAG = 'Sandbox';
