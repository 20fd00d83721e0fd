import type { MessageFilter, MessagePage } from '../../../domain/listQuery.js';
import type { MessageRecord } from '../../../domain/message.js';
import { chunked, emptyListing, type MessageListing } from '../../messageListing.js';
import type { Sql } from '../connection.js';
import { asUuid, MESSAGE_COLUMNS, toMessage, type MessageRow } from './rows.js';

type Fragment = ReturnType<Sql>;

/** The ready_to_stop predicate: exactly the messages a stop would answer with 200 (spec §8.1, §9; stop.ts). */
export function stoppableAt(sql: Sql, now: number): Fragment {
  return sql`((status = 'sending' and (lease_until is null or lease_until <= ${now})) or status = 'unsent')`;
}

/**
 * The content filter: strpos decides; for a needle of three characters or more, the same needle as a LIKE pattern
 * (its own % _ and \\ escaped, so it matches exactly the same rows) lets the trigram index find them (migration 4).
 */
function containsText(sql: Sql, needle: string): Fragment[] {
  const exact: Fragment = sql`strpos(content_search, ${needle}) > 0`;
  if (Array.from(needle).length < 3) return [exact];
  const indexed: Fragment = sql`content_search like ${`%${needle.replace(/[\\%_]/g, '\\$&')}%`}`;
  return [indexed, exact];
}

/**
 * The WHERE clause of a list query, one condition per filter given (spec §8.1); each has its index (schema.ts),
 * content its trigram index. Null when the filter can match nothing.
 */
function whereClause(sql: Sql, accountId: number, filter: MessageFilter, now: number): Fragment | null {
  const clauses: Fragment[] = [sql`account_id = ${accountId}`, sql`direction = any(${filter.direction}::text[])`];
  if (filter.messageUuids.length > 0) {
    // Text that is not a UUID names no message (and the uuid column would refuse it).
    const uuids = filter.messageUuids.map(asUuid).filter((u): u is string => u !== null);
    if (uuids.length === 0) return null;
    clauses.push(sql`uuid = any(${uuids}::uuid[])`);
  }
  if (filter.destinations.length > 0) clauses.push(sql`destination = any(${filter.destinations}::text[])`);
  if (filter.statuses.length > 0) clauses.push(sql`status = any(${filter.statuses}::text[])`);
  if (filter.channelTypes.length > 0) clauses.push(sql`channel_type = any(${filter.channelTypes}::text[])`);
  if (filter.senderNames.length > 0) clauses.push(sql`sender_name = any(${filter.senderNames}::text[])`);
  if (filter.trafficTypes.length > 0) clauses.push(sql`traffic_type = any(${filter.trafficTypes}::text[])`);
  if (filter.sendingMethods.length > 0) clauses.push(sql`sending_method = any(${filter.sendingMethods}::text[])`);
  if (filter.trafficCenterIds.length > 0) clauses.push(sql`traffic_center_id = any(${filter.trafficCenterIds}::integer[])`);
  if (filter.countryCodes.length > 0) clauses.push(sql`country_code = any(${filter.countryCodes}::text[])`);
  // At least one of the tags: jsonb ?| is served by the GIN index.
  if (filter.tags.length > 0) clauses.push(sql`tags ?| ${filter.tags}::text[]`);
  if (filter.timeFrom !== null) clauses.push(sql`message_time >= ${filter.timeFrom}`);
  if (filter.timeTo !== null) clauses.push(sql`message_time < ${filter.timeTo}`);
  if (filter.content !== null) clauses.push(...containsText(sql, filter.content.toLowerCase()));
  if (filter.contentNor !== null) {
    clauses.push(sql`(content_search is null or strpos(content_search, ${filter.contentNor.toLowerCase()}) = 0)`);
  }
  if (filter.readyToStop !== null) clauses.push(filter.readyToStop ? stoppableAt(sql, now) : sql`not ${stoppableAt(sql, now)}`);
  return clauses.reduce((all, clause) => sql`${all} and ${clause}`);
}

/**
 * A page of the list (messageListing.ts): one query chooses the page's uuids, then each chunk is read when it is
 * wanted, keeping only the messages that still match the filters (a status may have moved on meanwhile).
 */
export function pgList(sql: Sql) {
  return async (accountId: number, filter: MessageFilter, page: MessagePage, now: number): Promise<MessageListing> => {
    const where = filter.matchesNothing ? null : whereClause(sql, accountId, filter, now);
    if (where === null) return emptyListing();
    // Ties on created_at are broken by uuid (spec §8.1), the same way round, so the index serves both orders.
    const order = page.sort === 'created_time' ? sql`order by created_at asc, uuid asc` : sql`order by created_at desc, uuid desc`;
    const [[count], chosen] = await Promise.all([
      sql<{ n: number }[]>`select count(*) as n from messages where ${where}`,
      sql<{ uuid: string }[]>`select uuid from messages where ${where} ${order} limit ${page.limit} offset ${page.offset}`,
    ]);
    const uuids = chosen.map((r) => r.uuid);
    async function* chunks(): AsyncGenerator<MessageRecord[]> {
      for (const ids of chunked(uuids)) {
        const rows = await sql<MessageRow[]>`
          select ${sql.unsafe(MESSAGE_COLUMNS)} from messages where uuid = any(${ids}::uuid[]) and ${where} ${order}`;
        yield rows.map(toMessage);
      }
    }
    return { total: count!.n, size: uuids.length, chunks: chunks() };
  };
}
