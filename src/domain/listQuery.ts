import { DIRECTIONS, FILTER_CHANNELS, SENDING_METHODS, STATUSES, TRAFFIC_TYPES } from './channels.js';
import type { Direction } from './channels.js';
import { MSISDN_PATTERN, normalizeMsisdn } from './msisdn.js';
import { isStorableText } from './textRules.js';
import { isUuid } from './messageUuid.js';

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

export type ParsedListQuery = { ok: true; filter: MessageFilter; page: MessagePage } | { ok: false; msg: string };

/** The query as a map of repeated values, e.g. from URLSearchParams; only its own keys count (`constructor` is a key). */
export type QueryValues = Readonly<Record<string, readonly string[]>>;

const MAX_WINDOW = 10_000;
const msisdnRegex = new RegExp(MSISDN_PATTERN);
const positiveInteger = /^[1-9][0-9]{0,8}$/;
/** RFC 3339: the doc's `2020-01-01T00:00:00Z`, also with an offset or fractional seconds (§2.2). */
const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

class InvalidParameter extends Error {}

export function parseTimestamp(text: string): number | null {
  if (!timestampPattern.test(text)) return null;
  const [date, time] = text.toUpperCase().split('T') as [string, string];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm, ss] = time.slice(0, 8).split(':').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d, hh, mm, ss));
  const valid =
    probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d && hh < 24 && mm < 60 && ss < 60;
  if (!valid) return null;
  const ms = Date.parse(text.toUpperCase());
  if (Number.isNaN(ms)) return null;
  // Message times are whole milliseconds: a finer fraction rounds up, keeping both bounds exact.
  const fraction = /\.(\d+)/.exec(time)?.[1] ?? '';
  return /[1-9]/.test(fraction.slice(3)) ? ms + 1 : ms;
}

export function parseListQuery(query: QueryValues): ParsedListQuery {
  try {
    return parseOrThrow(query);
  } catch (error) {
    if (error instanceof InvalidParameter) return { ok: false, msg: `Invalid ${error.message}` };
    throw error;
  }
}

function parseOrThrow(query: QueryValues): ParsedListQuery {
  // A NUL cannot be matched against stored text (PostgreSQL refuses it in a parameter): it is an invalid value (§2.1).
  const all = (name: string): string[] =>
    Object.hasOwn(query, name) ? query[name]!.map((v) => (isStorableText(v) ? v : fail(name))) : [];
  const last = (name: string): string | undefined => all(name).at(-1);
  const fail = (name: string): never => {
    throw new InvalidParameter(name);
  };
  const oneOf = (name: string, allowed: readonly string[]): string[] =>
    all(name).map((v) => (allowed.includes(v) ? v : fail(name)));
  const bool = (name: string): boolean | null => {
    const value = last(name);
    if (value === undefined) return null;
    if (value === 'true' || value === 'false') return value === 'true';
    return fail(name);
  };
  const int = (name: string, fallback: number): number => {
    const value = last(name);
    if (value === undefined) return fallback;
    return positiveInteger.test(value) ? Number(value) : fail(name);
  };
  const time = (name: string): number | null => {
    const value = last(name);
    if (value === undefined) return null;
    return parseTimestamp(value) ?? fail(name);
  };

  const page = int('page', 1);
  const perPage = int('per_page', 100);
  if (page * perPage > MAX_WINDOW) fail('per_page');
  const sortValue = last('sort') ?? '-created_time';
  if (sortValue !== 'created_time' && sortValue !== '-created_time') fail('sort');

  const destinations = all('destination').map((v) => (msisdnRegex.test(v) ? normalizeMsisdn(v) : fail('destination')));
  const trafficCenterIds = all('traffic_center_id').map((v) => (/^[0-9]{1,9}$/.test(v) ? Number(v) : fail('traffic_center_id')));
  const dispatchIds = all('dispatch_id').map((v) => (/^[0-9]{1,18}$/.test(v) ? v : fail('dispatch_id')));
  const countryCodes = all('country_code').map((v) => (/^[A-Za-z]{2}$/.test(v) ? v.toUpperCase() : fail('country_code')));
  const messageUuids = all('message_uuid').map((v) => v.toLowerCase());
  const cascadeUuid = last('cascade_message_uuid');
  const dispatch = bool('dispatch');
  const root = bool('root');
  const direction = oneOf('direction', DIRECTIONS) as Direction[];

  const filter: MessageFilter = {
    messageUuids,
    destinations,
    statuses: oneOf('status', STATUSES),
    channelTypes: oneOf('channel_type', FILTER_CHANNELS),
    senderNames: all('sender_name'),
    tags: all('tags'),
    trafficTypes: oneOf('traffic_type', TRAFFIC_TYPES),
    sendingMethods: oneOf('sending_method', SENDING_METHODS),
    trafficCenterIds,
    countryCodes,
    direction: direction.length > 0 ? direction : ['outbound'],
    timeFrom: time('time_from'),
    timeTo: time('time_to'),
    content: last('content') ?? null,
    contentNor: last('content_nor') ?? null,
    readyToStop: bool('ready_to_stop'),
    matchesNothing:
      all('template_id').length > 0 ||
      dispatchIds.length > 0 ||
      dispatch === true ||
      root === false ||
      cascadeUuid !== undefined ||
      (messageUuids.length > 0 && !messageUuids.some((u) => isUuid(u))),
  };
  if (filter.timeFrom !== null && filter.timeTo !== null && filter.timeFrom >= filter.timeTo) filter.matchesNothing = true;
  return {
    ok: true,
    filter,
    page: { sort: sortValue as MessagePage['sort'], offset: (page - 1) * perPage, limit: perPage },
  };
}
