import { ERROR_CODES } from '../../../domain/lifecycle.js';
import type { ReportEnvelope } from '../../../domain/reportEnvelope.js';
import { inTransaction, type Sql, type TransactionSql } from '../connection.js';
import { pgApplyReports } from './applyReports.js';
import { isLowercaseUuid } from '../../../domain/messageUuid.js';

type Item = { uuid: string; dueAt: number; note: string };

/** The messages of `owner` among these, locked in uuid order; a stop waits for us and we for it. */
const held = (tx: TransactionSql, owner: string, uuids: string[]) => tx<{ uuid: string; stop_requested: boolean }[]>`
  select uuid, stop_requested from messages
  where uuid = any(${uuids}::uuid[]) and lease_owner = ${owner} and status = 'sending'
  order by uuid
  for update`;

/** Gives the lease back with the new due time, and notes why, in one statement; only the lease holder may. */
const release = (tx: TransactionSql, owner: string, items: Item[], now: number) => tx`
  with item as (
    select * from unnest(${items.map((i) => i.uuid)}::uuid[], ${items.map((i) => i.dueAt)}::bigint[],
      ${items.map((i) => JSON.stringify({ dueAt: new Date(i.dueAt).toISOString(), reason: i.note }))}::text[])
      with ordinality as t (uuid, due_at, detail, n)
  ),
  released as (
    update messages m set due_at = item.due_at, lease_owner = null, lease_until = null
    from item
    where m.uuid = item.uuid and m.lease_owner = ${owner} and m.status = 'sending'
    returning m.uuid
  )
  insert into message_events (message_uuid, at, kind, detail)
  select item.uuid, ${now}::bigint, 'rescheduled', item.detail from item join released using (uuid) order by item.n`;

/**
 * Gives claimed messages back to the queue, due at a later time; only the lease holder may. A message
 * whose stop was requested while it was claimed (202) is not given back: it ends unsent 606 now.
 */
export function pgReschedule(sql: Sql) {
  const apply = pgApplyReports(sql);
  return async (owner: string, items: Item[], now: number): Promise<void> => {
    // One item per message (the first, as SQLite's guard lets only the first through).
    const seen = new Set<string>();
    const wanted = items.filter((item) => isLowercaseUuid(item.uuid) && !seen.has(item.uuid) && seen.add(item.uuid));
    if (wanted.length === 0) return;
    await inTransaction(sql, async (tx) => {
      const rows = await held(tx, owner, wanted.map((item) => item.uuid));
      const stopped = new Set(rows.filter((row) => row.stop_requested).map((row) => row.uuid));
      const holding = new Set(rows.map((row) => row.uuid));
      const stops = wanted
        .filter((item) => stopped.has(item.uuid))
        .map(
          (item): ReportEnvelope => ({
            uuid: item.uuid,
            source: 'engine',
            detail: 'stopped by request',
            report: { kind: 'unsent', at: now, errorCode: ERROR_CODES.stopped },
          }),
        );
      if (stops.length > 0) await apply(stops, now, tx);
      const back = wanted.filter((item) => holding.has(item.uuid) && !stopped.has(item.uuid));
      if (back.length > 0) await release(tx, owner, back, now);
    });
  };
}
