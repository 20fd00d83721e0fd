/**
 * The fields of a `POST /api/v1/message` item, per channel (spec §5.4, §6). These schemas validate (validateBatch.ts),
 * type (Static) and document (OpenAPI). Property order is the order fields are checked in.
 * `x-errorDetail` (an OpenAPI extension keyword) is the human text of `details[].msg` when a value fails the schema it is attached to.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CALLBACK_EVENTS, CHANNELS, type CallbackEvent, type Channel } from './channels.js';
import { MSISDN_PATTERN } from './msisdn.js';
import { WALL_CLOCK_PATTERN } from './scheduleFields.js';
import { CALLBACK_URL_MAX_LENGTH } from './callbackUrl.js';
import { VOICECODE_TEMPLATE_PATTERN } from './voicecodeTemplate.js';
import { NO_BOM_PATTERN, STORABLE_TEXT_PATTERN } from './textRules.js';

/** Free text (§2.1): no leading BOM, no NUL, no lone surrogate. A schema has one `pattern`, so the second is in allOf. */
function text(min: number, max: number, errorDetail: string): ReturnType<typeof Type.String> {
  return Type.String({
    ...(min > 0 ? { minLength: min } : {}),
    maxLength: max,
    pattern: NO_BOM_PATTERN,
    allOf: [{ pattern: STORABLE_TEXT_PATTERN }],
    'x-errorDetail': errorDetail,
  });
}

export const channelTypeSchema = Type.Unsafe<Channel>({
  type: 'string',
  enum: [...CHANNELS],
  'x-errorDetail': `must be one of ${CHANNELS.join(', ')}`,
});

const senderName = text(1, 64, 'must be a string of 1-64 characters');
const voicecodeSenderName = Type.Literal('voicecode', { 'x-errorDetail': 'must be exactly "voicecode"' });
const destination = Type.String({ pattern: MSISDN_PATTERN, 'x-errorDetail': 'must be 10-15 digits with an optional leading +' });

const voicecodeContent = Type.Object(
  {
    contentType: Type.Literal('text', { 'x-errorDetail': 'must be "text"' }),
    text: Type.String({
      minLength: 1,
      maxLength: 1000,
      pattern: VOICECODE_TEMPLATE_PATTERN,
      'x-errorDetail': 'does not match the VOICECODE template',
    }),
  },
  { 'x-errorDetail': 'must be an object with contentType "text" and text' },
);

/** The FLASHCALL code for an account's allowed lengths (§6.2.1): exactly N ASCII digits. */
export function flashcallContentSchema(lengths: readonly number[]): ReturnType<typeof Type.String> {
  const alternatives = lengths.map((n) => `[0-9]{${n}}`).join('|');
  const wording = lengths.length === 1 ? `${lengths[0]}` : `${lengths.slice(0, -1).join(', ')} or ${lengths.at(-1)}`;
  return Type.String({ pattern: `^(?:${alternatives})$`, 'x-errorDetail': `must be a string of exactly ${wording} digits` });
}
/** For the docs: the widest setting. The validator uses the account's variant. */
const flashcallContent = Type.String({
  pattern: '^[0-9]{4,6}$',
  description: "The code: exactly 4 ASCII digits, or another length from 4 to 6 allowed for the account",
});

const longText = text(1, 2048, 'must be a string of 1-2048 characters');

export const whatsappTextContentSchema = Type.Object({
  contentType: Type.Literal('text', { 'x-errorDetail': 'must be "text" or "template"' }),
  text: text(1, 4096, 'must be a string of 1-4096 characters'),
});
export const whatsappTemplateContentSchema = Type.Object({
  contentType: Type.Literal('template', { 'x-errorDetail': 'must be "text" or "template"' }),
  templateId: text(1, 512, 'must be a string of 1-512 characters'),
  language: Type.String({ pattern: '^[a-z]{2,3}(_[A-Z]{2})?$', 'x-errorDetail': 'must be a language code such as ru or en_US' }),
  parameters: Type.Optional(
    Type.Array(text(1, 1024, 'must be a string of 1-1024 characters'), {
      maxItems: 20,
      'x-errorDetail': 'must be an array of at most 20 strings',
    }),
  ),
});
const whatsappContent = Type.Union([whatsappTextContentSchema, whatsappTemplateContentSchema], {
  'x-errorDetail': 'must be an object with contentType "text" or "template"',
});

