import { toInFlightMessage, type InFlightRow } from '../../rows/outboundRow.js';
import type { EngineRepository } from '../../store.js';
import type { Sql } from '../connection.js';
import { isLowercaseUuid } from '../../../domain/messageUuid.js';

const stopped = (sql: Sql, uuids: string[]) => sql<{ uuid: string }[]>`
  select uuid from messages where uuid = any(${uuids}::uuid[]) and stop_requested`;

/**
 * Reads only: with several nodes two may pick the same expiring message; applying `expired` locks it and the
 * second finds its status already final, so nothing is charged or called back twice.
 */
const expiring = (sql: Sql, now: number, limit: number) => sql<{ uuid: string }[]>`
  select uuid from messages where due_at <= ${now} and status in ('sent', 'delivered') order by due_at limit ${limit}`;

const inFlight = (sql: Sql, filter?: { connector: string; sentBefore: number }) => sql<InFlightRow[]>`
  select uuid, account_id, channel_type, sender_name, destination, content, total_parts, expires_at, sent_at,
    status, connector
  from messages where due_at is not null and status in ('sent', 'delivered')
  ${filter ? sql`and connector = ${filter.connector} and sent_at < ${filter.sentBefore}` : sql``}`;

/** The engine's small reads: stop requests, expiries, in-flight messages. */
export function pgEngineLookups(sql: Sql): Pick<EngineRepository, 'stopRequested' | 'dueForExpiry' | 'inFlight'> {
  return {
    async stopRequested(uuids) {
      const wanted = uuids.filter((uuid) => isLowercaseUuid(uuid));
      if (wanted.length === 0) return new Set();
      return new Set((await stopped(sql, wanted)).map((r) => r.uuid));
    },
    async dueForExpiry(now, limit) {
      if (limit <= 0) return [];
      return (await expiring(sql, now, limit)).map((r) => r.uuid);
    },
    async inFlight(filter) {
      return (await inFlight(sql, filter)).map(toInFlightMessage);
    },
  };
}
