import type { CallbackEvent, Channel, Direction, SendingMethod, Status, TrafficType } from '../../domain/channels.js';
import type { MessageContent, MessageRecord } from '../../domain/message.js';

/**
 * A messages row, as either database returns it: SQLite gives flags as 0/1 and tags as JSON text; PostgreSQL
 * gives booleans and tags as a parsed jsonb array. Everything else is the same column for column.
 */
export interface MessageRow {
  uuid: string;
  account_id: number;
  direction: string;
  channel_type: string;
  sender_name: string;
  destination: string;
  content: string;
  ttl: number | null;
  tags: string | string[];
  external_message_id: string | null;
  callback_url: string | null;
  callback_events: string | null;
  use_local_time: number | boolean | null;
  local_send_time: string | null;
  local_completion_time: string | null;
  hours: string | null;
  days: string | null;
  short_url: number | boolean | null;
  total_parts: number;
  traffic_type: string;
  traffic_center_id: number;
  sending_method: string;
  country_code: string | null;
  status: string;
  error_code: number | null;
  reserved: number;
  price_total: number | null;
  price_currency: string | null;
  price_parts: number | null;
  price_final: number | boolean | null;
  created_at: number;
  sent_at: number | null;
  status_at: number;
}

const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
const flag = (value: number | boolean | null): boolean | null => (value === null ? null : value === true || value === 1);

export function toMessage(row: MessageRow): MessageRecord {
  return {
    uuid: row.uuid,
    accountId: row.account_id,
    direction: row.direction as Direction,
    channelType: row.channel_type as Channel,
    senderName: row.sender_name,
    destination: row.destination,
    content: JSON.parse(row.content) as MessageContent,
    ttl: row.ttl,
    tags: typeof row.tags === 'string' ? (JSON.parse(row.tags) as string[]) : row.tags,
    externalMessageId: row.external_message_id,
    callbackUrl: row.callback_url,
    callbackEvents: json<CallbackEvent[]>(row.callback_events),
    useLocalTime: flag(row.use_local_time),
    localSendTime: row.local_send_time,
    localCompletionTime: row.local_completion_time,
    hours: json<number[]>(row.hours),
    days: json<number[]>(row.days),
    shortUrl: flag(row.short_url),
    totalParts: row.total_parts,
    trafficType: row.traffic_type as TrafficType,
    trafficCenterId: row.traffic_center_id,
    sendingMethod: row.sending_method as SendingMethod,
    countryCode: row.country_code,
    status: row.status as Status,
    errorCode: row.error_code,
    reserved: row.reserved,
    price:
      row.price_total === null
        ? null
        : { totalPrice: row.price_total, currency: row.price_currency!, invoicedParts: row.price_parts!, final: flag(row.price_final) === true },
    createdAt: row.created_at,
    sentAt: row.sent_at,
    statusAt: row.status_at,
  };
}

/** The searchable text of a message (§8.1 `content`): string content or `content.text`; templates have none. */
export function searchableText(content: MessageContent): string | null {
  if (typeof content === 'string') return content.toLowerCase();
  return content.contentType === 'text' ? content.text.toLowerCase() : null;
}
