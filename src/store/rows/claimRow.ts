import type { ClaimedMessage } from '../store.js';
import { toOutboundMessage, type OutboundRow } from './outboundRow.js';

/** What a claim returns of a message, as either database gives it (SQLite: flags 0/1; PostgreSQL: booleans). */
export interface ClaimRow extends OutboundRow {
  stop_requested: number | boolean;
  attempts: number;
  time_zone: string;
  send_after: number | null;
  complete_by: number | null;
  hours: string | null;
  days: string | null;
}

const numberOrNull = (value: number | null) => (value === null ? null : Number(value));

export function toClaimedMessage(row: ClaimRow): ClaimedMessage {
  // Added to the mapped object rather than spread into a new one: a thousand messages a round.
  const message = toOutboundMessage(row) as ClaimedMessage;
  message.stopRequested = row.stop_requested === true || row.stop_requested === 1;
  message.attempts = row.attempts;
  message.timeZone = row.time_zone;
  message.sendAfter = numberOrNull(row.send_after);
  message.completeBy = numberOrNull(row.complete_by);
  message.hours = row.hours === null ? null : (JSON.parse(row.hours) as number[]);
  message.days = row.days === null ? null : (JSON.parse(row.days) as number[]);
  return message;
}
