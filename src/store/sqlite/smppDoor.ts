import type Database from 'better-sqlite3';
import { trafficTypeFor } from '../../domain/businessChecks.js';
import type { TrafficType } from '../../domain/channels.js';
import type { SmppDoorRepository, StoredPart } from '../smppDoor.js';
import { PART_COLUMNS, toClaimedDeliver, toStoredPart, type DeliverRow, type PartRow } from '../rows/smppDoorRows.js';
import type { SqliteIdempotencyOwner } from './idempotencyOwner.js';
import { rowParams } from './messages/messageRowParams.js';
import { sqlitePartIdWrites } from './messages/smppMessages.js';
import { INSERT_MESSAGE } from './messages/accept.js';
import { sqliteOutboxWrites, type OutboxEvent } from './outboxWrites.js';
import { sqliteSmppOutboxWrites } from './smppOutboxWrites.js';
import { writeTransaction } from './writeTransaction.js';
import { incompleteNote } from '../smppIncomplete.js';


/**
 * The SMPP door's state on SQLite (store/smppDoor.ts). Binds are kept per owner (idempotencyOwner.ts: a lock file
 * held for the store's life), so the processes sharing the file count each other's sessions, and the sessions of a
 * process that died stop counting the moment its lock is gone. Every write is one write transaction; `durable`
 * flushes the WAL before a part's answer (a part answered ESME_ROK is a promise, like a 201).
 */
