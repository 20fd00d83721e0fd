import { setImmediate as nextTurn } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { MessageFilter, MessagePage } from '../../../domain/listQuery.js';
import type { MessageRecord } from '../../../domain/message.js';
import { chunked, emptyListing, type MessageListing } from '../../messageListing.js';
import { toMessage, type MessageRow } from '../../rows/messageRow.js';
import { SEARCH_CANDIDATES_SQL, searchQuery } from './searchIndex.js';

/** The ready_to_stop predicate: exactly the messages a stop would answer with 200 (spec §8.1, §9). */
export const STOPPABLE_SQL = `((status = 'sending' and (lease_until is null or lease_until <= @now)) or status = 'unsent')`;

/**
 * Builds the WHERE clause of a list query; multi-value filters bind one JSON array each. With `useIndex`, the
 * content and tags filters first narrow the rows through the trigram index (searchIndex.ts); their own predicates
 * below decide either way.
 */
function whereClause(filter: MessageFilter, useIndex: boolean): { sql: string; params: Record<string, unknown> } {
  const clauses = ['account_id = @accountId', 'direction in (select value from json_each(@direction))'];
  const params: Record<string, unknown> = { direction: JSON.stringify(filter.direction) };
  const anyOf = (column: string, name: string, values: readonly unknown[]) => {
    if (values.length === 0) return;
    clauses.push(`${column} in (select value from json_each(@${name}))`);
    params[name] = JSON.stringify(values);
  };
  anyOf('uuid', 'uuids', filter.messageUuids);
  anyOf('destination', 'destinations', filter.destinations);
  anyOf('status', 'statuses', filter.statuses);
  anyOf('channel_type', 'channels', filter.channelTypes);
  anyOf('sender_name', 'senders', filter.senderNames);
  anyOf('traffic_type', 'trafficTypes', filter.trafficTypes);
  anyOf('sending_method', 'methods', filter.sendingMethods);
  anyOf('traffic_center_id', 'centers', filter.trafficCenterIds);
  anyOf('country_code', 'countries', filter.countryCodes);
  const search = useIndex ? searchQuery(filter.content, filter.tags) : null;
  if (search !== null) {
    clauses.push(SEARCH_CANDIDATES_SQL);
    params.search = search;
  }
  if (filter.tags.length > 0) {
    clauses.push('exists (select 1 from json_each(messages.tags) t where t.value in (select value from json_each(@tags)))');
    params.tags = JSON.stringify(filter.tags);
  }
  if (filter.timeFrom !== null) {
    clauses.push('message_time >= @timeFrom');
    params.timeFrom = filter.timeFrom;
  }
  if (filter.timeTo !== null) {
    clauses.push('message_time < @timeTo');
    params.timeTo = filter.timeTo;
  }
  if (filter.content !== null) {
    clauses.push('instr(content_search, @content) > 0');
    params.content = filter.content.toLowerCase();
  }
  if (filter.contentNor !== null) {
    clauses.push('(content_search is null or instr(content_search, @contentNor) = 0)');
    params.contentNor = filter.contentNor.toLowerCase();
  }
  if (filter.readyToStop !== null) clauses.push(filter.readyToStop ? STOPPABLE_SQL : `not ${STOPPABLE_SQL}`);
  return { sql: clauses.join(' and '), params };
}

/**
 * A page of the list (messageListing.ts). better-sqlite3 is synchronous: one query chooses the page's rowids
 * (cheap, no row is built), then each chunk is read by rowid on a later turn of the event loop, so other requests
 * run between chunks. A chunk keeps only the rows that still match the filters (a status may have moved on).
 */
export function sqliteList(db: Database.Database) {
  return async (accountId: number, filter: MessageFilter, page: MessagePage, now: number): Promise<MessageListing> => {
    if (filter.matchesNothing) return emptyListing();
    const chosen = whereClause(filter, true);
    const recheck = whereClause(filter, false);
    // better-sqlite3 refuses named parameters the statement does not use: `now` only with ready_to_stop.
    const withNow = filter.readyToStop === null ? {} : { now };
    const bind = { ...chosen.params, accountId, ...withNow };
    const direction = page.sort === 'created_time' ? 'asc' : 'desc';
    const order = `order by created_at ${direction}, uuid ${direction}`;
    const total = db.prepare<Record<string, unknown>, number>(`select count(*) from messages where ${chosen.sql}`).pluck().get(bind)!;
    await nextTurn(); // a count over a large account takes a while too
    const rowids = db
      .prepare<Record<string, unknown>, number>(`select rowid from messages where ${chosen.sql} ${order} limit @limit offset @offset`)
      .pluck()
      .all({ ...bind, limit: page.limit, offset: page.offset });
    const read = db.prepare<Record<string, unknown>, MessageRow>(
      `select * from messages where rowid in (select value from json_each(@rowids)) and ${recheck.sql} ${order}`,
    );
    async function* chunks(): AsyncGenerator<MessageRecord[]> {
      for (const [n, ids] of chunked(rowids).entries()) {
        if (n > 0) await nextTurn();
        yield read.all({ ...recheck.params, accountId, ...withNow, rowids: JSON.stringify(ids) }).map(toMessage);
      }
    }
    return { total, size: rowids.length, chunks: chunks() };
  };
}
