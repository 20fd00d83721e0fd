import { createHash } from 'node:crypto';

/**
 * messages.send's `random_id` for a message: a stable 31-bit number from its uuid. VK sends one message per
 * (peer, random_id) however often the call is repeated, so a retry after a lost answer never sends twice.
 */
export function randomIdOf(messageUuid: string): number {
  return createHash('sha256').update(messageUuid.toLowerCase()).digest().readUInt32BE(0) & 0x7fffffff;
}
