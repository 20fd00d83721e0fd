import type { CallbackEvent, Channel, Status } from '../../domain/channels.js';
import type { StoredMessageState } from '../../domain/reportFold.js';
import type { ReceiptRequest } from '../../domain/smppRules.js';

/**
 * The columns of a message a round of reports reads, as either database returns them (SQLite: flags 0/1;
 * PostgreSQL: booleans; int8 as numbers through connectPostgres, as strings through any other pool).
 */
export interface MessageStateRow {
  account_id: number;
  channel_type: string;
  status: string;
  total_parts: number;
  reserved: number;
  price_total: number | null;
  price_currency: string | null;
  price_parts: number | null;
  price_final: number | boolean | null;
  callback_url: string | null;
  callback_events: string | null;
  short_url: number | boolean | null;
  created_at: number;
  sent_at: number | null;
  expires_at: number | null;
  connector: string | null;
  /** SMPP origin (store.ts SmppOrigin): null for a message that did not come over SMPP. */
  smpp_user_id: number | null;
  /** `final` or `failure`; null when no receipt was asked for. */
  smpp_receipts: string | null;
}

/** The account columns the money of a report depends on. */
export interface AccountBillingRow {
  currency: string;
  billing_enabled: number | boolean;
}

const flag = (value: number | boolean) => value === true || value === 1;
const numberOrNull = (value: number | null) => (value === null ? null : Number(value));

export function toStoredMessageState(uuid: string, row: MessageStateRow, account: AccountBillingRow): StoredMessageState {
  return {
    uuid,
    accountId: Number(row.account_id),
    channelType: row.channel_type as Channel,
    status: row.status as Status,
    totalParts: row.total_parts,
    reserved: Number(row.reserved),
    price:
      row.price_total === null
        ? null
        : { total: Number(row.price_total), currency: row.price_currency!, parts: row.price_parts!, final: flag(row.price_final!) },
    currency: account.currency,
    billingEnabled: flag(account.billing_enabled),
    callbackUrl: row.callback_url,
    callbackEvents: row.callback_events === null ? null : (JSON.parse(row.callback_events) as CallbackEvent[]),
    shortUrl: row.short_url === null ? null : flag(row.short_url),
    createdAt: Number(row.created_at),
    sentAt: numberOrNull(row.sent_at),
    expiresAt: numberOrNull(row.expires_at),
    connector: row.connector,
    smppUserId: row.smpp_user_id == null ? null : Number(row.smpp_user_id),
    smppReceipts: (row.smpp_receipts as ReceiptRequest | null) ?? null,
  };
}
