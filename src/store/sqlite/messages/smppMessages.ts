import type Database from 'better-sqlite3';
import type { SmppOrigin } from '../../store.js';
import { sqliteInsertRows } from '../insertRows.js';

/** The message_id each part of a message submitted over SMPP was answered with (store.ts SmppOrigin), by segment. */
export function sqlitePartIdWrites(db: Database.Database) {
  const insertIds = sqliteInsertRows(db, 'smpp_message_ids', ['smpp_user_id', 'message_id', 'message_uuid', 'segment']);
  return (uuid: string, smpp: SmppOrigin): void => insertIds(smpp.partIds.map((id, i) => [smpp.smppUserId, id, uuid, i + 1]));
}
