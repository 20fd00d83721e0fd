import type { Account } from '../../domain/account.js';
import type { Channel } from '../../domain/channels.js';

/** An accounts row, as either database returns it (SQLite: flags 0/1; PostgreSQL: booleans). */
export interface AccountRow {
  id: number;
  name: string;
  currency: string;
  balance: number;
  reserved: number;
  billing_enabled: number | boolean;
  suspended: number | boolean;
  flashcall_code_lengths: string;
  disabled_channels: string;
}

const flag = (value: number | boolean) => value === true || value === 1;

export function toAccount(row: AccountRow): Account {
  return {
    id: Number(row.id),
    name: row.name,
    currency: row.currency,
    balance: Number(row.balance),
    reserved: Number(row.reserved),
    billingEnabled: flag(row.billing_enabled),
    suspended: flag(row.suspended),
    flashcallCodeLengths: JSON.parse(row.flashcall_code_lengths) as number[],
    disabledChannels: JSON.parse(row.disabled_channels) as Channel[],
  };
}
