/**
 * The VK-notifications provider stand-in's reading of a send body (vkProviderStandIn.ts): the whole request is
 * refused with 400 `invalid_request` when it is not `{"messages": [item, …]}` with 1–1000 items, or when any item
 * lacks `phone`, `service` or `callbackData`, has `routes` without "VK", a `validity` outside 15–86400 seconds, or
 * neither `text` nor `templateId` (`templateData`, when given, must be an object). The message names the field.
 */

export const MAX_ITEMS = 1000;
export const MIN_VALIDITY_S = 15;
export const MAX_VALIDITY_S = 86_400;

/** One item of a send, as read. */
export interface ProviderSendItem {
  phone: string;
  service: string;
  /** Null for a template item. */
  text: string | null;
  templateId: string | null;
  templateData: Record<string, unknown> | null;
  routes: string[];
  validity: number;
  callbackUrl: string | null;
  callbackData: string;
}

export type BodyCheck = { ok: true; items: ProviderSendItem[] } | { ok: false; message: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;

export function checkProviderBody(body: unknown): BodyCheck {
  if (!isObject(body)) return { ok: false, message: 'The body must be a JSON object {"messages": [...]}' };
  const messages = body.messages;
  if (!Array.isArray(messages)) return { ok: false, message: 'messages must be an array' };
  if (messages.length === 0) return { ok: false, message: 'messages must not be empty' };
  if (messages.length > MAX_ITEMS) return { ok: false, message: `messages has ${messages.length} items; at most ${MAX_ITEMS} per request` };
  const items: ProviderSendItem[] = [];
  for (const [index, row] of messages.entries()) {
    const checked = checkItem(row, `messages[${index}]`);
    if (typeof checked === 'string') return { ok: false, message: checked };
    items.push(checked);
  }
  return { ok: true, items };
}

function checkItem(row: unknown, at: string): ProviderSendItem | string {
  if (!isObject(row)) return `${at} must be an object`;
  if (!nonEmpty(row.phone)) return `${at}.phone is required`;
  if (!nonEmpty(row.service)) return `${at}.service is required`;
  if (!nonEmpty(row.callbackData)) return `${at}.callbackData is required`;
  const routes = row.routes;
  if (!Array.isArray(routes) || !routes.every((r) => typeof r === 'string')) return `${at}.routes must be an array of strings`;
  if (!routes.includes('VK')) return `${at}.routes must contain "VK"`;
  const validity = row.validity;
  if (typeof validity !== 'number' || !Number.isInteger(validity) || validity < MIN_VALIDITY_S || validity > MAX_VALIDITY_S) {
    return `${at}.validity must be an integer from ${MIN_VALIDITY_S} to ${MAX_VALIDITY_S} seconds`;
  }
  if (row.callbackUrl !== undefined && row.callbackUrl !== null && !nonEmpty(row.callbackUrl)) return `${at}.callbackUrl must be a URL`;
  const hasTemplate = (typeof row.templateId === 'string' && row.templateId.length > 0) || typeof row.templateId === 'number';
  if (row.text !== undefined && typeof row.text !== 'string') return `${at}.text must be a string`;
  if (!nonEmpty(row.text) && !hasTemplate) return `${at} needs text or templateId`;
  if (row.templateData !== undefined && !isObject(row.templateData)) return `${at}.templateData must be an object`;
  return {
    phone: row.phone,
    service: row.service,
    text: nonEmpty(row.text) ? row.text : null,
    templateId: hasTemplate ? String(row.templateId) : null,
    templateData: isObject(row.templateData) ? row.templateData : null,
    routes: routes as string[],
    validity,
    callbackUrl: nonEmpty(row.callbackUrl) ? row.callbackUrl : null,
    callbackData: row.callbackData,
  };
}
