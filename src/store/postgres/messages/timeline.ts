import { toTimeline, type EventRow } from '../../rows/timelineRow.js';
import type { MessageRepository } from '../../store.js';
import type { Sql } from '../connection.js';
import { asUuid } from './rows.js';

const message = (sql: Sql, uuid: string, accountId: number) => sql<{ created_at: number; channel_type: string }[]>`
  select created_at, channel_type from messages where uuid = ${uuid} and account_id = ${accountId}`;

const events = (sql: Sql, uuid: string) => sql<EventRow[]>`
  select at, kind, detail from message_events where message_uuid = ${uuid} order by id`;

/** A message's timeline; null when the account has no such message (another account's events are never shown). */
export function pgTimeline(sql: Sql): MessageRepository['timeline'] {
  return async (accountId, rawUuid) => {
    const uuid = asUuid(rawUuid);
    if (uuid === null) return null;
    // Both in flight at once.
    const [[row], rows] = await Promise.all([message(sql, uuid, accountId), events(sql, uuid)]);
    return row ? toTimeline(row, rows) : null;
  };
}
