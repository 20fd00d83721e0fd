import { newMessageId } from '../../messageIds.js';
import { decideItem, senderKey, type BusinessContext } from '../../../domain/businessChecks.js';
import type { Channel, TrafficType } from '../../../domain/channels.js';
import { IdempotencyClaimLostError, type AcceptBatch, type AcceptCandidate, type AcceptResult } from '../../store.js';
import { completeClaim } from '../idempotency.js';
import { inTransaction, type Sql, type TransactionSql } from '../connection.js';
import { searchableText } from './rows.js';
import { insertSmppMessages, type SmppMessageItem } from './smppMessages.js';

interface AccountContextRow {
  balance: number;
  reserved: number;
  billing_enabled: boolean;
  disabled_channels: string;
  senders: { channel: Channel; name: string; trafficType: TrafficType | null }[];
  blocked: string[];
}

interface AcceptedItem {
  uuid: string;
  candidate: AcceptCandidate;
  trafficType: TrafficType;
  reserved: number;
}

const jsonOrNull = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));

/**
 * Business checks and creation of a whole batch in one transaction (spec §5.2 steps 5–6), as sqlite/messages/accept.ts.
 * The account row is locked first (`for update`) and held to the commit: batches of one account from every node
 * are checked one after the other against the balance the previous one left, so no reservation is lost or overdrawn.
 */
export function pgAccept(sql: Sql) {
  return (batch: AcceptBatch, now: number): Promise<AcceptResult[]> =>
    inTransaction(sql, async (tx) => {
      const context = await loadContext(tx, batch, now);
      const accepted: AcceptedItem[] = [];
      // Messages submitted over SMPP carry their door's uuid and more columns: a statement of their own.
      const overSmpp: SmppMessageItem[] = [];
      let reservedTotal = 0;
      const results = batch.candidates.map((candidate): AcceptResult => {
        const decision = decideItem(context, candidate.draft, candidate.price);
        if (!decision.accepted) return decision;
        const reserved = context.billingEnabled ? candidate.price : 0;
        reservedTotal += reserved;
        const { smpp } = candidate;
        if (smpp) {
          overSmpp.push({ candidate: { ...candidate, smpp }, trafficType: decision.trafficType, reserved, status: 'sending', errorCode: null });
          return { accepted: true, uuid: smpp.uuid };
        }
        const uuid = newMessageId();
        accepted.push({ uuid, candidate, trafficType: decision.trafficType, reserved });
        return { accepted: true, uuid };
      });
      await insertMessages(tx, batch, accepted, now);
      await insertSmppMessages(tx, batch, overSmpp, now);
      await insertShortLinks(tx, overSmpp.length === 0 ? accepted : [...accepted, ...overSmpp.map((i) => ({ uuid: i.candidate.smpp.uuid, candidate: i.candidate }))]);
      if (reservedTotal !== 0) {
        await tx`update accounts set reserved = reserved + ${reservedTotal} where id = ${batch.accountId}`;
      }
      if (batch.idempotency) {
        const { respond, ...claim } = batch.idempotency;
        // A claim taken over meanwhile (its node was thought dead) belongs to another request now: creating these
        // too would create them twice. The update waits for a takeover in progress and sees its outcome.
        if (!(await completeClaim(tx, batch.accountId, claim, respond(results)))) throw new IdempotencyClaimLostError(claim.key);
      }
      return results;
    });
}

