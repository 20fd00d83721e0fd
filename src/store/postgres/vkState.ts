import type { VkStateRepository } from '../vkState.js';
import { inTransaction, type Sql } from './connection.js';
import { pgPausedSenders } from './pausedSenders.js';

/** The second argument of hashtextextended for the daily-limit locks: any constant, the same on every node. */
const DAILY_SLOT_LOCK_SEED = 4242;

/**
 * A sender name and phone as one text, for the maps of one call and the lock's hash: the name's length first, so no
 * two pairs give the same text (and no NUL, which PostgreSQL's text cannot hold).
 */
const pairKey = (senderName: string, phone: string) => `${senderName.length}:${senderName}${phone}`;

export function pgVkState(sql: Sql): VkStateRepository {
  return {
    ...pgPausedSenders(sql, 'VK'),
    // The caller does not call it when the limit is off (no limit of 0 or less reaches the store).
    async takeDailySlots(requests, now, limit, windowMs) {
      if (requests.length === 0) return [];
      const pairs = new Map<string, { senderName: string; phone: string }>();
      for (const { senderName, phone } of requests) pairs.set(pairKey(senderName, phone), { senderName, phone });
      const uuids = [...new Set(requests.map((r) => r.uuid))];
      return inTransaction(sql, async (tx) => {
        // One advisory lock per pair, held to the end of the transaction: the nodes deciding for one pair run one after
        // the other, each counting the slots the one before committed. Taken in the order of the lock keys (not of the
        // pairs: two pairs may hash alike), so two calls locking several pairs never wait for each other in a circle.
        await tx`
          select pg_advisory_xact_lock(k)
          from (
            select distinct hashtextextended(p, ${DAILY_SLOT_LOCK_SEED}) as k from unnest(${[...pairs.keys()]}::text[]) as p order by k
          ) as sorted`;
        const held = new Set(
          (await tx<{ message_uuid: string }[]>`select message_uuid from vk_daily_slots where message_uuid = any(${uuids}::uuid[])`).map(
            (r) => r.message_uuid.toLowerCase(),
          ),
        );
        const pairList = [...pairs.values()];
        const counted = await tx<{ sender_name: string; phone: string; n: number }[]>`
          select s.sender_name, s.phone, count(*)::int as n
          from vk_daily_slots s
          join unnest(${pairList.map((p) => p.senderName)}::text[], ${pairList.map((p) => p.phone)}::text[]) as q (sender_name, phone)
            on s.sender_name = q.sender_name and s.phone = q.phone
          where s.taken_at > ${now - windowMs}
          group by s.sender_name, s.phone`;
        const counts = new Map(counted.map((r) => [pairKey(r.sender_name, r.phone), r.n]));
        const granted: typeof requests = [];
        const answers = requests.map((request) => {
          const uuid = request.uuid.toLowerCase();
          if (held.has(uuid)) return true;
          const key = pairKey(request.senderName, request.phone);
          const count = counts.get(key) ?? 0;
          if (count >= limit) return false;
          counts.set(key, count + 1);
          held.add(uuid);
          granted.push(request);
          return true;
        });
        if (granted.length > 0) {
          await tx`
            insert into vk_daily_slots (message_uuid, sender_name, phone, taken_at)
            select u, s, p, ${now}::bigint
            from unnest(${granted.map((g) => g.uuid)}::uuid[], ${granted.map((g) => g.senderName)}::text[], ${granted.map((g) => g.phone)}::text[])
              as t (u, s, p)
            on conflict do nothing`;
        }
        return answers;
      });
    },
    async releaseDailySlots(uuids) {
      if (uuids.length === 0) return;
      await sql`delete from vk_daily_slots where message_uuid = any(${uuids}::uuid[])`;
    },
    async dailyCount(senderName, phone, since) {
      const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from vk_daily_slots where sender_name = ${senderName} and phone = ${phone} and taken_at > ${since}`;
      return row!.n;
    },

    async recordCommunityMessage(groupId, peerId, messageId, at) {
      await sql`
        insert into vk_community_messages (group_id, peer_id, message_id, sent_at) values (${groupId}, ${peerId}, ${messageId}, ${at})
        on conflict do nothing`;
    },
    async communityMessagesThrough(groupId, peerId, throughId) {
      const rows = await sql<{ message_id: number }[]>`
        select message_id from vk_community_messages
        where group_id = ${groupId} and peer_id = ${peerId} and message_id <= ${throughId} order by message_id`;
      return rows.map((r) => Number(r.message_id));
    },
    async forgetCommunityMessages(groupId, peerId, messageIds) {
      if (messageIds.length === 0) return;
      await sql`
        delete from vk_community_messages
        where group_id = ${groupId} and peer_id = ${peerId} and message_id = any(${messageIds}::bigint[])`;
    },

    async rememberEvent(groupId, eventId, at) {
      const result = await sql`insert into vk_webhook_events (group_id, event_id, at) values (${groupId}, ${eventId}, ${at}) on conflict do nothing`;
      return result.count > 0;
    },
    async seenEvent(groupId, eventId) {
      const rows = await sql`select 1 from vk_webhook_events where group_id = ${groupId} and event_id = ${eventId}`;
      return rows.length > 0;
    },

    async purge(before) {
      return sql.begin(async (tx) => {
        const slots = await tx`delete from vk_daily_slots where taken_at < ${before}`;
        const messages = await tx`delete from vk_community_messages where sent_at < ${before}`;
        const events = await tx`delete from vk_webhook_events where at < ${before}`;
        return slots.count + messages.count + events.count;
      });
    },
  };
}
