import { Type, type SchemaOptions, type Static, type StringOptions, type TSchema } from '@sinclair/typebox';
import { DIRECTIONS, FILTER_CHANNELS, SENDING_METHODS, STATUSES, TRAFFIC_TYPES } from './channels.js';
import type { Direction } from './channels.js';
import { compileInOrder, type QueryValues } from './checkInOrder.js';
import { MSISDN_PATTERN, normalizeMsisdn } from './msisdn.js';
import { isUuid } from './messageUuid.js';
import { parseTimestamp } from './timestamp.js';

export type { QueryValues } from './checkInOrder.js';

/** A parsed `GET /api/v1/message` query (spec §8.1). Empty arrays mean "no filter". */
export interface MessageFilter {
  messageUuids: string[];
  destinations: string[];
  statuses: string[];
  channelTypes: string[];
  senderNames: string[];
  tags: string[];
  trafficTypes: string[];
  sendingMethods: string[];
  trafficCenterIds: number[];
  countryCodes: string[];
  direction: Direction[];
  /** Inclusive / exclusive bounds on the message time, epoch ms. */
  timeFrom: number | null;
  timeTo: number | null;
  /** Case-insensitive substring of the text. */
  content: string | null;
  contentNor: string | null;
  readyToStop: boolean | null;
  /** Filters that can match nothing in v1 (templates, dispatches, cascades). */
  matchesNothing: boolean;
}

export interface MessagePage {
  sort: 'created_time' | '-created_time';
  offset: number;
  limit: number;
}

export type ParsedListQuery = { ok: true; filter: MessageFilter; page: MessagePage } | { ok: false; parameter: string };

const MAX_WINDOW = 10_000;

const Enum = <T extends string>(values: readonly T[], options: SchemaOptions = {}) => Type.Union(values.map((v) => Type.Literal(v)), options);
/** Text of any kind: every query value must also be storable (checkInOrder.ts). */
const text = (description?: string) => Type.String(description === undefined ? {} : { description });
const pattern = (regex: string, description?: string) => Type.String({ pattern: regex, ...(description === undefined ? {} : { description }) });
const boolean = Enum(['true', 'false'] as const);
/** A positive integer of at most 9 digits, written without a sign or leading zero. */
const positiveInteger = (options: StringOptions) => Type.String({ pattern: '^[1-9][0-9]{0,8}$', ...options });
/** A parameter marked "multiple" (§2.5); the others take their last value. */
const repeated = <T extends TSchema>(value: T, description: string, defaultValue?: string[]) =>
  Type.Optional(
    Type.Array(value, { description: `${description}; repeat the key for several values`, ...(defaultValue ? { default: defaultValue } : {}) }),
  );

/**
 * The parameters of `GET /api/v1/message` (spec §8.1): the only list of them. It validates (checkInOrder.ts, through
 * Fastify or parseListQuery), types (ListQuery) and documents (OpenAPI). Property order is the order they are checked
 * in: the first invalid one is named, `Invalid <parameter>`. Unknown parameters are ignored (§2.5).
 */
