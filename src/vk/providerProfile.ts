/**
 * The provider profile (README "VK", "The provider API"): the JSON shape most VK-notification aggregators share,
 * with field names an operator can rename per provider. One request carries up to 1000 items:
 *
 *   POST {baseUrl}/vk/messages  {"messages": [{phone, service, text, routes: ["VK"], validity, callbackUrl, callbackData}]}
 *   200 {"messages": [{id, callbackData} | {callbackData, error: {code, message}}]}
 *
 * and status callbacks come as one object, or an array of them: {id, callbackData, status, reason?, time}.
 * Nothing here decides what a code means (domain/vkOutcomes.ts).
 */

/** The profile's field names; an operator renames those their provider spells otherwise. */
export interface ProviderFieldNames {
  phone: string;
  service: string;
  text: string;
  routes: string;
  validity: string;
  callbackUrl: string;
  callbackData: string;
  id: string;
  error: string;
  status: string;
  reason: string;
  time: string;
}

export const DEFAULT_FIELD_NAMES: ProviderFieldNames = {
  phone: 'phone',
  service: 'service',
  text: 'text',
  routes: 'routes',
  validity: 'validity',
  callbackUrl: 'callbackUrl',
  callbackData: 'callbackData',
  id: 'id',
  error: 'error',
  status: 'status',
  reason: 'reason',
  time: 'time',
};

/** Items per request, as the profile allows. */
export const MAX_ITEMS_PER_REQUEST = 1000;

export interface ProviderItem {
  phone: string;
  service: string;
  text: string;
  validitySeconds: number;
  callbackUrl: string | null;
  /** The message uuid: the provider deduplicates by it, and a retried request never sends twice. */
  callbackData: string;
}

export function sendBody(items: readonly ProviderItem[], names: ProviderFieldNames): { messages: Record<string, unknown>[] } {
  return {
    messages: items.map((item) => {
      const row: Record<string, unknown> = {
        [names.phone]: item.phone,
        [names.service]: item.service,
        [names.text]: item.text,
        [names.routes]: ['VK'],
        [names.validity]: item.validitySeconds,
      };
      if (item.callbackUrl !== null) row[names.callbackUrl] = item.callbackUrl;
      row[names.callbackData] = item.callbackData;
      return row;
    }),
  };
}

/** One item's answer: the provider's id, or its error code and message. */
export type ItemResult = { ok: true; id: string } | { ok: false; code: string; message: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function idOf(value: unknown): string | null {
  if (typeof value === 'string' && value.length > 0 && value.length <= 256) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

function itemResult(row: unknown, names: ProviderFieldNames): ItemResult | null {
  if (!isObject(row)) return null;
  const error = row[names.error];
  if (isObject(error)) {
    const code = typeof error.code === 'string' || typeof error.code === 'number' ? String(error.code) : 'unknown';
    return { ok: false, code, message: typeof error.message === 'string' ? error.message.slice(0, 500) : '' };
  }
  const id = idOf(row[names.id]);
  return id === null ? null : { ok: true, id };
}

/**
 * The answer's results in the request's order, found by `callbackData` (or, for rows without it, by position);
 * null for an item the answer says nothing about. Null overall when the answer is not shaped as the profile says.
 */
export function readSendAnswer(answer: unknown, callbackData: readonly string[], names: ProviderFieldNames): (ItemResult | null)[] | null {
  if (!isObject(answer) || !Array.isArray(answer.messages)) return null;
  const rows: unknown[] = answer.messages;
  const byData = new Map<string, ItemResult | null>();
  rows.forEach((row) => {
    const data = isObject(row) ? row[names.callbackData] : undefined;
    if (typeof data === 'string') byData.set(data, itemResult(row, names));
  });
  return callbackData.map((data, index) => {
    if (byData.has(data)) return byData.get(data)!;
    const row = rows[index];
    return isObject(row) && row[names.callbackData] === undefined ? itemResult(row, names) : null;
  });
}

/** A status callback, read. */
export interface StatusCallback {
  id: string;
  callbackData: string | null;
  status: string;
  reason: string | null;
  at: number;
}

/** Unix seconds or ms as a number, or an ISO 8601 / RFC 3339 time; null otherwise. */
function timeOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value < 1e12 ? Math.round(value * 1000) : Math.round(value);
  if (typeof value === 'string' && value.length <= 64 && /^\d{4}-\d{2}-\d{2}[T ]/.test(value)) {
    const at = Date.parse(value);
    return Number.isNaN(at) ? null : at;
  }
  return null;
}

function statusCallback(row: unknown, names: ProviderFieldNames): StatusCallback | null {
  if (!isObject(row)) return null;
  const id = idOf(row[names.id]);
  const status = row[names.status];
  const at = timeOf(row[names.time]);
  const data = row[names.callbackData];
  const reason = row[names.reason];
  if (id === null || typeof status !== 'string' || status.length > 64 || at === null) return null;
  return {
    id,
    callbackData: typeof data === 'string' ? data : null,
    status,
    reason: typeof reason === 'string' ? reason.slice(0, 128) : null,
    at,
  };
}

/** Most callbacks one body may carry: a larger body is not a provider's. */
const MAX_CALLBACKS_PER_BODY = 10_000;

/** The callbacks of a body (one object or an array), or null when any of them is not shaped as the profile says. */
export function readStatusCallbacks(body: unknown, names: ProviderFieldNames): StatusCallback[] | null {
  const rows = Array.isArray(body) ? body : [body];
  if (rows.length === 0 || rows.length > MAX_CALLBACKS_PER_BODY) return null;
  const read: StatusCallback[] = [];
  for (const row of rows) {
    const callback = statusCallback(row, names);
    if (callback === null) return null;
    read.push(callback);
  }
  return read;
}
