/** Validation of the `POST /api/v1/message` body (spec §5.2 steps 3–4, §5.5) into message drafts. */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import { SCHEDULED_CHANNELS, isChannel, type CallbackEvent, type Channel } from './channels.js';
import { parseCallbackUrl, withoutFragment } from './callbackUrl.js';
import {
  channelTypeSchema,
  flashcallContentSchema,
  messageItemSchemas,
  whatsappTemplateContentSchema,
  whatsappTextContentSchema,
} from './itemFields.js';
import type { MessageContent, MessageDraft } from './message.js';
import { normalizeMsisdn } from './msisdn.js';
import { localCompletionTimeProblem, localSendTimeProblem } from './scheduleFields.js';
import { countSmsParts } from './smsParts.js';
import { MAX_SHORT_LINKS, linksIn } from './shortLinks.js';
import { NO_BOM_PATTERN, STORABLE_TEXT_PATTERN } from './textRules.js';

export interface ValidationContext {
  /** Epoch ms. */
  now: number;
  /** The account's allowed FLASHCALL code lengths: a subset of 4..6, default [4]. */
  flashcallCodeLengths: number[];
}
export interface ValidationDetail {
  index: number;
  field: string;
  msg: string;
}
export type BatchValidation =
  | { ok: true; drafts: MessageDraft[] }
  /** details null = envelope failure: the response has no `details` key. */
  | { ok: false; msg: string; details: ValidationDetail[] | null };

export const MAX_BATCH_ITEMS = 1000;
export const MAX_DETAILS = 100;

type Item = Record<string, unknown>;
interface Issue {
  /** JSON path within the item. */
  field: string;
  msg: string;
  /** The top-level `error.msg` when this is the first failure. */
  reason: string;
}
interface BatchState {
  now: number;
  flashcall: SchemaCheck;
}
type FieldCheck = (value: unknown, item: Item, state: BatchState) => Issue[] | null;
interface FieldRule {
  name: string;
  required: boolean;
  reason: string;
  check: FieldCheck;
}

// Compiled once here; nothing is compiled per request.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });

/** The text rules of §2.1 hold for every text field, so they are worded once, not per field. */
const TEXT_RULE_WORDING = new Map([
  [NO_BOM_PATTERN, 'must not begin with U+FEFF (BOM)'],
  [STORABLE_TEXT_PATTERN, 'must not hold a NUL or a lone surrogate (U+D800-U+DFFF not in a pair)'],
]);

/** A compiled schema plus the way to word its failures. */
class SchemaCheck {
  private readonly validate: ValidateFunction;
  constructor(private readonly schema: TSchema) {
    this.validate = ajv.compile(schema);
  }
  issues(value: unknown, base: string, reason: string): Issue[] | null {
    if (this.validate(value)) return null;
    const issues: Issue[] = [];
    for (const error of this.validate.errors ?? []) {
      const issue = this.describe(error, base, reason);
      // One entry per path: allErrors may report several keywords for one value.
      if (!issues.some((i) => i.field === issue.field)) issues.push(issue);
    }
    return issues;
  }
  private describe(error: ErrorObject, base: string, reason: string): Issue {
    if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return { field: base + jsonPath(`${error.instancePath}/${missing}`), msg: 'is required', reason };
    }
    const pattern = error.keyword === 'pattern' ? (error.params as { pattern: string }).pattern : '';
    const msg = TEXT_RULE_WORDING.get(pattern) ?? detailAt(this.schema, error.schemaPath);
    return { field: base + jsonPath(error.instancePath), msg, reason };
  }
}

/** The deepest `x-errorDetail` (an OpenAPI extension keyword) on the way from the field's schema to the failing keyword. */
function detailAt(schema: TSchema, schemaPath: string): string {
  let node: unknown = schema;
  let detail = (schema['x-errorDetail'] as string | undefined) ?? 'is invalid';
  for (const segment of schemaPath.split('/').slice(1, -1)) {
    node = (node as Record<string, unknown> | undefined)?.[segment];
    const here = (node as { 'x-errorDetail'?: unknown } | undefined)?.['x-errorDetail'];
    if (typeof here === 'string') detail = here;
  }
  return detail;
}

/** `/parameters/2` → `.parameters[2]`: our schemas have no numeric property names. */
function jsonPath(pointer: string): string {
  let path = '';
  for (const segment of pointer.split('/').slice(1)) path += /^[0-9]+$/.test(segment) ? `[${segment}]` : `.${segment}`;
  return path;
}

function reasonOf(field: string): string {
  return field === 'destination' ? 'Invalid msisdn' : `Invalid ${field}`;
}

