import type { CallbackEvent, Channel, Direction, SendingMethod, Status, TrafficType } from '../../../domain/channels.js';
import type { MessageContent, MessageRecord } from '../../../domain/message.js';

export { searchableText } from '../../sqlite/messages/rows.js';

/** The columns a MessageRecord is built from, in one place for every query that returns messages. */
export const MESSAGE_COLUMNS = `
  uuid, account_id, direction, channel_type, sender_name, destination, content, ttl, tags, external_message_id,
  callback_url, callback_events, use_local_time, local_send_time, local_completion_time, hours, days, short_url,
  total_parts, traffic_type, traffic_center_id, sending_method, country_code, status, error_code, reserved,
  price_total, price_currency, price_parts, price_final, created_at, sent_at, status_at`;

/** A messages row as postgres.js returns it: uuid as text, jsonb parsed, int8 as number (connection.ts). */
export interface MessageRow {
  uuid: string;
  account_id: number;
  direction: string;
  channel_type: string;
  sender_name: string;
  destination: string;
  content: string;
  ttl: number | null;
  tags: string[];
  external_message_id: string | null;
  callback_url: string | null;
  callback_events: string | null;
  use_local_time: boolean | null;
  local_send_time: string | null;
  local_completion_time: string | null;
  hours: string | null;
  days: string | null;
  short_url: boolean | null;
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
  price_final: boolean | null;
  created_at: number;
  sent_at: number | null;
  status_at: number;
}

const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

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
    tags: row.tags,
    externalMessageId: row.external_message_id,
    callbackUrl: row.callback_url,
    callbackEvents: json<CallbackEvent[]>(row.callback_events),
    useLocalTime: row.use_local_time,
    localSendTime: row.local_send_time,
    localCompletionTime: row.local_completion_time,
    hours: json<number[]>(row.hours),
    days: json<number[]>(row.days),
    shortUrl: row.short_url,
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
        : { totalPrice: row.price_total, currency: row.price_currency!, invoicedParts: row.price_parts!, final: row.price_final === true },
    createdAt: row.created_at,
    sentAt: row.sent_at,
    statusAt: row.status_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The uuid column refuses text that is not a UUID; such an id names no message, so callers skip the query. */
export function asUuid(text: string): string | null {
  const lower = text.toLowerCase();
  return UUID.test(lower) ? lower : null;
}
