import type { Channel } from '../../domain/channels.js';
import type { MessageContent } from '../../domain/message.js';
import type { ClaimedMessage } from '../store.js';

/** What a claim returns of a message, as either database gives it (SQLite: flags 0/1; PostgreSQL: booleans). */
export interface ClaimRow {
  uuid: string;
  account_id: number;
  channel_type: string;
  sender_name: string;
  destination: string;
  content: string;
  total_parts: number;
  expires_at: number;
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
  return {
    uuid: row.uuid,
    accountId: Number(row.account_id),
    channelType: row.channel_type as Channel,
    senderName: row.sender_name,
    destination: row.destination,
    content: JSON.parse(row.content) as MessageContent,
    totalParts: row.total_parts,
    expiresAt: Number(row.expires_at),
    stopRequested: row.stop_requested === true || row.stop_requested === 1,
    attempts: row.attempts,
    timeZone: row.time_zone,
    sendAfter: numberOrNull(row.send_after),
    completeBy: numberOrNull(row.complete_by),
    hours: row.hours === null ? null : (JSON.parse(row.hours) as number[]),
    days: row.days === null ? null : (JSON.parse(row.days) as number[]),
  };
}
