import { trafficTypeFor } from '../../domain/businessChecks.js';
import type { TrafficType } from '../../domain/channels.js';
import type { CallbackRow, SmppReceiptRow, TimelineNote } from '../../domain/reportFold.js';
import type { SmppDoorRepository, StoredPart } from '../smppDoor.js';
import { toClaimedDeliver, toStoredPart, type DeliverRow, type PartRow } from '../rows/smppDoorRows.js';
import { incompleteNote } from '../smppIncomplete.js';
import { inTransaction, type Sql, type TransactionSql } from './connection.js';
import { addCallbackEvents, addSmppReceipts } from './engine/applyReports.js';
import { ownerIsDead, type PgIdempotencyOwner } from './idempotencyOwner.js';
import { insertMessages, type MessageInsert } from './messages/insertMessages.js';

/** Advisory lock classes: one user's binds ('dgsb'), one concatenation group's parts ('dgsp'). */
const BIND_LOCK_SPACE = 0x64677362;
const PARTS_LOCK_SPACE = 0x64677370;

/** Read as an array in the claim's statement. */
type PgDeliverRow = DeliverRow & { part_ids: string[] };


const lockGroup = (tx: TransactionSql, smppUserId: number, groupKey: string) =>
  tx`select pg_advisory_xact_lock(${PARTS_LOCK_SPACE}::int, hashtext(${`${smppUserId} ${groupKey}`}))`;

const groupParts = (tx: TransactionSql | Sql, smppUserId: number, groupKey: string) => tx<PartRow[]>`
  select smpp_user_id, group_key, segment, total, message_uuid, message_id, item, received_at
  from smpp_parts where smpp_user_id = ${smppUserId} and group_key = ${groupKey} order by segment`;

