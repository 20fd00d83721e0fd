import type { Sql } from '../connection.js';
import { asUuid } from './rows.js';

/**
 * Stores a FLASHCALL verification result (the last report wins, spec §6.2.4) and notes it in the timeline:
 * one statement, so the note exists exactly when the update matched.
 */
export function pgFlashcallConversion(sql: Sql) {
  return async (accountId: number, rawUuid: string, result: string, code: string | null, now: number): Promise<boolean> => {
    const uuid = asUuid(rawUuid);
    if (uuid === null) return false;
    const noted = await sql`
      with updated as (
        update messages set flashcall_result = ${result}, flashcall_code = ${code}, flashcall_result_at = ${now}
        where uuid = ${uuid} and account_id = ${accountId} and channel_type = 'FLASHCALL'
        returning uuid
      )
      insert into message_events (message_uuid, at, kind, detail)
      select uuid, ${now}, 'flashcall_conversion', ${JSON.stringify({ result, code })} from updated
      returning id`;
    return noted.length === 1;
  };
}
