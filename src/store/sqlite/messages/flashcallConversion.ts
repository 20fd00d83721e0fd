import type Database from 'better-sqlite3';

/** Stores a FLASHCALL verification result; the last report wins (spec §6.2.4). */
export function sqliteFlashcallConversion(db: Database.Database) {
  const update = db.prepare(
    `update messages set flashcall_result = ?, flashcall_code = ?, flashcall_result_at = ?
     where uuid = ? and account_id = ? and channel_type = 'FLASHCALL'`,
  );
  return (accountId: number, uuid: string, result: string, code: string | null, now: number): boolean =>
    update.run(result, code, now, uuid.toLowerCase(), accountId).changes === 1;
}