/** The account (locked), its started senders and which of the batch's destinations are blocked: one round trip. */
async function loadContext(tx: TransactionSql, batch: AcceptBatch, now: number): Promise<BusinessContext> {
  const destinations = [...new Set(batch.candidates.map((c) => c.draft.destination))];
  const [row] = await tx<AccountContextRow[]>`
    select a.balance, a.reserved, a.billing_enabled, a.disabled_channels,
      (select coalesce(json_agg(json_build_object('channel', s.channel, 'name', s.name, 'trafficType', s.traffic_type)), '[]')
       from senders s where s.account_id = a.id and s.starts_at <= ${now}) as senders,
      array(select b.destination from blocklist b
            where b.account_id in (0, a.id) and b.destination = any(${destinations}::text[])) as blocked
    from accounts a where a.id = ${batch.accountId}
    for update of a`;
  if (!row) throw new Error(`No account with id ${batch.accountId}`);
  return {
    disabledChannels: new Set(JSON.parse(row.disabled_channels) as Channel[]),
    approvedSenders: new Map(row.senders.map((s) => [senderKey(s.channel, s.name), s.trafficType])),
    blockedDestinations: new Set(row.blocked),
    billingEnabled: row.billing_enabled,
    available: row.balance - row.reserved,
  };
}

/**
 * One statement for the whole batch: one array per column, unnested into rows. The statement text is the same
 * for every batch size, so it is prepared once per connection; 1000 rows bind 26 parameters, not 26,000.
 */
async function insertMessages(tx: TransactionSql, batch: AcceptBatch, items: AcceptedItem[], now: number): Promise<void> {
  if (items.length === 0) return;
  const column = <T>(pick: (item: AcceptedItem) => T): T[] => items.map(pick);
  const draft = <T>(pick: (d: AcceptCandidate['draft']) => T): T[] => items.map((i) => pick(i.candidate.draft));
  const schedule = <T>(pick: (s: AcceptCandidate['schedule']) => T): T[] => items.map((i) => pick(i.candidate.schedule));
  // Boolean arrays need their array type named: postgres.js would otherwise bind them as a single boolean.
  const booleans = (values: (boolean | null)[]) => tx.array(values as never[], 1000);
  await tx`
    insert into messages (
      uuid, account_id, direction, channel_type, sender_name, destination, content, content_search, ttl, tags,
      external_message_id, callback_url, callback_events, use_local_time, local_send_time, local_completion_time,
      hours, days, short_url, total_parts, traffic_type, traffic_center_id, sending_method, country_code,
      status, reserved, created_at, status_at, message_time, due_at, expires_at, send_after, complete_by, time_zone
    )
    select
      m.uuid, ${batch.accountId}, 'outbound', m.channel_type, m.sender_name, m.destination, m.content, m.content_search,
      m.ttl, m.tags::jsonb, m.external_message_id, m.callback_url, m.callback_events, m.use_local_time,
      m.local_send_time, m.local_completion_time, m.hours, m.days, m.short_url, m.total_parts, m.traffic_type,
      ${batch.trafficCenterId}, 'API', m.country_code,
      'sending', m.reserved, ${now}, ${now}, ${now}, m.due_at, m.expires_at, m.send_after, m.complete_by, m.time_zone
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
      ${schedule((s) => Math.max(now, s.sendAfter ?? now))}::bigint[],
      ${schedule((s) => s.expiresAt)}::bigint[],
      ${schedule((s) => s.sendAfter)}::bigint[],
      ${schedule((s) => s.completeBy)}::bigint[],
      ${schedule((s) => s.timeZone)}::text[]
    ) as m(
      uuid, channel_type, sender_name, destination, content, content_search, ttl, tags, external_message_id,
      callback_url, callback_events, use_local_time, local_send_time, local_completion_time, hours, days, short_url,
      total_parts, traffic_type, country_code, reserved, due_at, expires_at, send_after, complete_by, time_zone
    )`;
}

async function insertShortLinks(tx: TransactionSql, items: Pick<AcceptedItem, 'uuid' | 'candidate'>[]): Promise<void> {
  const links = items.flatMap((item) => item.candidate.shortLinks.map((link) => ({ ...link, uuid: item.uuid })));
  if (links.length === 0) return;
  await tx`
    insert into short_links (slug, message_uuid, short_url, url)
    select * from unnest(
      ${links.map((l) => l.slug)}::text[], ${links.map((l) => l.uuid)}::uuid[],
      ${links.map((l) => l.shortUrl)}::text[], ${links.map((l) => l.url)}::text[]
    )`;
}
