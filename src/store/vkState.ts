import type { PausedSenderRepository } from './pausedSenders.js';

/** One message asking for a place under the daily limit of its group (sender name) to its phone. */
export interface VkDailySlotRequest {
  uuid: string;
  senderName: string;
  phone: string;
}

/**
 * What the gateway keeps of VK beside the messages, shared by every node (README "VK"): the senders the circuit
 * breaker paused, the messages counted against VK's daily limit per phone and group, and the message ids a
 * community sent to each peer (VK reports reading as "read up to this id"). The rules on top (how many a day, how
 * long the window) are the domain's (domain/vkLimits.ts).
 */
export interface VkStateRepository extends PausedSenderRepository {
  /**
   * The daily limit, atomically across nodes: answers, in order, whether each message holds a slot. A message that
   * already holds one keeps it (a retry counts once); otherwise it gets one when fewer than `limit` messages of its
   * sender name to its phone hold slots taken after `now - windowMs`. Requests of one call are decided in order, so
   * the first ones of a group and phone win.
   */
  takeDailySlots(requests: VkDailySlotRequest[], now: number, limit: number, windowMs: number): Promise<boolean[]>;
  /** Gives back the slots of messages the platform did not take (they do not count at VK). */
  releaseDailySlots(uuids: string[]): Promise<void>;
  /** How many slots the sender's messages to the phone hold, taken after `since` (for the CLI and tests). */
  dailyCount(senderName: string, phone: string, since: number): Promise<number>;

  /** A community sent message `messageId` to peer `peerId` at `at` (kept until read or purged). */
  recordCommunityMessage(groupId: string, peerId: string, messageId: number, at: number): Promise<void>;
  /** The recorded ids of the group's messages to the peer, up to and including `throughId`, ascending. */
  communityMessagesThrough(groupId: string, peerId: string, throughId: number): Promise<number[]>;
  /** Forgets those ids (they were read). */
  forgetCommunityMessages(groupId: string, peerId: string, messageIds: number[]): Promise<void>;

  /**
   * A community webhook event id was applied (the Callback API sends an event again until answered "ok").
   * Returns false when it was already remembered.
   */
  rememberEvent(groupId: string, eventId: string, at: number): Promise<boolean>;
  /** Whether the event id was remembered. */
  seenEvent(groupId: string, eventId: string): Promise<boolean>;

  /** Removes daily slots, community message ids and event ids older than `before`; returns how many rows went. */
  purge(before: number): Promise<number>;
}