/** A schema check, then an optional rule a schema cannot express (ranges against now, URL grammar). */
function schemaField(schema: TSchema, name: string, extra?: (value: never, item: Item, state: BatchState) => string | null): FieldCheck {
  const check = new SchemaCheck(schema);
  const reason = reasonOf(name);
  return (value, item, state) => {
    const issues = check.issues(value, name, reason);
    if (issues !== null || extra === undefined) return issues;
    const problem = extra(value as never, item, state);
    return problem === null ? null : [{ field: name, msg: problem, reason }];
  };
}

const flashcallChecks = new Map<string, SchemaCheck>();
for (let mask = 1; mask < 8; mask++) {
  const lengths = [4, 5, 6].filter((_, bit) => mask & (1 << bit));
  flashcallChecks.set(lengths.join(','), new SchemaCheck(flashcallContentSchema(lengths)));
}
function flashcallCheckFor(lengths: readonly number[]): SchemaCheck {
  const key = [...new Set(lengths)].filter((n) => n >= 4 && n <= 6).sort().join(',');
  return flashcallChecks.get(key) ?? flashcallChecks.get('4')!;
}

const whatsappText = new SchemaCheck(whatsappTextContentSchema);
const whatsappTemplate = new SchemaCheck(whatsappTemplateContentSchema);
const whatsappContentReason = reasonOf('content');

/** §6.4: the variant is chosen by contentType, so failures speak about that variant only. */
const whatsappContentCheck: FieldCheck = (value, item) => {
  if (!isObject(value)) {
    return [{ field: 'content', msg: 'must be an object with contentType "text" or "template"', reason: whatsappContentReason }];
  }
  if (value.contentType === 'text') {
    const issues = whatsappText.issues(value, 'content', whatsappContentReason);
    const problem = issues === null ? linkCapProblem(value.text, item) : null;
    return problem === null ? issues : [{ field: 'content.text', msg: problem, reason: whatsappContentReason }];
  }
  if (value.contentType === 'template') {
    // null = absent also inside the template; ajv skips undefined properties.
    const content = value.parameters === null ? { ...value, parameters: undefined } : value;
    return whatsappTemplate.issues(content, 'content', whatsappContentReason);
  }
  const msg = value.contentType === undefined || value.contentType === null ? 'is required' : 'must be "text" or "template"';
  return [{ field: 'content.contentType', msg, reason: whatsappContentReason }];
};

const flashcallContentCheck: FieldCheck = (value, _item, state) => state.flashcall.issues(value, 'content', reasonOf('content'));

/** §5.11: with shortUrl, every link becomes a stored row, so a text holds at most MAX_SHORT_LINKS of them. */
function linkCapProblem(text: unknown, item: Item): string | null {
  // shortUrl is not defined for the call channels (§5.4): there it is ignored, and so is the cap.
  if (item.shortUrl !== true || typeof text !== 'string' || !SCHEDULED_CHANNELS.includes(item.channelType as Channel)) return null;
  return linksIn(text).length > MAX_SHORT_LINKS ? `must hold at most ${MAX_SHORT_LINKS} links when shortUrl is true` : null;
}

const extraRules: Record<string, (value: never, item: Item, state: BatchState) => string | null> = {
  content: (value: unknown, item) => linkCapProblem(value, item),
  callbackUrl: (value: string) => (parseCallbackUrl(value) === null ? 'must be an absolute http or https URL' : null),
  localSendTime: (value: string, _item, state) => localSendTimeProblem(value, state.now),
  localCompletionTime: (value: string, item, state) =>
    localCompletionTimeProblem(value, typeof item.localSendTime === 'string' ? item.localSendTime : null, state.now),
};

function rulesFor(channel: Channel): FieldRule[] {
  const schema = messageItemSchemas[channel];
  const required = new Set<string>(schema.required ?? []);
  const rules: FieldRule[] = [];
  for (const [name, fieldSchema] of Object.entries(schema.properties as Record<string, TSchema>)) {
    if (name === 'channelType') continue;
    let check: FieldCheck;
    if (name === 'content' && channel === 'FLASHCALL') check = flashcallContentCheck;
    else if (name === 'content' && channel === 'WHATSAPP') check = whatsappContentCheck;
    else check = schemaField(fieldSchema, name, extraRules[name]);
    rules.push({ name, required: required.has(name), reason: reasonOf(name), check });
  }
  return rules;
}

const RULES: Record<Channel, FieldRule[]> = {
  VOICECODE: rulesFor('VOICECODE'),
  FLASHCALL: rulesFor('FLASHCALL'),
  SMS: rulesFor('SMS'),
  WHATSAPP: rulesFor('WHATSAPP'),
  VK: rulesFor('VK'),
};

