import type Database from 'better-sqlite3';
import { writeTransaction } from '../writeTransaction.js';

/**
 * The trigram index of the content and tags filters (spec §8.1; schema migration 8): an FTS5 table of one
 * document per message, its lowercased text and then its tags, each tag between two U+0001. The index only
 * narrows the search to candidates: the filters' own predicates (list.ts) decide, so results are exactly those
 * of a scan. A needle of fewer than three characters makes no trigram and is left to the scan.
 *
 * The index is filled off the acceptance path (an FTS write would cost acceptance a third of its speed): by the
 * search index thread, in slices. Rows above `indexed_through` are not in it yet, and every query scans them.
 * Rows are found by rowid, which SQLite never changes for a table that is only appended to; a hand-made
 * VACUUM could, so the gateway never runs one (README: "Searching text and tags").
 */

/** The document of a row of messages, as SQL; migration 8 filled the existing rows with the same expression. */
const DOCUMENT_SQL = `coalesce(content_search, '') || char(10) || coalesce((select group_concat(char(1) || value || char(1), '') from json_each(messages.tags)), '')`;

/** The rowids that may match `@search` (an FTS5 query from searchQuery): the index's answer and the rows not yet in it. */
export const SEARCH_CANDIDATES_SQL = `rowid in (
  select rowid from message_search where message_search match @search
  union all select rowid from messages where rowid > (select indexed_through from message_search_state))`;

/** More trigrams than this narrow no further in practice; a long needle uses this many, spread over its length. */
const MAX_TRIGRAMS = 24;
const TAG_EDGE = '\u0001';

/** The trigrams every document holding `needle` holds, as an FTS5 AND of quoted strings; null under three characters. */
function allTrigrams(needle: string): string | null {
  const chars = Array.from(needle);
  const count = chars.length - 2;
  if (count < 1) return null;
  const picks = count <= MAX_TRIGRAMS ? [...Array(count).keys()] : Array.from({ length: MAX_TRIGRAMS }, (_, i) => Math.round((i * (count - 1)) / (MAX_TRIGRAMS - 1)));
  const trigrams = new Set(picks.map((at) => chars.slice(at, at + 3).join('')));
  return [...trigrams].map((t) => `"${t.replaceAll('"', '""')}"`).join(' AND ');
}

/**
 * The FTS5 query that finds the candidates of the content and tags filters, or null when the index cannot serve
 * them (no such filter, or a needle too short): `content` is matched lowercased as the filter does, and a tag
 * whole between its edges.
 */
export function searchQuery(content: string | null, tags: readonly string[]): string | null {
  const parts: string[] = [];
  const text = content === null ? null : allTrigrams(content.toLowerCase());
  if (text !== null) parts.push(`(${text})`);
  if (tags.length > 0) {
    const each = tags.map((tag) => allTrigrams(TAG_EDGE + tag + TAG_EDGE));
    // One tag the index cannot serve leaves the whole any-of to the scan.
    if (each.every((t): t is string => t !== null)) parts.push(`(${each.map((t) => `(${t})`).join(' OR ')})`);
  }
  return parts.length === 0 ? null : parts.join(' AND ');
}

/** What one step of the indexer did: rowids it covered, and the newest rowid it saw. */
export interface IndexStep {
  indexed: number;
  newest: number;
}

/**
 * Adds the next rows of messages (by rowid, at most `maxRows`) to the index in one write transaction. Rowids are
 * handed out in commit order under the write lock, so every row at or below `indexed_through` is in the index.
 */
export function searchIndexer(db: Database.Database): (maxRows: number) => IndexStep {
  const through = db.prepare<[], number>('select indexed_through from message_search_state').pluck();
  const newestRow = db.prepare<[], number | null>('select max(rowid) from messages').pluck();
  const add = db.prepare<[number, number]>(
    `insert into message_search (rowid, document) select rowid, ${DOCUMENT_SQL} from messages where rowid > ? and rowid <= ?`,
  );
  const advance = db.prepare<[number]>('update message_search_state set indexed_through = ?');
  return writeTransaction(db, (maxRows: number): IndexStep => {
    const from = through.get()!;
    const newest = newestRow.get() ?? 0;
    const to = Math.min(newest, from + maxRows);
    if (to <= from) return { indexed: 0, newest };
    add.run(from, to);
    advance.run(to);
    return { indexed: to - from, newest };
  });
}
