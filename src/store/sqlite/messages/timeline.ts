import type Database from 'better-sqlite3';
import { toTimeline, type EventRow } from '../../rows/timelineRow.js';
import type { MessageRepository } from '../../store.js';

/** A message's timeline; null when the account has no such message (another account's events are never shown). */
export function sqliteTimeline(db: Database.Database): MessageRepository['timeline'] {
  const message = db.prepare<[string, number], { created_at: number; channel_type: string }>(
    'select created_at, channel_type from messages where uuid = ? and account_id = ?',
  );
  const events = db.prepare<[string], EventRow>('select at, kind, detail from message_events where message_uuid = ? order by id');
  return async (accountId, uuid) => {
    const row = message.get(uuid.toLowerCase(), accountId);
    return row ? toTimeline(row, events.all(uuid.toLowerCase())) : null;
  };
}
