import type { PausedSender } from '../pausedSenders.js';

/** A whatsapp_paused_senders or vk_paused_senders row (the two tables have the same columns), the same in SQLite and PostgreSQL. */
export interface PausedSenderRow {
  sender_name: string;
  reason: string;
  paused_at: number;
}

export function toPausedSender(row: PausedSenderRow): PausedSender {
  return { senderName: row.sender_name, reason: row.reason, pausedAt: row.paused_at };
}
