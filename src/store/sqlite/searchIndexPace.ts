/**
 * The pace of the search index thread. Indexing a row costs about as much write-lock time as accepting it, and
 * acceptance waits for that lock: while messages keep arriving, a slice every quarter second (~2000 rows/s, a few
 * per cent of the lock), the rest scanned meanwhile; once they stop, slice after slice until the index has caught up.
 */
export const SEARCH_INDEX_SLICE_ROWS = 500;
const WHILE_ARRIVING_MS = 250;
const CATCHING_UP_MS = 5;
const UP_TO_DATE_MS = 500;

export function nextSearchIndexPause(indexed: number, messagesArriving: boolean): number {
  if (indexed === 0) return UP_TO_DATE_MS;
  return messagesArriving ? WHILE_ARRIVING_MS : CATCHING_UP_MS;
}
