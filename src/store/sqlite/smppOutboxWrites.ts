import type Database from 'better-sqlite3';
import type { SmppReceiptRow } from '../../domain/reportFold.js';
import { sqliteInsertRows } from './insertRows.js';

/**
 * The SMPP outbox's writes (store/smppDoor.ts) inside the caller's transaction: receipts owed to a user, written with
 * the status change that causes them (the report fold, failIncomplete), due at once.
 */
export function sqliteSmppOutboxWrites(db: Database.Database) {
  const insert = sqliteInsertRows(db, 'smpp_outbox', [
    'kind', 'account_id', 'smpp_user_id', 'message_uuid', 'status', 'error_code', 'done_at', 'created_at', 'due_at',
  ]);
  return {
    receipts(rows: readonly SmppReceiptRow[], now: number): void {
      if (rows.length === 0) return;
      insert(rows.map((r) => ['receipt', r.accountId, r.smppUserId, r.uuid, r.status, r.errorCode, r.at, now, now]));
    },
  };
}
