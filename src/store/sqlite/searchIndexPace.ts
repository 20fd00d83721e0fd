/**
 * The pace of the search index thread. Indexing a row costs about as much write-lock time as accepting it, and
 * acceptance and delivery wait for that lock and share the machine's cores with it: the index takes at most a tenth
 * of its thread's time (a slice, then nine times as long asleep), and while messages keep arriving a slice at most
 * every quarter second (~2000 rows/s), the rest scanned meanwhile. Catching up after a burst thus stays in the
 * background of the delivery that follows it.
 */
export const SEARCH_INDEX_SLICE_ROWS = 500;
const WHILE_ARRIVING_MS = 250;
const CATCHING_UP_MS = 5;
const UP_TO_DATE_MS = 500;
/** Asleep this many times as long as the slice took: at most 1 / (1 + 9) of the time indexing. */
const SLEEP_PER_WORK = 9;

export function nextSearchIndexPause(indexed: number, messagesArriving: boolean, sliceMs: number): number {
  if (indexed === 0) return UP_TO_DATE_MS;
  return Math.max(messagesArriving ? WHILE_ARRIVING_MS : CATCHING_UP_MS, Math.ceil(sliceMs * SLEEP_PER_WORK));
}
