import type Database from 'better-sqlite3';
import { writeTransaction } from '../writeTransaction.js';
import type { EngineRepository, TimelineEntry } from '../../store.js';

/** The message's timeline (our `GET /message/{uuid}/events`): acceptance, then every recorded event in order. */
export function sqliteTimeline(db: Database.Database): Pick<EngineRepository, 'note' | 'timeline'> {
  const message = db.prepare<[string, number], { created_at: number; channel_type: string }>(
    'select created_at, channel_type from messages where uuid = ? and account_id = ?',
  );
  const events = db.prepare<[string], { at: number; kind: string; detail: string | null }>(
    'select at, kind, detail from message_events where message_uuid = ? order by id',
  );
  const insert = db.prepare('insert into message_events (message_uuid, at, kind, detail) values (?, ?, ?, ?)');
  const noteAll = writeTransaction(db, (entries: { uuid: string; at: number; kind: string; detail: Record<string, unknown> }[]) => {
    for (const e of entries) insert.run(e.uuid, e.at, e.kind, JSON.stringify(e.detail));
  });
  return {
    async note(entries) {
      noteAll(entries);
    },
    async timeline(accountId, uuid) {
      const row = message.get(uuid.toLowerCase(), accountId);
      if (!row) return null;
      const accepted: TimelineEntry = { at: row.created_at, kind: 'accepted', detail: { channelType: row.channel_type } };
      return [
        accepted,
        ...events.all(uuid.toLowerCase()).map((e) => ({
          at: e.at,
          kind: e.kind,
          detail: e.detail === null ? null : (JSON.parse(e.detail) as Record<string, unknown>),
        })),
      ];
    },
  };
}
