import type { TrafficType } from '../../../domain/channels.js';
import type { AcceptCandidate } from '../../store.js';
import type { TransactionSql } from '../connection.js';
import { searchableText } from './rows.js';

/** A message ready to insert: accepted (`sending`), or an SMPP part born `unsent` (smppDoor.ts failIncomplete). */
export interface MessageInsert {
  uuid: string;
  candidate: AcceptCandidate;
  trafficType: TrafficType;
  reserved: number;
  status: 'sending' | 'unsent';
  errorCode: number | null;
}

const jsonOrNull = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));

/**
 * One statement for the whole batch: one array per column, unnested into rows. The statement text is the same
 * for every batch size, so it is prepared once per connection; 1000 rows bind 26 parameters, not 26,000. A batch
 * with messages submitted over SMPP (store.ts SmppOrigin) binds their columns too (a second statement text, so an
 * HTTP batch binds nothing more), and the message_id each of their parts was answered with.
 */
export async function insertMessages(
  tx: TransactionSql,
  batch: { accountId: number; trafficCenterId: number },
  items: MessageInsert[],
  now: number,
): Promise<void> {
  if (items.length === 0) return;
  const column = <T>(pick: (item: MessageInsert) => T): T[] => items.map(pick);
  const draft = <T>(pick: (d: AcceptCandidate['draft']) => T): T[] => items.map((i) => pick(i.candidate.draft));
  const schedule = <T>(pick: (s: AcceptCandidate['schedule']) => T): T[] => items.map((i) => pick(i.candidate.schedule));
  // Boolean arrays need their array type named: postgres.js would otherwise bind them as a single boolean.
  const booleans = (values: (boolean | null)[]) => tx.array(values as never[], 1000);
  const overSmpp = items.some((i) => i.candidate.smpp !== undefined);
  const origin = overSmpp
    ? {
        names: tx`, smpp_user_id, smpp_receipts`,
        values: tx`, m.smpp_user_id, m.smpp_receipts`,
        method: tx`m.sending_method`,
        state: tx`m.status, m.error_code`,
        arrays: tx`,
          ${column((i) => (i.candidate.smpp ? 'SMPP' : 'API'))}::text[],
          ${column((i) => i.status)}::text[],
          ${column((i) => i.errorCode)}::integer[],
          ${column((i) => i.candidate.smpp?.smppUserId ?? null)}::bigint[],
          ${column((i) => (i.candidate.smpp && i.candidate.smpp.receipts !== 'none' ? i.candidate.smpp.receipts : null))}::text[]`,
        columns: tx`, sending_method, status, error_code, smpp_user_id, smpp_receipts`,
      }
    : { names: tx``, values: tx``, method: tx`'API'`, state: tx`'sending', null`, arrays: tx``, columns: tx`` };
  await tx`
    insert into messages (
      uuid, account_id, direction, channel_type, sender_name, destination, content, content_search, ttl, tags,
      external_message_id, callback_url, callback_events, use_local_time, local_send_time, local_completion_time,
      hours, days, short_url, total_parts, traffic_type, traffic_center_id, sending_method, country_code,
      status, error_code, reserved, created_at, status_at, message_time, due_at, expires_at, send_after, complete_by,
      time_zone ${origin.names}
    )
    select
      m.uuid, ${batch.accountId}, 'outbound', m.channel_type, m.sender_name, m.destination, m.content, m.content_search,
      m.ttl, m.tags::jsonb, m.external_message_id, m.callback_url, m.callback_events, m.use_local_time,
      m.local_send_time, m.local_completion_time, m.hours, m.days, m.short_url, m.total_parts, m.traffic_type,
      ${batch.trafficCenterId}, ${origin.method}, m.country_code,
      ${origin.state}, m.reserved, ${now}, ${now}, ${now}, m.due_at, m.expires_at, m.send_after, m.complete_by,
      m.time_zone ${origin.values}
    from unnest(
      ${column((i) => i.uuid)}::uuid[],
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
      ${column((i) => i.reserved)}::bigint[],
      ${column((i) => (i.status === 'sending' ? Math.max(now, i.candidate.schedule.sendAfter ?? now) : null))}::bigint[],
      ${schedule((s) => s.expiresAt)}::bigint[],
      ${schedule((s) => s.sendAfter)}::bigint[],
      ${schedule((s) => s.completeBy)}::bigint[],
      ${schedule((s) => s.timeZone)}::text[]
      ${origin.arrays}
    ) as m(
      uuid, channel_type, sender_name, destination, content, content_search, ttl, tags, external_message_id,
      callback_url, callback_events, use_local_time, local_send_time, local_completion_time, hours, days, short_url,
      total_parts, traffic_type, country_code, reserved, due_at, expires_at, send_after, complete_by, time_zone
      ${origin.columns}
    )`;
  if (overSmpp) await insertPartIds(tx, items);
}

/** The message_id each part of an SMPP message was answered with (store.ts SmppOrigin.partIds), by segment. */
async function insertPartIds(tx: TransactionSql, items: MessageInsert[]): Promise<void> {
  const ids = items.flatMap(({ uuid, candidate: { smpp } }) => (smpp ? smpp.partIds.map((id, n) => ({ user: smpp.smppUserId, id, uuid, segment: n + 1 })) : []));
  if (ids.length === 0) return;
  await tx`
    insert into smpp_message_ids (smpp_user_id, message_id, message_uuid, segment)
    select * from unnest(${ids.map((r) => r.user)}::bigint[], ${ids.map((r) => r.id)}::text[],
      ${ids.map((r) => r.uuid)}::uuid[], ${ids.map((r) => r.segment)}::integer[])`;
}
