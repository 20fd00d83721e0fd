/** What a round of reports reads of a message, in this order (LoadedRow); a claim returns them first. */
export const STATE_COLUMNS = `rowid, account_id, channel_type, status, total_parts, reserved, price_total, price_currency,
  price_parts, price_final, callback_url, callback_events, short_url, created_at, sent_at, expires_at, connector, smpp_user_id,
  smpp_receipts`;

export const STATE_COLUMN_COUNT = STATE_COLUMNS.split(',').length;

/** STATE_COLUMNS' values in order: read as an array, cheaper than a row object for a thousand rows a round. */
export type LoadedRow = [
  number, number, string, string, number, number, number | null, string | null,
  number | null, number | null, string | null, string | null, number | null, number, number | null, number | null, string | null,
  number | null, string | null,
];
