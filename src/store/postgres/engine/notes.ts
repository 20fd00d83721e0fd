import type { EngineRepository } from '../../store.js';
import type { Sql } from '../connection.js';

type NoteEntry = Parameters<EngineRepository['note']>[0][number];

/** All notes in one statement, in order. */
const insert = (sql: Sql, entries: NoteEntry[]) => sql`
  insert into message_events (message_uuid, at, kind, detail)
  select * from unnest(${entries.map((e) => e.uuid)}::uuid[], ${entries.map((e) => e.at)}::bigint[],
    ${entries.map((e) => e.kind)}::text[], ${entries.map((e) => JSON.stringify(e.detail))}::text[])`;

/** Free-form timeline notes of the engine (hand-off attempts, carrier answers), in order. */
export function pgNotes(sql: Sql): EngineRepository['note'] {
  return async (entries) => {
    if (entries.length > 0) await insert(sql, entries);
  };
}
