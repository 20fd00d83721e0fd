import type { DueDelivery } from '../callbackOutbox.js';

/** A due callback_deliveries row as the fair look reads it; PostgreSQL returns its bigint columns as strings. */
export interface DueDeliveryRow {
  id: string;
  account_id: number | string;
  url: string;
  attempts: number;
  first_attempt_at: number | string | null;
  next_attempt_at: number | string;
}

export function toDueDelivery(row: DueDeliveryRow): DueDelivery {
  return {
    id: row.id,
    accountId: Number(row.account_id),
    url: row.url,
    attempts: row.attempts,
    firstAttemptAt: row.first_attempt_at === null ? null : Number(row.first_attempt_at),
    nextAttemptAt: Number(row.next_attempt_at),
  };
}
