import { newMessageId } from '../../messageIds.js';
import { decideItem, senderKey, type BusinessContext } from '../../../domain/businessChecks.js';
import type { Channel, TrafficType } from '../../../domain/channels.js';
import { IdempotencyClaimLostError, type AcceptBatch, type AcceptResult } from '../../store.js';
import { completeClaim } from '../idempotency.js';
import { inTransaction, type Sql, type TransactionSql } from '../connection.js';
import { insertMessages, type MessageInsert } from './insertMessages.js';

interface AccountContextRow {
  balance: number;
  reserved: number;
  billing_enabled: boolean;
  disabled_channels: string;
  senders: { channel: Channel; name: string; trafficType: TrafficType | null }[];
  blocked: string[];
}


/**
 * Business checks and creation of a whole batch in one transaction (spec §5.2 steps 5–6), as sqlite/messages/accept.ts.
 * The account row is locked first (`for update`) and held to the commit: batches of one account from every node
 * are checked one after the other against the balance the previous one left, so no reservation is lost or overdrawn.
 */
export function pgAccept(sql: Sql) {
  return (batch: AcceptBatch, now: number): Promise<AcceptResult[]> =>
    inTransaction(sql, async (tx) => {
      const context = await loadContext(tx, batch, now);
      const accepted: MessageInsert[] = [];
      let reservedTotal = 0;
      const results = batch.candidates.map((candidate): AcceptResult => {
        const decision = decideItem(context, candidate.draft, candidate.price);
        if (!decision.accepted) return decision;
        const reserved = context.billingEnabled ? candidate.price : 0;
        reservedTotal += reserved;
        // A message submitted over SMPP has the uuid its door gave it already.
        const uuid = candidate.smpp?.uuid ?? newMessageId();
        accepted.push({ uuid, candidate, trafficType: decision.trafficType, reserved, status: 'sending', errorCode: null });
        return { accepted: true, uuid };
      });
      await insertMessages(tx, batch, accepted, now);
      await insertShortLinks(tx, accepted);
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

async function insertShortLinks(tx: TransactionSql, items: Pick<MessageInsert, 'uuid' | 'candidate'>[]): Promise<void> {
  const links = items.flatMap((item) => item.candidate.shortLinks.map((link) => ({ ...link, uuid: item.uuid })));
  if (links.length === 0) return;
  await tx`
    insert into short_links (slug, message_uuid, short_url, url)
    select * from unnest(
      ${links.map((l) => l.slug)}::text[], ${links.map((l) => l.uuid)}::uuid[],
      ${links.map((l) => l.shortUrl)}::text[], ${links.map((l) => l.url)}::text[]
    )`;
}
