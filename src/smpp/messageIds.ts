/**
 * The `message_id` a client's submit is answered with (`smpp-interface.md` §3), in the SMPP user's format, and
 * its inverse for query_sm / cancel_sm:
 * - `uuid`: the messageUuid for segment 1 (by its number in the concatenation), `<messageUuid>-<n>` for segment
 *   n > 1 (n up to 255);
 * - `hex`: a gateway-wide 63-bit counter in lowercase hexadecimal;
 * - `decimal`: the same counter in decimal.
 * The longest id (`<uuid>-255`) has 40 characters, within SMPP's 65.
 */
import type { MessageIdFormat } from '../domain/smppUser.js';
import { isUuid } from '../domain/messageUuid.js';

export interface MessageIdParts {
  /** The message's uuid (needed by `uuid`). */
  uuid: string;
  /** The part's number in the concatenation, 1–255 (1 for a single message). */
  partNumber: number;
  /** The gateway-wide counter value given to this part (needed by `hex` and `decimal`), 0 ≤ counter < 2^63. */
  counter?: bigint;
}

export type ParsedMessageId = { uuid: string; partNumber: number } | { counter: bigint };

export const MAX_COUNTER = (1n << 63n) - 1n;
const MAX_PART = 255;

export function formatMessageId(format: MessageIdFormat, parts: MessageIdParts): string {
  if (format === 'uuid') {
    if (!isUuid(parts.uuid)) throw new RangeError(`not a uuid: ${JSON.stringify(parts.uuid)}`);
    const { partNumber } = parts;
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART) throw new RangeError(`partNumber must be 1–${MAX_PART}, got ${partNumber}`);
    const uuid = parts.uuid.toLowerCase();
    return partNumber === 1 ? uuid : `${uuid}-${partNumber}`;
  }
  const { counter } = parts;
  if (typeof counter !== 'bigint') throw new RangeError(`the ${format} message id format needs a counter`);
  if (counter < 0n || counter > MAX_COUNTER) throw new RangeError(`the counter must be 0 to 2^63 − 1, got ${counter}`);
  return counter.toString(format === 'hex' ? 16 : 10);
}

/**
 * What a client's message_id names, or null when it is not an id of this format. Lenient only where a client
 * may reasonably rewrite an id: letter case (uuid and hex) and leading zeros (hex and decimal).
 */
export function parseMessageId(format: MessageIdFormat, text: string): ParsedMessageId | null {
  if (format === 'uuid') {
    const m = /^([0-9a-fA-F-]{36})(?:-([1-9][0-9]{0,2}))?$/.exec(text);
    if (!m || !isUuid(m[1]!)) return null;
    const partNumber = m[2] === undefined ? 1 : Number(m[2]);
    if (partNumber < 2 && m[2] !== undefined) return null; // part 1 is the bare uuid
    if (partNumber > MAX_PART) return null;
    return { uuid: m[1]!.toLowerCase(), partNumber };
  }
  const digits = format === 'hex' ? /^[0-9a-fA-F]{1,32}$/ : /^[0-9]{1,40}$/;
  if (!digits.test(text)) return null;
  const counter = BigInt(format === 'hex' ? `0x${text}` : text);
  return counter <= MAX_COUNTER ? { counter } : null;
}