const ttl = (min: number) => Type.Optional(Type.Integer({ minimum: min, maximum: 86_400, 'x-errorDetail': `must be an integer from ${min} to 86400` }));
const callTtl = ttl(30);
const textTtl = ttl(60);

const tags = Type.Optional(
  Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^\\w+$', 'x-errorDetail': 'must be 1-64 characters of A-Z, a-z, 0-9 or _' }), {
    maxItems: 20,
    'x-errorDetail': 'must be an array of at most 20 tags',
  }),
);
const externalMessageId = Type.Optional(text(0, 100, 'must be a string of at most 100 characters'));
const callbackUrl = Type.Optional(
  Type.String({ maxLength: CALLBACK_URL_MAX_LENGTH, format: 'uri', 'x-errorDetail': 'must be an absolute http or https URL of at most 2048 characters' }),
);
const callbackEvents = Type.Optional(
  Type.Array(Type.Unsafe<CallbackEvent>({ type: 'string', enum: [...CALLBACK_EVENTS], 'x-errorDetail': `must be one of ${CALLBACK_EVENTS.join(', ')}` }), {
    'x-errorDetail': 'must be an array of event names',
  }),
);
const boolean = Type.Optional(Type.Boolean({ 'x-errorDetail': 'must be true or false' }));
const wallClock = Type.Optional(Type.String({ pattern: WALL_CLOCK_PATTERN, 'x-errorDetail': 'must be a date and time as YYYY-MM-DD hh:mm:ss' }));
const hours = Type.Optional(
  Type.Array(Type.Integer({ minimum: 0, maximum: 23, 'x-errorDetail': 'must be an integer from 0 to 23' }), {
    minItems: 1,
    uniqueItems: true,
    'x-errorDetail': 'must be a non-empty array of unique hours 0-23',
  }),
);
const days = Type.Optional(
  Type.Array(Type.Integer({ minimum: 1, maximum: 7, 'x-errorDetail': 'must be an integer from 1 (Monday) to 7 (Sunday)' }), {
    minItems: 1,
    uniqueItems: true,
    'x-errorDetail': 'must be a non-empty array of unique weekdays 1-7',
  }),
);

const callbackProperties = { callbackUrl, callbackEvents };
const scheduleProperties = {
  useLocalTime: boolean,
  localSendTime: wallClock,
  localCompletionTime: wallClock,
  hours,
  days,
  shortUrl: boolean,
};

export const voicecodeItemSchema = Type.Object({
  channelType: Type.Literal('VOICECODE'),
  senderName: voicecodeSenderName,
  destination,
  content: voicecodeContent,
  ttl: callTtl,
  tags,
  externalMessageId,
  ...callbackProperties,
});
export const flashcallItemSchema = Type.Object({
  channelType: Type.Literal('FLASHCALL'),
  senderName,
  destination,
  content: flashcallContent,
  ttl: callTtl,
  tags,
  externalMessageId,
  ...callbackProperties,
});
export const smsItemSchema = Type.Object({
  channelType: Type.Literal('SMS'),
  senderName,
  destination,
  content: longText,
  ttl: textTtl,
  tags,
  externalMessageId,
  ...callbackProperties,
  ...scheduleProperties,
});
export const whatsappItemSchema = Type.Object({
  channelType: Type.Literal('WHATSAPP'),
  senderName,
  destination,
  content: whatsappContent,
  ttl: textTtl,
  tags,
  externalMessageId,
  ...callbackProperties,
  ...scheduleProperties,
});
export const vkItemSchema = Type.Object({
  channelType: Type.Literal('VK'),
  senderName,
  destination,
  content: longText,
  ttl: textTtl,
  tags,
  externalMessageId,
  ...callbackProperties,
  ...scheduleProperties,
});

export const messageItemSchemas = {
  VOICECODE: voicecodeItemSchema,
  FLASHCALL: flashcallItemSchema,
  SMS: smsItemSchema,
  WHATSAPP: whatsappItemSchema,
  VK: vkItemSchema,
} satisfies Record<Channel, TSchema>;

/**
 * The request body (§5.1), for the docs. The gateway also accepts `null` in optional fields (= absent), ignores unknown
 * fields, and checks more than a schema can (FLASHCALL code length per account, time ranges): use validateBatch.
 */
export const sendRequestSchema = Type.Array(
  Type.Union([voicecodeItemSchema, flashcallItemSchema, smsItemSchema, whatsappItemSchema, vkItemSchema]),
  { minItems: 1, maxItems: 1000 },
);

export type MessageItem = Static<typeof sendRequestSchema>[number];
