/** A sender the circuit breaker paused (spec §13 code 614): it sends nothing until resumed. */
export interface PausedSender {
  senderName: string;
  reason: string;
  pausedAt: number;
}

/** The channels whose senders the circuit breaker pauses (connectors/senderBreaker.ts), each in a table of its own. */
export const PAUSED_SENDER_TABLES = { WHATSAPP: 'whatsapp_paused_senders', VK: 'vk_paused_senders' } as const;
export type PausingChannel = keyof typeof PAUSED_SENDER_TABLES;

/** The paused senders of one channel, shared by every node. */
export interface PausedSenderRepository {
  /** Pauses the sender (again: the first reason and time are kept). */
  pauseSender(senderName: string, reason: string, at: number): Promise<void>;
  /**
   * Ends the pause (false when there was none), and makes the sender's messages that wait for it due again at
   * `waiting.dueAt`: the messages of the channel and that sender name still sending, not claimed, due after `dueAt`
   * and no later than `dueBefore` (how far ahead the circuit breaker puts them off), in the same transaction.
   */
  resumeSender(senderName: string, waiting: { dueAt: number; dueBefore: number }): Promise<boolean>;
  pausedSenders(): Promise<PausedSender[]>;
}
