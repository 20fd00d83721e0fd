import type { CallbackEvent, Channel, Direction, SendingMethod, Status, TrafficType } from '../../../domain/channels.js';
import type { MessageContent, MessageRecord } from '../../../domain/message.js';

/** A messages row as SQLite returns it. */
export interface MessageRow {
  uuid: string;
  account_id: number;
  direction: string;
  channel_type: string;
  sender_name: string;
  destination: string;
  content: string;
  ttl: number | null;
  tags: string;
  external_message_id: string | null;
  callback_url: string | null;
  callback_events: string | null;
  use_local_time: number | null;
  local_send_time: string | null;
  local_completion_time: string | null;
  hours: string | null;
  days: string | null;
  short_url: number | null;
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
  price_final: number | null;
  created_at: number;
  sent_at: number | null;
  status_at: number;
}

const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
const bool = (value: number | null): boolean | null => (value === null ? null : value === 1);

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
    tags: JSON.parse(row.tags) as string[],
    externalMessageId: row.external_message_id,
    callbackUrl: row.callback_url,
    callbackEvents: json<CallbackEvent[]>(row.callback_events),
    useLocalTime: bool(row.use_local_time),
    localSendTime: row.local_send_time,
    localCompletionTime: row.local_completion_time,
    hours: json<number[]>(row.hours),
    days: json<number[]>(row.days),
    shortUrl: bool(row.short_url),
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
        : { totalPrice: row.price_total, currency: row.price_currency!, invoicedParts: row.price_parts!, final: row.price_final === 1 },
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
