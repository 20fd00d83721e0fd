import type { PauseState } from '../senderBreaker.js';

/** What the VK connector reads and keeps of the shared VK state (the store's `vk` repository). */
export interface VkStateView extends PauseState {
  takeDailySlots(requests: { uuid: string; senderName: string; phone: string }[], now: number, limit: number, windowMs: number): Promise<boolean[]>;
  releaseDailySlots(uuids: string[]): Promise<void>;
  recordCommunityMessage(groupId: string, peerId: string, messageId: number, at: number): Promise<void>;
  purge(before: number): Promise<number>;
}

export interface VkLogger {
  info(detail: object, message: string): void;
  warn(detail: object, message: string): void;
  error(detail: object, message: string): void;
}
