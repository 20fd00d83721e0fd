import type { EngineRepository, TimelineEntry } from '../../store.js';
import type { Sql } from '../connection.js';
import { asUuid } from '../messages/rows.js';

type NoteEntry = { uuid: string; at: number; kind: string; detail: Record<string, unknown> };

const message = (sql: Sql, uuid: string, accountId: number) => sql<{ created_at: number; channel_type: string }[]>`
  select created_at, channel_type from messages where uuid = ${uuid} and account_id = ${accountId}`;

const events = (sql: Sql, uuid: string) => sql<{ at: number; kind: string; detail: string | null }[]>`
  select at, kind, detail from message_events where message_uuid = ${uuid} order by id`;

/** All notes in one statement, in order. */
const insert = (sql: Sql, entries: NoteEntry[]) => sql`
  insert into message_events (message_uuid, at, kind, detail)
  select * from unnest(${entries.map((e) => e.uuid)}::uuid[], ${entries.map((e) => e.at)}::bigint[],
    ${entries.map((e) => e.kind)}::text[], ${entries.map((e) => JSON.stringify(e.detail))}::text[])`;

/** The message's timeline (our `GET /message/{uuid}/events`): acceptance, then every recorded event in order. */
export function pgTimeline(sql: Sql): Pick<EngineRepository, 'note' | 'timeline'> {
  return {
    async note(entries) {
      if (entries.length > 0) await insert(sql, entries);
    },
    async timeline(accountId, rawUuid) {
      const uuid = asUuid(rawUuid);
      if (uuid === null) return null;
      // Both in flight at once; the events of a message of another account are never shown.
      const [[row], rows] = await Promise.all([message(sql, uuid, accountId), events(sql, uuid)]);
      if (!row) return null;
      const accepted: TimelineEntry = { at: Number(row.created_at), kind: 'accepted', detail: { channelType: row.channel_type } };
      return [
        accepted,
        ...rows.map((e) => ({
          at: Number(e.at),
          kind: e.kind,
          detail: e.detail === null ? null : (JSON.parse(e.detail) as Record<string, unknown>),
        })),
      ];
    },
  };
}
