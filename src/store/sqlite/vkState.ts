import type Database from 'better-sqlite3';
import type { VkDailySlotRequest, VkStateRepository } from '../vkState.js';
import { sqlitePausedSenders } from './pausedSenders.js';
import { writeTransaction } from './writeTransaction.js';

export function sqliteVkState(db: Database.Database): VkStateRepository {
  const holdsSlot = db.prepare<[string], number>('select 1 from vk_daily_slots where message_uuid = ?').pluck();
  const countSlots = db
    .prepare<[string, string, number], number>('select count(*) from vk_daily_slots where sender_name = ? and phone = ? and taken_at > ?')
    .pluck();
  const insertSlot = db.prepare('insert into vk_daily_slots (message_uuid, sender_name, phone, taken_at) values (?, ?, ?, ?)');
  // One write transaction: the count and the insert see no other writer in between (every connection, every process,
  // takes the database's write lock for it), so the limit holds across the processes sharing the file.
  const take = writeTransaction(db, (requests: VkDailySlotRequest[], now: number, limit: number, windowMs: number): boolean[] =>
    requests.map(({ uuid, senderName, phone }) => {
      if (holdsSlot.get(uuid) !== undefined) return true;
      if (countSlots.get(senderName, phone, now - windowMs)! >= limit) return false;
      insertSlot.run(uuid, senderName, phone, now);
      return true;
    }),
  );
  const deleteSlot = db.prepare('delete from vk_daily_slots where message_uuid = ?');
  const release = writeTransaction(db, (uuids: string[]) => {
    for (const uuid of uuids) deleteSlot.run(uuid);
  });

  const insertCommunityMessage = db.prepare(`
    insert into vk_community_messages (group_id, peer_id, message_id, sent_at) values (?, ?, ?, ?) on conflict do nothing`);
  const recordCommunityMessage = writeTransaction(db, (groupId: string, peerId: string, messageId: number, at: number) => {
    insertCommunityMessage.run(groupId, peerId, messageId, at);
  });
  const through = db
    .prepare<[string, string, number], number>(
      'select message_id from vk_community_messages where group_id = ? and peer_id = ? and message_id <= ? order by message_id',
    )
    .pluck();
  const deleteCommunityMessage = db.prepare('delete from vk_community_messages where group_id = ? and peer_id = ? and message_id = ?');
  const forget = writeTransaction(db, (groupId: string, peerId: string, messageIds: number[]) => {
    for (const id of messageIds) deleteCommunityMessage.run(groupId, peerId, id);
  });

  const insertEvent = db.prepare('insert into vk_webhook_events (group_id, event_id, at) values (?, ?, ?) on conflict do nothing');
  const remember = writeTransaction(db, (groupId: string, eventId: string, at: number): boolean => insertEvent.run(groupId, eventId, at).changes > 0);
  const seen = db.prepare<[string, string], number>('select 1 from vk_webhook_events where group_id = ? and event_id = ?').pluck();

  const purgeSlots = db.prepare('delete from vk_daily_slots where taken_at < ?');
  const purgeCommunityMessages = db.prepare('delete from vk_community_messages where sent_at < ?');
  const purgeEvents = db.prepare('delete from vk_webhook_events where at < ?');
  const purge = writeTransaction(
    db,
    (before: number): number => purgeSlots.run(before).changes + purgeCommunityMessages.run(before).changes + purgeEvents.run(before).changes,
  );

  return {
    ...sqlitePausedSenders(db, 'VK'),
    // The caller does not call it when the limit is off (no limit of 0 or less reaches the store).
    async takeDailySlots(requests, now, limit, windowMs) {
      return requests.length === 0 ? [] : take(requests, now, limit, windowMs);
    },
    async releaseDailySlots(uuids) {
      if (uuids.length > 0) release(uuids);
    },
    async dailyCount(senderName, phone, since) {
      return countSlots.get(senderName, phone, since)!;
    },
    async recordCommunityMessage(groupId, peerId, messageId, at) {
      recordCommunityMessage(groupId, peerId, messageId, at);
    },
    async communityMessagesThrough(groupId, peerId, throughId) {
      return through.all(groupId, peerId, throughId);
    },
    async forgetCommunityMessages(groupId, peerId, messageIds) {
      if (messageIds.length > 0) forget(groupId, peerId, messageIds);
    },
    async rememberEvent(groupId, eventId, at) {
      return remember(groupId, eventId, at);
    },
    async seenEvent(groupId, eventId) {
      return seen.get(groupId, eventId) !== undefined;
    },
    async purge(before) {
      return purge(before);
    },
  };
}
