/**
 * The WhatsApp Cloud API's payloads as Meta documents them, as TypeBox schemas checked with TypeBox's compiler.
 * Only the fields the gateway reads are required; every object may carry more (Meta adds fields without notice).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

const digitsOrText = Type.String({ maxLength: 512 });
/** Unix seconds: Meta writes them as strings; a number is read the same. */
const unixSeconds = Type.Union([Type.String({ pattern: '^[0-9]{1,12}$' }), Type.Integer({ minimum: 0, maximum: 999_999_999_999 })]);

/** An error as the send answer's `error` and a failed status's `errors[]` give it. */
const GraphError = Type.Object({
  code: Type.Integer(),
  title: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  error_data: Type.Optional(Type.Object({ details: Type.Optional(Type.String()) })),
});

/** `value.statuses[]` of a `messages` webhook. */
export const StatusSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 512 }),
  status: Type.String({ maxLength: 64 }),
  timestamp: unixSeconds,
  recipient_id: Type.Optional(digitsOrText),
  biz_opaque_callback_data: Type.Optional(Type.String({ maxLength: 512 })),
  pricing: Type.Optional(
    Type.Object({
      billable: Type.Optional(Type.Boolean()),
      category: Type.Optional(Type.String({ maxLength: 64 })),
      type: Type.Optional(Type.String({ maxLength: 64 })),
      pricing_model: Type.Optional(Type.String({ maxLength: 64 })),
    }),
  ),
  errors: Type.Optional(Type.Array(GraphError, { maxItems: 100 })),
});
export type WebhookStatus = Static<typeof StatusSchema>;

/** `value.messages[]`: what a subscriber sent. Text has `text.body`; other types carry a caption at most. */
export const InboundSchema = Type.Object({
  from: Type.String({ pattern: '^[0-9]{1,20}$' }),
  id: Type.String({ minLength: 1, maxLength: 512 }),
  timestamp: unixSeconds,
  type: Type.String({ maxLength: 64 }),
  text: Type.Optional(Type.Object({ body: Type.String({ maxLength: 65_536 }) })),
});
export type WebhookInbound = Static<typeof InboundSchema>;

const ChangeValue = Type.Object({
  messaging_product: Type.Optional(Type.String()),
  metadata: Type.Object({ phone_number_id: Type.String({ minLength: 1, maxLength: 64 }), display_phone_number: Type.Optional(Type.String()) }),
  statuses: Type.Optional(Type.Array(StatusSchema, { maxItems: 10_000 })),
  messages: Type.Optional(Type.Array(InboundSchema, { maxItems: 10_000 })),
});
export type WebhookValue = Static<typeof ChangeValue>;

/** The envelope of every webhook POST. Changes of other fields (account updates…) have no metadata and are skipped. */
export const WebhookSchema = Type.Object({
  object: Type.String(),
  entry: Type.Array(
    Type.Object({
      id: Type.Optional(Type.String()),
      changes: Type.Array(Type.Object({ field: Type.Optional(Type.String()), value: Type.Unknown() }), { maxItems: 10_000 }),
    }),
    { maxItems: 10_000 },
  ),
});
export type Webhook = Static<typeof WebhookSchema>;

/** 200 to a send: the platform's id of the message (the wamid) is `messages[0].id`. */
export const SendAnswerSchema = Type.Object({
  messages: Type.Array(Type.Object({ id: Type.String({ minLength: 1, maxLength: 512 }) }), { minItems: 1 }),
});

/** A 4xx/5xx answer. */
export const ErrorAnswerSchema = Type.Object({ error: GraphError });

/** One page of `GET /{waba}/message_templates`. */
export const TemplatePageSchema = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      language: Type.String(),
      status: Type.String(),
      category: Type.Optional(Type.String()),
      components: Type.Optional(Type.Array(Type.Object({ type: Type.String(), text: Type.Optional(Type.String()) }))),
    }),
  ),
  paging: Type.Optional(Type.Object({ cursors: Type.Optional(Type.Object({ after: Type.Optional(Type.String()) })), next: Type.Optional(Type.String()) })),
});
export type TemplatePage = Static<typeof TemplatePageSchema>;

/** A compiled check: the value with the schema's type, or null. */
function checker<T extends TSchema>(schema: T): (value: unknown) => Static<T> | null {
  const compiled = TypeCompiler.Compile(schema);
  return (value) => (compiled.Check(value) ? (value as Static<T>) : null);
}

export const readWebhook = checker(WebhookSchema);
export const readChangeValue = checker(ChangeValue);
export const readSendAnswer = checker(SendAnswerSchema);
export const readErrorAnswer = checker(ErrorAnswerSchema);
export const readTemplatePage = checker(TemplatePageSchema);
