import type Database from 'better-sqlite3';
import type { MessageFilter, MessagePage } from '../../../domain/listQuery.js';
import type { MessageRecord } from '../../../domain/message.js';
import { toMessage, type MessageRow } from '../../rows/messageRow.js';

/** The ready_to_stop predicate: exactly the messages a stop would answer with 200 (spec §8.1, §9). */
export const STOPPABLE_SQL = `((status = 'sending' and (lease_until is null or lease_until <= @now)) or status = 'unsent')`;

/** Builds the WHERE clause of a list query; multi-value filters bind one JSON array each. */
function whereClause(filter: MessageFilter): { sql: string; params: Record<string, unknown> } {
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

export function sqliteList(db: Database.Database) {
  return (accountId: number, filter: MessageFilter, page: MessagePage, now: number): { total: number; messages: MessageRecord[] } => {
    if (filter.matchesNothing) return { total: 0, messages: [] };
    const where = whereClause(filter);
    // better-sqlite3 refuses named parameters the statement does not use: `now` only with ready_to_stop.
    const bind = { ...where.params, accountId, ...(filter.readyToStop === null ? {} : { now }) };
    const total = (db.prepare(`select count(*) as n from messages where ${where.sql}`).get(bind) as { n: number }).n;
    const direction = page.sort === 'created_time' ? 'asc' : 'desc';
    const rows = db
      .prepare(`select * from messages where ${where.sql} order by created_at ${direction}, uuid ${direction} limit @limit offset @offset`)
      .all({ ...bind, limit: page.limit, offset: page.offset }) as MessageRow[];
    return { total, messages: rows.map(toMessage) };
  };
}
