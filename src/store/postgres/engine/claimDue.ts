import { toClaimedMessage, type ClaimRow } from '../../rows/claimRow.js';
import type { ClaimedMessage } from '../../store.js';
import type { Sql } from '../connection.js';

/**
 * Leases due `sending` messages to `owner`, noting the claim in their timelines, in one statement. The guard is
 * in the statement: a row with a live lease is never taken, and a row another node is claiming right now is
 * skipped (SKIP LOCKED), so no two workers on any node ever hold the same message at once. A node that dies
 * leaves its leases to expire; then the rows are due again for everyone.
 * The pick locks the rows it returns after checking the guard on their latest version, and holds them until the
 * update: the guard cannot change in between. `= any(array(…))` runs the pick once and then finds the rows by
 * primary key (`in (…)` lets the planner hash-join against a scan of the whole table).
 */
const claim = (sql: Sql, owner: string, now: number, until: number, limit: number) => sql<(ClaimRow & { due_at: number })[]>`
  with claimed as (
    update messages set lease_owner = ${owner}, lease_until = ${until}, attempts = attempts + 1
    where uuid = any(array(
      select uuid from messages
      where status = 'sending' and due_at <= ${now} and (lease_until is null or lease_until <= ${now})
      order by due_at
      limit ${limit}
      for update skip locked
    ))
    returning uuid, account_id, channel_type, sender_name, destination, content, total_parts, expires_at,
      stop_requested, attempts, time_zone, send_after, complete_by, hours, days, due_at
  ),
  noted as (
    insert into message_events (message_uuid, at, kind, detail)
    select uuid, ${now}::bigint, 'claimed', json_build_object('worker', ${owner}::text, 'attempt', attempts)::text from claimed
  )
  select * from claimed order by due_at, uuid`;

export function pgClaimDue(sql: Sql) {
  return async (owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedMessage[]> => {
    if (limit <= 0) return [];
    const rows = await claim(sql, owner, now, now + leaseMs, limit);
    return rows.map(toClaimedMessage);
  };
}