/** `count` values of the gateway-wide counter, increasing (read as text: they may pass 2^53). */
async function nextCounters(sql: Sql | TransactionSql, count: number): Promise<bigint[]> {
  if (count <= 0) return [];
  const rows = await sql<{ v: string }[]>`select nextval('smpp_message_counter')::text as v from generate_series(1, ${count}::int)`;
  return rows.map((r) => BigInt(r.v)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The SMPP door's state on PostgreSQL (store/smppDoor.ts), shared by every node. A bind names its node's idempotency
 * owner (idempotencyOwner.ts: a session-level advisory lock): the binds of a node whose lock is gone are dead, and
 * the check of maxBinds runs under a lock on the user, so two nodes binding at once see each other. A part is stored
 * under a lock on its group, so exactly one caller sees the group complete. deliver_sm rows are leased with
 * FOR UPDATE SKIP LOCKED: two nodes never hold the same row.
 */
export function pgSmppDoor(sql: Sql, owner: PgIdempotencyOwner): SmppDoorRepository {
  /** The owner each open session was recorded under: a node whose owner session was lost and started again has two. */
  const bindOwners = new Map<number, number>();

  return {
    async openBind(smppUserId, maxBinds, bind, now) {
      const me = await owner.id();
      const bound = await inTransaction(sql, async (tx) => {
        await tx`select pg_advisory_xact_lock(${BIND_LOCK_SPACE}::int, ${smppUserId}::int)`;
        await tx`delete from smpp_binds where smpp_user_id = ${smppUserId} and owner <> ${me} and ${ownerIsDead(tx, 'smpp_binds.owner')}`;
        const [row] = await tx<{ n: number }[]>`select count(*)::int as n from smpp_binds where smpp_user_id = ${smppUserId}`;
        if (row!.n >= maxBinds) return false;
        await tx`
          insert into smpp_binds (owner, session_id, smpp_user_id, bind_type, remote_address, bound_at)
          values (${me}, ${bind.sessionId}, ${smppUserId}, ${bind.bindType}, ${bind.remoteAddress}, ${now})
          on conflict (owner, session_id) do update set smpp_user_id = excluded.smpp_user_id, bind_type = excluded.bind_type,
            remote_address = excluded.remote_address, bound_at = excluded.bound_at`;
        return true;
      });
      if (bound) bindOwners.set(bind.sessionId, me);
      return bound;
    },
    async closeBind(sessionId) {
      const recorded = bindOwners.get(sessionId);
      bindOwners.delete(sessionId);
      if (recorded === undefined) return;
      await sql`delete from smpp_binds where owner = ${recorded} and session_id = ${sessionId}`;
    },
    async boundCounts() {
      const rows = await sql<{ smpp_user_id: number; n: number }[]>`
        select smpp_user_id, count(*)::int as n from smpp_binds
        where not ${ownerIsDead(sql, 'smpp_binds.owner')}
        group by smpp_user_id`;
      return new Map(rows.map((r) => [Number(r.smpp_user_id), r.n]));
    },
    takeCounters: (count) => nextCounters(sql, count),
    async messageOf(smppUserId, messageId) {
      const [row] = await sql<{ message_uuid: string }[]>`
        select message_uuid from smpp_message_ids where smpp_user_id = ${smppUserId} and message_id = ${messageId}`;
      return row?.message_uuid ?? null;
    },
    storePart: (part, ids) =>
      inTransaction(sql, async (tx) => {
        await lockGroup(tx, part.smppUserId, part.groupKey);
        const parts = (await groupParts(tx, part.smppUserId, part.groupKey)).map(toStoredPart);
        const existing = parts.find((p) => p.segment === part.segment);
        if (existing) return { state: 'duplicate' as const, part: existing };
        const messageUuid = parts[0]?.messageUuid ?? ids.newUuid();
        const [counter] = await nextCounters(tx, 1);
        const stored: StoredPart = { ...part, messageUuid, messageId: ids.messageId(messageUuid, part.segment, counter!) };
        await tx`
          insert into smpp_parts (smpp_user_id, group_key, segment, total, message_uuid, message_id, item, received_at)
          values (${stored.smppUserId}, ${stored.groupKey}, ${stored.segment}, ${stored.total}, ${stored.messageUuid},
            ${stored.messageId}, ${stored.item}, ${stored.receivedAt})`;
        // Under the group's lock: only the insert that brings the count to the total sees it.
        if (parts.length + 1 !== part.total) return { state: 'stored' as const, part: stored };
        const all = [...parts, stored].sort((a, b) => a.segment - b.segment);
        return { state: 'complete' as const, part: stored, parts: all };
      }),
    async dropParts(smppUserId, groupKey) {
      await sql`delete from smpp_parts where smpp_user_id = ${smppUserId} and group_key = ${groupKey}`;
    },
    async removePart(smppUserId, groupKey, segment) {
      await sql`delete from smpp_parts where smpp_user_id = ${smppUserId} and group_key = ${groupKey} and segment = ${segment}`;
    },
    async staleGroups(before, limit) {
      // The rows received before `before` are enough: the min over them of a group whose first part is older is that part.
      const groups = await sql<{ smpp_user_id: number; group_key: string }[]>`
        select smpp_user_id, group_key, min(received_at) as first_at from smpp_parts where received_at < ${before}
        group by smpp_user_id, group_key order by first_at, smpp_user_id, group_key limit ${limit}`;
      return Promise.all(
        groups.map(async (g) => {
          const parts = (await groupParts(sql, Number(g.smpp_user_id), g.group_key)).map(toStoredPart);
          const [found] = parts.length === 0 ? [] : await sql`select 1 from messages where uuid = ${parts[0]!.messageUuid}`;
          return { smppUserId: Number(g.smpp_user_id), groupKey: g.group_key, parts, messageExists: found !== undefined };
        }),
      ).then((all) => all.filter((g) => g.parts.length > 0));
    },
    async failIncomplete(messages, errorCode, now) {
      if (messages.length === 0) return;
      await inTransaction(sql, async (tx) => {
        const users = messages.flatMap((m) => m.candidate.smpp.partIds.map(() => m.candidate.smpp.smppUserId));
        const partIds = messages.flatMap((m) => m.candidate.smpp.partIds);
        const groups = await tx<{ smpp_user_id: number; group_key: string }[]>`
          select distinct p.smpp_user_id, p.group_key
          from smpp_parts p join unnest(${users}::bigint[], ${partIds}::text[]) as q (u, id) on p.smpp_user_id = q.u and p.message_id = q.id
          order by p.smpp_user_id, p.group_key`;
        // In a fixed order, as storePart takes them.
        for (const g of groups) await lockGroup(tx, Number(g.smpp_user_id), g.group_key);

        const byBatch = new Map<string, { accountId: number; trafficCenterId: number; items: MessageInsert[] }>();
        const notes: TimelineNote[] = [];
        const callbacks: CallbackRow[] = [];
        const receipts: SmppReceiptRow[] = [];
        const links: { slug: string; uuid: string; shortUrl: string; url: string }[] = [];
        for (const m of messages) {
          const { candidate } = m;
          const { smpp, draft } = candidate;
          const [sender] = await tx<{ traffic_type: TrafficType | null }[]>`
            select traffic_type from senders
            where account_id = ${m.accountId} and channel = ${draft.channelType} and name = ${draft.senderName} and starts_at <= ${now}`;
          const key = `${m.accountId} ${m.trafficCenterId}`;
          let batch = byBatch.get(key);
          if (!batch) byBatch.set(key, (batch = { accountId: m.accountId, trafficCenterId: m.trafficCenterId, items: [] }));
          batch.items.push({
            uuid: smpp.uuid,
            candidate,
            trafficType: trafficTypeFor(draft.channelType, sender?.traffic_type ?? null),
            reserved: 0,
            status: 'unsent',
            errorCode,
          });
          for (const l of candidate.shortLinks) links.push({ ...l, uuid: smpp.uuid });
          notes.push([smpp.uuid, now, 'unsent', incompleteNote(errorCode, m.callbacks)]);
          for (const c of m.callbacks) callbacks.push({ accountId: m.accountId, uuid: smpp.uuid, url: c.url, payload: c.payload });
          if (m.receipt) receipts.push({ accountId: m.accountId, smppUserId: smpp.smppUserId, uuid: smpp.uuid, status: 'unsent', errorCode, at: now });
        }
        for (const batch of byBatch.values()) await insertMessages(tx, batch, batch.items, now);
        const writes: Promise<unknown>[] = [
          tx`
            insert into message_events (message_uuid, at, kind, detail)
            select * from unnest(${notes.map((n) => n[0])}::uuid[], ${notes.map((n) => n[1])}::bigint[],
              ${notes.map((n) => n[2])}::text[], ${notes.map((n) => n[3])}::text[])`,
        ];
        if (links.length > 0) {
          writes.push(tx`
            insert into short_links (slug, message_uuid, short_url, url)
            select * from unnest(${links.map((l) => l.slug)}::text[], ${links.map((l) => l.uuid)}::uuid[],
              ${links.map((l) => l.shortUrl)}::text[], ${links.map((l) => l.url)}::text[])`);
        }
        if (callbacks.length > 0) writes.push(addCallbackEvents(tx, callbacks, now));
        if (receipts.length > 0) writes.push(addSmppReceipts(tx, receipts, now));
        // Only the parts made messages: one that came in since the group was read stays, and waits its own minute.
        writes.push(tx`
          delete from smpp_parts p
          using unnest(${users}::bigint[], ${partIds}::text[]) as q (u, id)
          where p.smpp_user_id = q.u and p.message_id = q.id`);
        await Promise.all(writes);
      });
    },
    async claimDelivers(demand, now, leaseMs) {
      const wanted = demand.filter((d) => d.limit > 0);
      if (wanted.length === 0) return [];
      const me = await owner.id();
      const rows = await inTransaction(sql, async (tx) => {
        // Leases of a node that died end with it: what it had sent unanswered is due again at once (spec §4: sent again
        // after a reconnect), not when its lease would have run out.
        await tx`
          update smpp_outbox set lease_until = null, lease_owner = null
          where lease_owner is not null and lease_owner <> ${me} and ${ownerIsDead(tx, 'smpp_outbox.lease_owner')}`;
        const claimed: PgDeliverRow[] = [];
        // One demand at a time: an account's inbound rows leased for one of its users are no longer free for the next.
        for (const d of wanted) {
          claimed.push(
            ...(await tx<PgDeliverRow[]>`
              with picked as (
                select id from smpp_outbox
                where (smpp_user_id = ${d.smppUserId} or (smpp_user_id is null and account_id = ${d.accountId}))
                  and due_at <= ${now} and (lease_until is null or lease_until <= ${now})
                order by id limit ${d.limit}
                for update skip locked
              ), leased as (
                update smpp_outbox o
                set lease_until = greatest(${now + leaseMs}::bigint, coalesce(o.lease_until, 0) + 1), lease_owner = ${me}, attempts = o.attempts + 1
                from picked where o.id = picked.id
                returning o.*
              )
              select l.id::text as id, l.kind, l.account_id, l.smpp_user_id, l.message_uuid, l.status, l.error_code, l.done_at,
                l.created_at, l.attempts, l.lease_until, m.destination, m.sender_name, m.content, m.created_at as message_created_at,
                case when l.kind = 'receipt' then array(
                  select i.message_id from smpp_message_ids i
                  where i.smpp_user_id = l.smpp_user_id and i.message_uuid = l.message_uuid order by i.segment
                ) else '{}'::text[] end as part_ids
              from leased l join messages m on m.uuid = l.message_uuid
              order by l.id`),
          );
        }
        return claimed;
      });
      return rows.map((row) => toClaimedDeliver(row, row.part_ids));
    },
    async completeDelivers(done) {
      if (done.length === 0) return;
      await sql`
        delete from smpp_outbox o
        using unnest(${done.map((d) => d.id)}::bigint[], ${done.map((d) => d.leaseUntil)}::bigint[]) as d (id, lease)
        where o.id = d.id and o.lease_until = d.lease`;
    },
    async retryDelivers(retries) {
      if (retries.length === 0) return;
      await sql`
        update smpp_outbox o set due_at = r.due, lease_until = null, lease_owner = null
        from unnest(${retries.map((r) => r.id)}::bigint[], ${retries.map((r) => r.leaseUntil)}::bigint[],
          ${retries.map((r) => r.dueAt)}::bigint[]) as r (id, lease, due)
        where o.id = r.id and o.lease_until = r.lease`;
    },
    async purgeDelivers(createdBefore) {
      const result = await sql`delete from smpp_outbox where created_at < ${createdBefore}`;
      return result.count;
    },
    async pendingDelivers(smppUserId) {
      const [row] =
        smppUserId === undefined
          ? await sql<{ n: number }[]>`select count(*)::int as n from smpp_outbox`
          : await sql<{ n: number }[]>`select count(*)::int as n from smpp_outbox where smpp_user_id = ${smppUserId}`;
      return row!.n;
    },
  };
}