export function sqliteSmppDoor(db: Database.Database, owner: SqliteIdempotencyOwner, durable: () => Promise<void>): SmppDoorRepository {
  const bindOwners = db.prepare<[number], string>('select distinct owner from smpp_binds where smpp_user_id = ?').pluck();
  const dropOwner = db.prepare('delete from smpp_binds where owner = ?');
  const countBinds = db.prepare<[number], number>('select count(*) from smpp_binds where smpp_user_id = ?').pluck();
  const insertBind = db.prepare(
    `insert into smpp_binds (owner, session_id, smpp_user_id, bind_type, remote_address, bound_at) values (?, ?, ?, ?, ?, ?)
     on conflict (owner, session_id) do update set smpp_user_id = excluded.smpp_user_id, bind_type = excluded.bind_type,
       remote_address = excluded.remote_address, bound_at = excluded.bound_at`,
  );
  const deleteBind = db.prepare('delete from smpp_binds where owner = ? and session_id = ?');
  const allBinds = db.prepare<[], { owner: string; smpp_user_id: number; n: number }>(
    'select owner, smpp_user_id, count(*) as n from smpp_binds group by owner, smpp_user_id',
  );

  const advanceCounter = db.prepare<[number], bigint>('update smpp_counter set value = value + ? returning value').pluck().safeIntegers();
  const messageOf = db.prepare<[number, string], string>(
    'select message_uuid from smpp_message_ids where smpp_user_id = ? and message_id = ?',
  ).pluck();

  const findPart = db.prepare<[number, string, number], PartRow>(
    `select ${PART_COLUMNS} from smpp_parts where smpp_user_id = ? and group_key = ? and segment = ?`,
  );
  const groupUuid = db.prepare<[number, string], string>('select message_uuid from smpp_parts where smpp_user_id = ? and group_key = ? limit 1').pluck();
  const insertPart = db.prepare(
    `insert into smpp_parts (${PART_COLUMNS}) values (@smppUserId, @groupKey, @segment, @total, @messageUuid, @messageId, @item, @receivedAt)`,
  );
  const groupCount = db.prepare<[number, string], number>('select count(*) from smpp_parts where smpp_user_id = ? and group_key = ?').pluck();
  const groupParts = db.prepare<[number, string], PartRow>(
    `select ${PART_COLUMNS} from smpp_parts where smpp_user_id = ? and group_key = ? order by segment`,
  );
  const dropGroup = db.prepare('delete from smpp_parts where smpp_user_id = ? and group_key = ?');
  const dropPart = db.prepare('delete from smpp_parts where smpp_user_id = ? and group_key = ? and segment = ?');
  // The rows received before `before` are enough: a group whose first part is older has such a row, and that row's
  // group's min over them is its first part (the index on received_at serves it).
  const staleGroups = db.prepare<[number, number], { smpp_user_id: number; group_key: string }>(
    `select smpp_user_id, group_key, min(received_at) as first_at from smpp_parts where received_at < ?
     group by smpp_user_id, group_key order by first_at, smpp_user_id, group_key limit ?`,
  );
  const messageExists = db.prepare<[string], number>('select count(*) from messages where uuid = ?').pluck();
  const dropPartById = db.prepare('delete from smpp_parts where smpp_user_id = ? and message_id = ?');

  const senderType = db.prepare<[number, string, string, number], string | null>(
    'select traffic_type from senders where account_id = ? and channel = ? and name = ? and starts_at <= ?',
  ).pluck();
  const insertMessage = db.prepare(INSERT_MESSAGE);
  const partIds = sqlitePartIdWrites(db);
  const link = db.prepare('insert into short_links (slug, message_uuid, short_url, url) values (?, ?, ?, ?)');
  const note = db.prepare('insert into message_events (message_uuid, at, kind, detail) values (?, ?, ?, ?)');
  const outbox = sqliteOutboxWrites(db);
  const smppOutbox = sqliteSmppOutboxWrites(db);

  // The rows of the user (receipts) and of its account's inbound SMS (user null), oldest first; the lease token is
  // greater than any the row had, so a caller holding an older lease can never complete or retry the new one.
  const lease = db.prepare<{ user: number; account: number; now: number; until: number; limit: number; me: string }, { id: number }>(
    `update smpp_outbox set lease_until = max(@until, coalesce(lease_until, 0) + 1), lease_owner = @me, attempts = attempts + 1
     where id in (
       select id from smpp_outbox
       where smpp_user_id = @user and due_at <= @now and (lease_until is null or lease_until <= @now)
       union all
       select id from smpp_outbox
       where smpp_user_id is null and account_id = @account and due_at <= @now and (lease_until is null or lease_until <= @now)
       order by id limit @limit
     )
     returning id`,
  );
  // A receipt's part ids come with it (one statement for the round, not one per row).
  const leased = db.prepare<[string], DeliverRow & { part_ids: string | null }>(
    `select o.id, o.kind, o.account_id, o.smpp_user_id, o.message_uuid, o.status, o.error_code, o.done_at, o.created_at,
       o.attempts, o.lease_until, m.destination, m.sender_name, m.content, m.created_at as message_created_at,
       case when o.kind = 'receipt' then (
         select json_group_array(message_id) from (
           select i.message_id from smpp_message_ids i
           where i.smpp_user_id = o.smpp_user_id and i.message_uuid = o.message_uuid order by i.segment)
       ) end as part_ids
     from smpp_outbox o join messages m on m.uuid = o.message_uuid
     where o.id in (select value from json_each(?)) order by o.id`,
  );
  // Leases of a process that died (kill -9) end with it: what it had sent unanswered is due again at once (spec §4:
  // sent again after a reconnect), not when its lease would have run out.
  const leaseOwners = db.prepare<[], string>('select distinct lease_owner from smpp_outbox where lease_owner is not null').pluck();
  const releaseOwner = db.prepare('update smpp_outbox set lease_until = null, lease_owner = null where lease_owner = ?');
  const complete = db.prepare(
    `delete from smpp_outbox where id in (
       select o.id from smpp_outbox o join json_each(?) d on o.id = d.value ->> 0 and o.lease_until = d.value ->> 1)`,
  );
  const retry = db.prepare(
    `update smpp_outbox set due_at = d.value ->> 2, lease_until = null, lease_owner = null
     from json_each(?) d where smpp_outbox.id = d.value ->> 0 and smpp_outbox.lease_until = d.value ->> 1`,
  );
  const purge = db.prepare('delete from smpp_outbox where created_at < ?');
  const pendingAll = db.prepare<[], number>('select count(*) from smpp_outbox').pluck();
  const pendingOf = db.prepare<[number], number>('select count(*) from smpp_outbox where smpp_user_id = ?').pluck();

  const takeCounters = (count: number): bigint[] => {
    if (count <= 0) return [];
    const last = advanceCounter.get(count)!;
    return Array.from({ length: count }, (_, i) => last - BigInt(count - 1 - i));
  };

  const takeCountersAlone = writeTransaction(db, takeCounters);

  const openBind = writeTransaction(db, (me: string, smppUserId: number, maxBinds: number, sessionId: number, bindType: string, remoteAddress: string, now: number): boolean => {
    for (const other of bindOwners.all(smppUserId)) if (!owner.isAlive(other)) dropOwner.run(other);
    if (countBinds.get(smppUserId)! >= maxBinds) return false;
    insertBind.run(me, sessionId, smppUserId, bindType, remoteAddress, now);
    return true;
  });

  const storePart = writeTransaction(db, (part: Parameters<SmppDoorRepository['storePart']>[0], ids: Parameters<SmppDoorRepository['storePart']>[1]) => {
    const existing = findPart.get(part.smppUserId, part.groupKey, part.segment);
    if (existing) return { state: 'duplicate' as const, part: toStoredPart(existing) };
    const messageUuid = groupUuid.get(part.smppUserId, part.groupKey) ?? ids.newUuid();
    const [counter] = takeCounters(1);
    const stored: StoredPart = { ...part, messageUuid, messageId: ids.messageId(messageUuid, part.segment, counter!) };
    insertPart.run(stored);
    // Only the insert that brings the count to the total sees it: a part sent again is a duplicate above.
    if (groupCount.get(part.smppUserId, part.groupKey) !== part.total) return { state: 'stored' as const, part: stored };
    return { state: 'complete' as const, part: stored, parts: groupParts.all(part.smppUserId, part.groupKey).map(toStoredPart) };
  });

  const failIncomplete = writeTransaction(db, (messages: Parameters<SmppDoorRepository['failIncomplete']>[0], errorCode: number, now: number) => {
    for (const m of messages) {
      const { candidate } = m;
      const { smpp, draft } = candidate;
      // Only the parts made messages: one that came in since the group was read stays, and waits its own minute.
      for (const id of smpp.partIds) dropPartById.run(smpp.smppUserId, id);
      const row = rowParams({ accountId: m.accountId, trafficCenterId: m.trafficCenterId }, candidate, now);
      const registered = senderType.get(m.accountId, draft.channelType, draft.senderName, now);
      row.trafficType = trafficTypeFor(draft.channelType, (registered ?? null) as TrafficType | null);
      row.reserved = 0;
      row.dueAt = null;
      row.status = 'unsent';
      row.errorCode = errorCode;
      insertMessage.run(row);
      partIds(row.uuid, smpp);
      for (const l of candidate.shortLinks) link.run(l.slug, row.uuid, l.shortUrl, l.url);
      note.run(row.uuid, now, 'unsent', incompleteNote(errorCode, m.callbacks));
      const byUrl = new Map<string, OutboxEvent[]>();
      for (const c of m.callbacks) {
        let events = byUrl.get(c.url);
        if (!events) byUrl.set(c.url, (events = []));
        events.push({ message_uuid: row.uuid, payload: c.payload });
      }
      for (const [url, events] of byUrl) outbox.add(m.accountId, url, events, now);
      if (m.receipt) {
        smppOutbox.receipts([{ accountId: m.accountId, smppUserId: smpp.smppUserId, uuid: row.uuid, status: 'unsent', errorCode, at: now }], now);
      }
    }
  });

  const claim = writeTransaction(db, (me: string, demand: Parameters<SmppDoorRepository['claimDelivers']>[0], now: number, leaseMs: number) => {
    for (const other of leaseOwners.all()) if (other !== me && !owner.isAlive(other)) releaseOwner.run(other);
    const ids: number[] = [];
    for (const d of demand) {
      if (d.limit <= 0) continue;
      for (const { id } of lease.all({ user: d.smppUserId, account: d.accountId, now, until: now + leaseMs, limit: d.limit, me })) ids.push(id);
    }
    return ids.length === 0 ? [] : leased.all(JSON.stringify(ids));
  });

  // Every write takes the write lock the other threads share (writeTransaction.ts), one statement or many.
  const closeBind = writeTransaction(db, (me: string, sessionId: number) => deleteBind.run(me, sessionId));
  const dropParts = writeTransaction(db, (smppUserId: number, groupKey: string) => dropGroup.run(smppUserId, groupKey));
  const removePart = writeTransaction(db, (smppUserId: number, groupKey: string, segment: number) => dropPart.run(smppUserId, groupKey, segment));
  const purgeDelivers = writeTransaction(db, (before: number): number => purge.run(before).changes);
  const completeAll = writeTransaction(db, (pairs: string) => complete.run(pairs));
  const retryAll = writeTransaction(db, (triples: string) => retry.run(triples));

  return {
    async openBind(smppUserId, maxBinds, bind, now) {
      // The owner's lock is taken outside the write transaction: it is file work of its own.
      return openBind(owner.id(), smppUserId, maxBinds, bind.sessionId, bind.bindType, bind.remoteAddress, now);
    },
    async closeBind(sessionId) {
      closeBind(owner.id(), sessionId);
    },
    async boundCounts() {
      const counts = new Map<number, number>();
      for (const row of allBinds.all()) {
        if (!owner.isAlive(row.owner)) continue;
        counts.set(row.smpp_user_id, (counts.get(row.smpp_user_id) ?? 0) + row.n);
      }
      return counts;
    },
    async takeCounters(count) {
      return takeCountersAlone(count);
    },
    async messageOf(smppUserId, messageId) {
      return messageOf.get(smppUserId, messageId) ?? null;
    },
    async storePart(part, ids) {
      const result = storePart(part, ids);
      // Answered ESME_ROK only once on disk (spec §3: the rule of a 201).
      if (result.state !== 'duplicate') await durable();
      return result;
    },
    async dropParts(smppUserId, groupKey) {
      dropParts(smppUserId, groupKey);
    },
    async removePart(smppUserId, groupKey, segment) {
      removePart(smppUserId, groupKey, segment);
    },
    async staleGroups(before, limit) {
      return staleGroups.all(before, limit).map((g) => {
        const parts = groupParts.all(g.smpp_user_id, g.group_key).map(toStoredPart);
        return { smppUserId: g.smpp_user_id, groupKey: g.group_key, parts, messageExists: messageExists.get(parts[0]!.messageUuid)! > 0 };
      });
    },
    async failIncomplete(messages, errorCode, now) {
      if (messages.length > 0) failIncomplete(messages, errorCode, now);
    },
    async claimDelivers(demand, now, leaseMs) {
      return claim(owner.id(), demand, now, leaseMs).map((row) => toClaimedDeliver(row, row.part_ids === null ? [] : (JSON.parse(row.part_ids) as string[])));
    },
    async completeDelivers(done) {
      if (done.length > 0) completeAll(JSON.stringify(done.map((d) => [Number(d.id), d.leaseUntil])));
    },
    async retryDelivers(retries) {
      if (retries.length > 0) retryAll(JSON.stringify(retries.map((r) => [Number(r.id), r.leaseUntil, r.dueAt])));
    },
    async purgeDelivers(createdBefore) {
      return purgeDelivers(createdBefore);
    },
    async pendingDelivers(smppUserId) {
      return smppUserId === undefined ? pendingAll.get()! : pendingOf.get(smppUserId)!;
    },
  };
}
