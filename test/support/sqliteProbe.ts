/**
 * Read-only peeks into a test gateway's SQLite file, for state the API does not expose
 * (the FLASHCALL conversion result is not part of the v1 message object, spec §6.2.4).
 * Couples to the schema's column names on purpose: keep it to what no endpoint shows.
 */
import Database from 'better-sqlite3';
import type { TestGateway } from './gateway.js';

export interface StoredConversion {
  result: string | null;
  code: string | null;
  at: number | null;
}

export function storedFlashcallConversion(gateway: TestGateway, uuid: string): StoredConversion | null {
  const db = new Database(gateway.config.database, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare<[string], { flashcall_result: string | null; flashcall_code: string | null; flashcall_result_at: number | null }>(
        'select flashcall_result, flashcall_code, flashcall_result_at from messages where uuid = ?',
      )
      .get(uuid.toLowerCase());
    return row ? { result: row.flashcall_result, code: row.flashcall_code, at: row.flashcall_result_at } : null;
  } finally {
    db.close();
  }
}
