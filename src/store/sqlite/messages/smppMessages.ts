import type Database from 'better-sqlite3';
import type { SmppOrigin } from '../../store.js';
import { sqliteInsertRows } from '../insertRows.js';
import type { MessageRowParams } from './messageRowParams.js';

/**
 * The insert of a message submitted over SMPP (store.ts SmppOrigin): accept's row with the origin's columns, born
 * `sending` (accept) or `unsent` with its code (an incomplete concatenation, smppDoor.ts failIncomplete); and the
 * message_id each part was answered with. The columns of accept.ts INSERT_MESSAGE and the origin's; a statement of its
 * own, so that messages of the HTTP API bind nothing more.
 */
const INSERT_SMPP_MESSAGE = `
  insert into messages (
    uuid, account_id, direction, channel_type, sender_name, destination, content, content_search, ttl, tags,
    external_message_id, callback_url, callback_events, use_local_time, local_send_time, local_completion_time,
    hours, days, short_url, total_parts, traffic_type, traffic_center_id, sending_method, country_code,
    status, error_code, reserved, created_at, status_at, message_time, due_at, expires_at, send_after, complete_by, time_zone,
    smpp_user_id, smpp_receipts
  ) values (
    @uuid, @accountId, 'outbound', @channelType, @senderName, @destination, @content, @contentSearch, @ttl, @tags,
    @externalMessageId, @callbackUrl, @callbackEvents, @useLocalTime, @localSendTime, @localCompletionTime,
    @hours, @days, @shortUrl, @totalParts, @trafficType, @trafficCenterId, 'SMPP', @countryCode,
    @status, @errorCode, @reserved, @now, @now, @now, @dueAt, @expiresAt, @sendAfter, @completeBy, @timeZone,
    @smppUserId, @smppReceipts
  )`;

export function sqliteSmppMessageWrites(db: Database.Database) {
  const insert = db.prepare(INSERT_SMPP_MESSAGE);
  const insertIds = sqliteInsertRows(db, 'smpp_message_ids', ['smpp_user_id', 'message_id', 'message_uuid', 'segment']);
  return {
    /** The row's uuid must be the origin's. */
    insert(row: MessageRowParams, smpp: SmppOrigin, born: { status: 'sending' } | { status: 'unsent'; errorCode: number }): void {
      insert.run({
        ...row,
        status: born.status,
        errorCode: born.status === 'unsent' ? born.errorCode : null,
        smppUserId: smpp.smppUserId,
        smppReceipts: smpp.receipts === 'none' ? null : smpp.receipts,
      });
      insertIds(smpp.partIds.map((id, i) => [smpp.smppUserId, id, row.uuid, i + 1]));
    },
  };
}