function isObject(value: unknown): value is Item {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every failure of one item in field order, or null when it is valid. */
function itemIssues(item: unknown, state: BatchState): Issue[] | null {
  if (!isObject(item)) return [{ field: '', msg: 'Invalid request', reason: 'Invalid request' }];
  const channel = item.channelType;
  if (!isChannel(channel)) {
    const msg = channel === undefined || channel === null ? 'is required' : (channelTypeSchema['x-errorDetail'] as string);
    return [{ field: 'channelType', msg, reason: reasonOf('channelType') }];
  }
  let issues: Issue[] | null = null;
  for (const rule of RULES[channel]) {
    const value = item[rule.name];
    let found: Issue[] | null;
    if (value === undefined || value === null) {
      found = rule.required ? [{ field: rule.name, msg: 'is required', reason: rule.reason }] : null;
    } else {
      found = rule.check(value, item, state);
    }
    if (found !== null) (issues ??= []).push(...found);
  }
  return issues;
}

export function validateBatch(body: unknown, context: ValidationContext): BatchValidation {
  if (!Array.isArray(body) || body.length === 0 || body.length > MAX_BATCH_ITEMS) {
    return { ok: false, msg: 'Invalid request', details: null };
  }
  const state: BatchState = { now: context.now, flashcall: flashcallCheckFor(context.flashcallCodeLengths) };
  const drafts: MessageDraft[] = [];
  const details: ValidationDetail[] = [];
  let msg: string | null = null;
  for (let index = 0; index < body.length; index++) {
    const item: unknown = body[index];
    const issues = itemIssues(item, state);
    if (issues === null) {
      // Drafts are useless once any item failed.
      if (msg === null) drafts.push(toDraft(item as Item));
      continue;
    }
    msg ??= issues[0]!.reason;
    for (const issue of issues) {
      details.push({ index, field: issue.field, msg: issue.msg });
      if (details.length === MAX_DETAILS) return { ok: false, msg, details };
    }
  }
  return msg === null ? { ok: true, drafts } : { ok: false, msg, details };
}

/** A valid item → its normalised draft, every optional field resolved to the value in effect. */
function toDraft(item: Item): MessageDraft {
  const channel = item.channelType as Channel;
  const scheduled = SCHEDULED_CHANNELS.includes(channel);
  const content = draftContent(channel, item.content);
  const callbackUrl = typeof item.callbackUrl === 'string' ? withoutFragment(item.callbackUrl) : null;
  return {
    channelType: channel,
    senderName: item.senderName as string,
    destination: normalizeMsisdn(item.destination as string),
    content,
    ttl: (item.ttl as number | null | undefined) ?? null,
    tags: (item.tags as string[] | null | undefined)?.slice() ?? [],
    externalMessageId: (item.externalMessageId as string | null | undefined) ?? null,
    callbackUrl,
    callbackEvents: eventsInEffect(callbackUrl, item.callbackEvents as CallbackEvent[] | null | undefined),
    useLocalTime: scheduled ? ((item.useLocalTime as boolean | null | undefined) ?? true) : null,
    localSendTime: scheduled ? ((item.localSendTime as string | null | undefined) ?? null) : null,
    localCompletionTime: scheduled ? ((item.localCompletionTime as string | null | undefined) ?? null) : null,
    hours: scheduled ? ((item.hours as number[] | null | undefined)?.slice() ?? null) : null,
    days: scheduled ? ((item.days as number[] | null | undefined)?.slice() ?? null) : null,
    shortUrl: scheduled ? ((item.shortUrl as boolean | null | undefined) ?? false) : null,
    totalParts: channel === 'SMS' ? countSmsParts(content as string).parts : 1,
  };
}

/** Only the keys a channel defines are kept (§6.1.1: other keys in content are ignored). */
function draftContent(channel: Channel, content: unknown): MessageContent {
  if (typeof content === 'string') return content;
  const object = content as Item;
  if (channel === 'WHATSAPP' && object.contentType === 'template') {
    return {
      contentType: 'template',
      templateId: object.templateId as string,
      language: object.language as string,
      parameters: (object.parameters as string[] | null | undefined)?.slice() ?? [],
    };
  }
  return { contentType: 'text', text: object.text as string };
}

/** §5.10: deduplicated; a URL with no (or no non-empty) events gets ['delivered']; events without a URL are kept. */
function eventsInEffect(callbackUrl: string | null, events: CallbackEvent[] | null | undefined): CallbackEvent[] | null {
  if (events !== null && events !== undefined && events.length > 0) return [...new Set(events)];
  return callbackUrl === null ? null : ['delivered'];
}
