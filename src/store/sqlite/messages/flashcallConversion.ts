import type Database from 'better-sqlite3';
import { writeTransaction } from '../writeTransaction.js';

/** Stores a FLASHCALL verification result (the last report wins, spec §6.2.4) and notes it in the timeline. */
export function sqliteFlashcallConversion(db: Database.Database) {
  const update = db.prepare(
    `update messages set flashcall_result = ?, flashcall_code = ?, flashcall_result_at = ?
     where uuid = ? and account_id = ? and channel_type = 'FLASHCALL'`,
  );
  const note = db.prepare(`insert into message_events (message_uuid, at, kind, detail) values (?, ?, 'flashcall_conversion', ?)`);
  return writeTransaction(db, (accountId: number, uuid: string, result: string, code: string | null, now: number): boolean => {
    const id = uuid.toLowerCase();
    if (update.run(result, code, now, id, accountId).changes !== 1) return false;
    note.run(id, now, JSON.stringify({ result, code }));
    return true;
  });
}
