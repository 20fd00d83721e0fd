import type Database from 'better-sqlite3';
import { writeTransaction } from '../writeTransaction.js';
import type { EngineRepository } from '../../store.js';

/** Free-form timeline notes of the engine (hand-off attempts, carrier answers), in order. */
export function sqliteNotes(db: Database.Database): EngineRepository['note'] {
  const insert = db.prepare('insert into message_events (message_uuid, at, kind, detail) values (?, ?, ?, ?)');
  const noteAll = writeTransaction(db, (entries: Parameters<EngineRepository['note']>[0]) => {
    for (const e of entries) insert.run(e.uuid, e.at, e.kind, JSON.stringify(e.detail));
  });
  return async (entries) => noteAll(entries);
}
