import type Database from 'better-sqlite3';
import { writeTransaction } from '../writeTransaction.js';
import { sqliteOutboxWrites } from '../outboxWrites.js';
import { sqliteInsertRows } from '../insertRows.js';
import { plannedByReadsOnly, sqlitePlanReports, type ReportsPlan } from './planReports.js';
import type { ClaimedStates } from './claimedStates.js';
import type { ReportEnvelope } from '../../store.js';

// Bound by position, which costs a third less per row than named parameters; found by rowid, not through the
// uuid index. The message must be as the plan read it: otherwise nothing of the plan is written (StalePlan).
const UPDATE = `
  update messages set status = ?, error_code = ?, status_at = ?, sent_at = ?, message_time = ?, reserved = ?,
    price_total = ?, price_currency = ?, price_parts = ?, price_final = ?, due_at = ?, lease_owner = null,
    lease_until = null, connector = coalesce(?, connector)
  where rowid = ? and status = ? and reserved = ? and price_total is ? and price_final is ?`;

/** A message changed between the plan's reads and its write. */
class StalePlan extends Error {}

/**
 * Applies reports in one transaction: status changes, money, one timeline row per report, and the callback
 * events they cause, written to the outbox in the same transaction as the change (DESIGN.md: nothing is sent
 * that is not in the outbox first).
 *
 * The write lock is what the HTTP thread waits for, so the plan is worked out before it is taken whenever
 * planning needs only reads (planReports.ts), and the transaction then writes only. Each written message must
 * still be as planned; if one is not (another writer got there in between), the transaction is rolled back
 * and the reports are planned again inside it.
 */
export function sqliteApplyReports(db: Database.Database, options: { claimed?: ClaimedStates; beforeWrite?: () => void } = {}) {
  const plan = sqlitePlanReports(db);
  const update = db.prepare(UPDATE);
  const releaseLease = db.prepare('update messages set lease_owner = null, lease_until = null where rowid = ? and status = ?');
  const statusOf = db.prepare<[number], string>('select status from messages where rowid = ?').pluck();
  const insertNotes = sqliteInsertRows(db, 'message_events', ['message_uuid', 'at', 'kind', 'detail']);
  const outbox = sqliteOutboxWrites(db);
  const money = db.prepare('update accounts set balance = balance + ?, reserved = reserved + ? where id = ?');

  function write({ touched, notes, callbacks, accountDeltas }: ReportsPlan, now: number): void {
    for (const { row, before, write: changed, releaseLease: release, connector } of touched.values()) {
      const unchanged = changed
        ? update.run(
            row.status, changed.errorCode, changed.statusAt, row.sent_at, changed.messageTime, row.reserved, row.price_total,
            row.price_currency, row.price_parts, row.price_final, changed.dueAt, connector,
            row.rowid, before.status, before.reserved, before.priceTotal, before.priceFinal,
          ).changes === 1
        : release
          ? releaseLease.run(row.rowid, before.status).changes === 1
          : statusOf.get(row.rowid) === before.status;
      if (!unchanged) throw new StalePlan();
    }
    insertNotes(notes);
    for (const { accountId, url, events } of callbacks.values()) outbox.add(accountId, url, events, now);
    for (const [accountId, delta] of accountDeltas) money.run(delta.balance, delta.reserved, accountId);
  }

  const writePlanned = writeTransaction(db, write);
  const planAndWrite = writeTransaction(db, (reports: ReportEnvelope[], now: number) => write(plan(reports, now), now));

  return (reports: ReportEnvelope[], now: number): void => {
    if (!reports.every(plannedByReadsOnly)) {
      // Planned from the rows themselves, inside the lock: what the claim kept of these messages is not needed.
      for (const { uuid } of reports) if (uuid !== undefined) options.claimed?.take(uuid);
      return planAndWrite(reports, now);
    }
    try {
      const planned = plan(reports, now, options.claimed);
      // A test plays the other writer here.
      options.beforeWrite?.();
      writePlanned(planned, now);
    } catch (error) {
      if (!(error instanceof StalePlan)) throw error;
      planAndWrite(reports, now);
    }
  };
}
