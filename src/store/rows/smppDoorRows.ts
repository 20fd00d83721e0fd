import type { Status } from '../../domain/channels.js';
import type { ClaimedDeliver, StoredPart } from '../smppDoor.js';

/**
 * The SMPP door's rows (store/smppDoor.ts) as either database returns them (int8 as numbers or, through another pool,
 * strings: hence Number()).
 */
export interface PartRow {
  smpp_user_id: number;
  group_key: string;
  segment: number;
  total: number;
  message_uuid: string;
  message_id: string;
  item: string;
  received_at: number;
}

export const PART_COLUMNS = 'smpp_user_id, group_key, segment, total, message_uuid, message_id, item, received_at';

export const toStoredPart = (row: PartRow): StoredPart => ({
  smppUserId: Number(row.smpp_user_id),
  groupKey: row.group_key,
  segment: row.segment,
  total: row.total,
  item: row.item,
  receivedAt: Number(row.received_at),
  messageUuid: row.message_uuid,
  messageId: row.message_id,
});

/** A leased outbox row joined with its message. */
export interface DeliverRow {
  id: number | string;
  kind: 'receipt' | 'mo';
  account_id: number;
  smpp_user_id: number | null;
  message_uuid: string;
  status: string | null;
  error_code: number | null;
  done_at: number | null;
  created_at: number;
  attempts: number;
  lease_until: number;
  destination: string;
  sender_name: string;
  content: string;
  message_created_at: number;
}

/** `partIds`: a receipt's part ids by segment (each store reads them its own way); [] for an inbound SMS. */
export const toClaimedDeliver = (row: DeliverRow, partIds: string[]): ClaimedDeliver => ({
  id: String(row.id),
  kind: row.kind,
  accountId: Number(row.account_id),
  smppUserId: row.smpp_user_id === null ? null : Number(row.smpp_user_id),
  messageUuid: row.message_uuid,
  destination: row.destination,
  senderName: row.sender_name,
  content: row.content,
  createdAt: Number(row.message_created_at),
  status: row.status as Status | null,
  errorCode: row.error_code,
  doneAt: row.done_at === null ? null : Number(row.done_at),
  partIds,
  attempts: row.attempts,
  createdOutboxAt: Number(row.created_at),
  leaseUntil: Number(row.lease_until),
});
