import { decideStop, STOP_CODES, stoppedReport } from '../../../domain/stop.js';
import type { ReportEnvelope, StopCode } from '../../store.js';
import { inTransaction, type Sql } from '../connection.js';
import { pgApplyReports } from '../engine/applyReports.js';
import { asUuid } from './rows.js';

interface StopRow {
  uuid: string;
  status: string;
  lease_until: number | null;
}

/**
 * Stops messages by uuid (spec §9). The messages are locked (`for update`) before they are judged, and a claim
 * skips locked rows (SKIP LOCKED), so judging and stopping cannot race a hand-off on any node: a message still
 * `sending` and not leased becomes unsent 606 at once through the engine's apply, in this transaction, refunded
 * and with its callback; a leased one gets 202 and a flag the engine checks before hand-off.
 */
export function pgStop(sql: Sql) {
  const apply = pgApplyReports(sql);
  return (accountId: number, uuids: string[], now: number): Promise<StopCode[]> =>
    inTransaction(sql, async (tx) => {
      const wanted = [...new Set(uuids.map(asUuid).filter((u): u is string => u !== null))];
      // Locks in uuid order, so two stops of overlapping lists cannot deadlock each other.
      const rows =
        wanted.length === 0
          ? []
          : await tx<StopRow[]>`
              select uuid, status, lease_until from messages
              where uuid = any(${wanted}::uuid[]) and account_id = ${accountId}
              order by uuid
              for update`;
      const found = new Map(rows.map((row) => [row.uuid, row]));
      const leased = new Set<string>();
      const stopping = new Set<string>();
      const codes = uuids.map((raw): StopCode => {
        const uuid = asUuid(raw);
        const row = uuid === null ? undefined : found.get(uuid);
        const decision = decideStop(row ? { status: row.status, leaseUntil: row.lease_until } : null, now);
        if (decision === 'flag-for-engine') leased.add(uuid!);
        // A repeated uuid gets 200 again, as it would once the first one made it unsent.
        if (decision === 'stop-now') stopping.add(uuid!);
        return STOP_CODES[decision];
      });
      if (leased.size > 0) {
        await tx`
          update messages set stop_requested = true
          where uuid = any(${[...leased]}::uuid[]) and status = 'sending' and lease_until > ${now}`;
      }
      if (stopping.size > 0) {
        const reports = [...stopping].map(
          (uuid): ReportEnvelope => ({
            uuid,
            report: stoppedReport(now),
            source: 'api',
            detail: 'stopped by request',
          }),
        );
        await apply(reports, now, tx);
      }
      return codes;
    });
}
