import type { TrafficType } from '../../../domain/channels.js';
import type { AcceptCandidate, SmppOrigin } from '../../store.js';
import type { TransactionSql } from '../connection.js';
import { searchableText } from './rows.js';

/** A message submitted over SMPP, ready to insert: its uuid is the origin's. */
export interface SmppMessageItem {
  candidate: AcceptCandidate & { smpp: SmppOrigin };
  trafficType: TrafficType;
  reserved: number;
  /** `sending` (accepted) or `unsent` with its code (an incomplete concatenation, smppDoor.ts failIncomplete). */
  status: 'sending' | 'unsent';
  errorCode: number | null;
}

const jsonOrNull = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));

/**
 * Inserts messages submitted over SMPP (store.ts SmppOrigin) and the message_id each part was answered with, in two
 * statements: the columns of accept.ts insertMessages and the origin's. A statement of its own, so that batches of the
 * HTTP API bind nothing more. An `unsent` message is born final: no reservation, nothing due.
 */
export async function insertSmppMessages(
  tx: TransactionSql,
  batch: { accountId: number; trafficCenterId: number },
  items: SmppMessageItem[],
  now: number,
): Promise<void> {
  if (items.length === 0) return;
  const column = <T>(pick: (item: SmppMessageItem) => T): T[] => items.map(pick);
  const draft = <T>(pick: (d: AcceptCandidate['draft']) => T): T[] => items.map((i) => pick(i.candidate.draft));
  const schedule = <T>(pick: (s: AcceptCandidate['schedule']) => T): T[] => items.map((i) => pick(i.candidate.schedule));
  const booleans = (values: (boolean | null)[]) => tx.array(values as never[], 1000);
  const ids = items.flatMap((i) => i.candidate.smpp.partIds.map((id, n) => ({ user: i.candidate.smpp.smppUserId, id, uuid: i.candidate.smpp.uuid, segment: n + 1 })));
  await Promise.all([
    tx`
    insert into messages (
      uuid, account_id, direction, channel_type, sender_name, destination, content, content_search, ttl, tags,
      external_message_id, callback_url, callback_events, use_local_time, local_send_time, local_completion_time,
      hours, days, short_url, total_parts, traffic_type, traffic_center_id, sending_method, country_code,
      status, error_code, reserved, created_at, status_at, message_time, due_at, expires_at, send_after, complete_by,
      time_zone, smpp_user_id, smpp_receipts
    )
    select
      m.uuid, ${batch.accountId}, 'outbound', m.channel_type, m.sender_name, m.destination, m.content, m.content_search,
      m.ttl, m.tags::jsonb, m.external_message_id, m.callback_url, m.callback_events, m.use_local_time,
      m.local_send_time, m.local_completion_time, m.hours, m.days, m.short_url, m.total_parts, m.traffic_type,
      ${batch.trafficCenterId}, 'SMPP', m.country_code,
      m.status, m.error_code, m.reserved, ${now}, ${now}, ${now}, m.due_at, m.expires_at, m.send_after, m.complete_by,
      m.time_zone, m.smpp_user_id, m.smpp_receipts
    from unnest(
      ${column((i) => i.candidate.smpp.uuid)}::uuid[],
      ${draft((d) => d.channelType)}::text[],
      ${draft((d) => d.senderName)}::text[],
      ${draft((d) => d.destination)}::text[],
      ${draft((d) => JSON.stringify(d.content))}::text[],
      ${draft((d) => searchableText(d.content))}::text[],
      ${draft((d) => d.ttl)}::integer[],
      ${draft((d) => JSON.stringify(d.tags))}::text[],
      ${draft((d) => d.externalMessageId)}::text[],
      ${draft((d) => d.callbackUrl)}::text[],
      ${draft((d) => jsonOrNull(d.callbackEvents))}::text[],
      ${booleans(draft((d) => d.useLocalTime))}::boolean[],
      ${draft((d) => d.localSendTime)}::text[],
      ${draft((d) => d.localCompletionTime)}::text[],
      ${draft((d) => jsonOrNull(d.hours))}::text[],
      ${draft((d) => jsonOrNull(d.days))}::text[],
      ${booleans(draft((d) => d.shortUrl))}::boolean[],
      ${draft((d) => d.totalParts)}::integer[],
      ${column((i) => i.trafficType)}::text[],
      ${column((i) => i.candidate.countryCode)}::text[],
      ${column((i) => i.status)}::text[],
      ${column((i) => i.errorCode)}::integer[],
      ${column((i) => i.reserved)}::bigint[],
      ${column((i) => (i.status === 'sending' ? Math.max(now, i.candidate.schedule.sendAfter ?? now) : null))}::bigint[],
      ${schedule((s) => s.expiresAt)}::bigint[],
      ${schedule((s) => s.sendAfter)}::bigint[],
      ${schedule((s) => s.completeBy)}::bigint[],
      ${schedule((s) => s.timeZone)}::text[],
      ${column((i) => i.candidate.smpp.smppUserId)}::bigint[],
      ${column((i) => (i.candidate.smpp.receipts === 'none' ? null : i.candidate.smpp.receipts))}::text[]
    ) as m(
      uuid, channel_type, sender_name, destination, content, content_search, ttl, tags, external_message_id,
      callback_url, callback_events, use_local_time, local_send_time, local_completion_time, hours, days, short_url,
      total_parts, traffic_type, country_code, status, error_code, reserved, due_at, expires_at, send_after, complete_by,
      time_zone, smpp_user_id, smpp_receipts
    )`,
    ids.length === 0
      ? Promise.resolve()
      : tx`
    insert into smpp_message_ids (smpp_user_id, message_id, message_uuid, segment)
    select * from unnest(${ids.map((r) => r.user)}::bigint[], ${ids.map((r) => r.id)}::text[],
      ${ids.map((r) => r.uuid)}::uuid[], ${ids.map((r) => r.segment)}::integer[])`,
  ]);
}