export const listQuerySchema = Type.Object({
  page: Type.Optional(positiveInteger({ default: '1' })),
  per_page: Type.Optional(
    positiveInteger({ default: '100', description: 'page × per_page ≤ 10000', 'x-maxProductWith': { property: 'page', max: MAX_WINDOW } }),
  ),
  sort: Type.Optional(Enum(['created_time', '-created_time'] as const, { default: '-created_time' })),
  destination: repeated(pattern(MSISDN_PATTERN), 'Destination number'),
  traffic_center_id: repeated(pattern('^[0-9]{1,9}$'), 'Traffic centre id'),
  dispatch_id: repeated(pattern('^[0-9]{1,18}$'), 'Matches nothing in v1'),
  country_code: repeated(pattern('^[A-Za-z]{2}$'), 'ISO 3166-1 alpha-2'),
  message_uuid: repeated(text(), 'Message uuid'),
  cascade_message_uuid: Type.Optional(text('Matches nothing in v1')),
  dispatch: Type.Optional(boolean),
  root: Type.Optional(boolean),
  direction: repeated(Enum(DIRECTIONS), 'outbound (default) or inbound', ['outbound']),
  status: repeated(Enum(STATUSES), 'Status'),
  channel_type: repeated(Enum(FILTER_CHANNELS), 'Channel'),
  sender_name: repeated(text(), 'Sender name, exact'),
  tags: repeated(text(), 'Has any of these tags'),
  traffic_type: repeated(Enum(TRAFFIC_TYPES), 'Traffic type'),
  sending_method: repeated(Enum(SENDING_METHODS), 'API, UI or SMPP'),
  time_from: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive, RFC 3339' })),
  time_to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive, RFC 3339' })),
  content: Type.Optional(text('Text contains, case-insensitive')),
  content_nor: Type.Optional(text('Text does not contain')),
  ready_to_stop: Type.Optional(boolean),
  template_id: repeated(text(), 'Matches nothing in v1'),
});

/** A checked query: single parameters hold their last value, absent ones with a default hold it. */
export type ListQuery = Static<typeof listQuerySchema>;

const checkListQuery = compileInOrder(listQuerySchema, { repeated: true });

/** The query as repeated values, checked and read: for callers that are not the HTTP door (which checks it first). */
export function parseListQuery(values: QueryValues): ParsedListQuery {
  const checked = checkListQuery(values);
  if (!checked.ok) return { ok: false, parameter: checked.field ?? 'request' };
  return { ok: true, ...readListQuery(checked.value) };
}

const asBoolean = (value: 'true' | 'false' | undefined): boolean | null => (value === undefined ? null : value === 'true');
const asTime = (value: string | undefined): number | null => (value === undefined ? null : parseTimestamp(value));

type Defaulted = 'page' | 'per_page' | 'sort' | 'direction';

/** The filter and page of a checked query (listQuerySchema). */
export function readListQuery(query: ListQuery): { filter: MessageFilter; page: MessagePage } {
  // The check filled these in; read from the schema for a query built by hand.
  const given = <K extends Defaulted>(name: K) => (query[name] ?? listQuerySchema.properties[name].default) as NonNullable<ListQuery[K]>;
  const page = Number(given('page'));
  const perPage = Number(given('per_page'));
  const messageUuids = (query.message_uuid ?? []).map((v) => v.toLowerCase());
  const filter: MessageFilter = {
    messageUuids,
    destinations: (query.destination ?? []).map(normalizeMsisdn),
    statuses: query.status ?? [],
    channelTypes: query.channel_type ?? [],
    senderNames: query.sender_name ?? [],
    tags: query.tags ?? [],
    trafficTypes: query.traffic_type ?? [],
    sendingMethods: query.sending_method ?? [],
    trafficCenterIds: (query.traffic_center_id ?? []).map(Number),
    countryCodes: (query.country_code ?? []).map((v) => v.toUpperCase()),
    direction: given('direction'),
    timeFrom: asTime(query.time_from),
    timeTo: asTime(query.time_to),
    content: query.content ?? null,
    contentNor: query.content_nor ?? null,
    readyToStop: asBoolean(query.ready_to_stop),
    matchesNothing:
      (query.template_id ?? []).length > 0 ||
      (query.dispatch_id ?? []).length > 0 ||
      query.dispatch === 'true' ||
      query.root === 'false' ||
      query.cascade_message_uuid !== undefined ||
      (messageUuids.length > 0 && !messageUuids.some((u) => isUuid(u))),
  };
  if (filter.timeFrom !== null && filter.timeTo !== null && filter.timeFrom >= filter.timeTo) filter.matchesNothing = true;
  return { filter, page: { sort: given('sort'), offset: (page - 1) * perPage, limit: perPage } };
}
