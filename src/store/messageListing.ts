import type { MessageRecord } from '../domain/message.js';

/**
 * A page of `GET /api/v1/message` (spec §8.1) read a chunk at a time: a page of 10000 messages read, converted and
 * written in one go holds the event loop for seconds. The page's messages are chosen by one query; each chunk is
 * read when it is wanted, and only messages that still match the filters then are given, in the page's order.
 */
export interface MessageListing {
  /** Every match, beyond this page too (`X-Total-Count`). */
  total: number;
  /** How many messages the page was chosen with: more than one chunk is worth streaming. */
  size: number;
  /** The page's messages in order, at most LIST_CHUNK_SIZE at a time. */
  chunks: AsyncIterable<MessageRecord[]>;
}

/** Rows per chunk: a few milliseconds of reading and serializing on a loaded machine. */
export const LIST_CHUNK_SIZE = 500;

/** The whole page at once, for callers that want an array. */
export async function collectListing(listing: MessageListing): Promise<{ total: number; messages: MessageRecord[] }> {
  const messages: MessageRecord[] = [];
  for await (const chunk of listing.chunks) messages.push(...chunk);
  return { total: listing.total, messages };
}

/** Splits the page's ids into chunks of LIST_CHUNK_SIZE. */
export function chunked<T>(ids: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let at = 0; at < ids.length; at += LIST_CHUNK_SIZE) chunks.push(ids.slice(at, at + LIST_CHUNK_SIZE));
  return chunks;
}

/** The listing of a filter that matches nothing. */
export function emptyListing(): MessageListing {
  return { total: 0, size: 0, chunks: (async function* () {})() };
}
