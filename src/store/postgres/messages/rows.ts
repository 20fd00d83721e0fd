import { isLowercaseUuid } from '../../../domain/messageUuid.js';
export { searchableText, toMessage, type MessageRow } from '../../rows/messageRow.js';

/** The columns a MessageRecord is built from, in one place for every query that returns messages. */
export const MESSAGE_COLUMNS = `
  uuid, account_id, direction, channel_type, sender_name, destination, content, ttl, tags, external_message_id,
  callback_url, callback_events, use_local_time, local_send_time, local_completion_time, hours, days, short_url,
  total_parts, traffic_type, traffic_center_id, sending_method, country_code, status, error_code, reserved,
  price_total, price_currency, price_parts, price_final, created_at, sent_at, status_at`;

/** The uuid column refuses text that is not a UUID; such an id names no message, so callers skip the query. */
export function asUuid(text: string): string | null {
  const lower = text.toLowerCase();
  return isLowercaseUuid(lower) ? lower : null;
}
