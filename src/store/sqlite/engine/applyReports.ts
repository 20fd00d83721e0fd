import type Database from 'better-sqlite3';
import { writeTransaction } from '../writeTransaction.js';
import { sqliteOutboxWrites, type OutboxEvent } from '../outboxWrites.js';
import { sqliteInsertRows } from '../insertRows.js';
import { sqliteSmppOutboxWrites } from '../smppOutboxWrites.js';
import { sqliteCarrierWrites } from './carrierWrites.js';
import { plannedByReadsOnly, sqliteFoldReports, type SqliteReportsFold } from './foldReads.js';
import type { ClaimedStates } from './claimedStates.js';
import type { ReportEnvelope } from '../../../domain/reportEnvelope.js';

// Bound by position, which costs a third less per row than named parameters; found by rowid, not through the
// uuid index. The message must be as the fold read it: otherwise nothing of the fold is written (StalePlan).
const UPDATE = `
  update messages set status = ?, error_code = ?, status_at = ?, sent_at = ?, message_time = ?, reserved = ?,
    price_total = ?, price_currency = ?, price_parts = ?, price_final = ?, due_at = ?, lease_owner = null,
    lease_until = null, connector = coalesce(?, connector)
  where rowid = ? and status = ? and reserved = ? and price_total is ? and price_final is ?`;

/** A message changed between the fold's reads and its write. */
class StalePlan extends Error {}

/**
 * Applies reports in one transaction: what the fold (domain/reportFold) worked out — status changes, money,
 * one timeline row per report, carrier ids and parts — and the callback events, written to the outbox in the
 * same transaction as the change (DESIGN.md: nothing is sent that is not in the outbox first).
 *
 * The write lock is what the HTTP thread waits for, so the fold is worked out before it is taken whenever it
 * needs only reads (foldReads.ts), and the transaction then writes only. Each written message must still be
 * as it was read; if one is not (another writer got there in between), the transaction is rolled back and the
 * reports are folded again inside it.
 */
export function sqliteApplyReports(db: Database.Database, options: { claimed?: ClaimedStates; beforeWrite?: () => void } = {}) {
  const fold = sqliteFoldReports(db);
  const update = db.prepare(UPDATE);
  const releaseLease = db.prepare('update messages set lease_owner = null, lease_until = null where rowid = ? and status = ?');
  const statusOf = db.prepare<[number], string>('select status from messages where rowid = ?').pluck();
  const insertNotes = sqliteInsertRows(db, 'message_events', ['message_uuid', 'at', 'kind', 'detail']);
  const outbox = sqliteOutboxWrites(db);
  const smppOutbox = sqliteSmppOutboxWrites(db);
  const carrier = sqliteCarrierWrites(db);
  const money = db.prepare('update accounts set balance = balance + ?, reserved = reserved + ? where id = ?');

  function write(fold: SqliteReportsFold, now: number): void {
    for (const { read, state, change, releaseLease: release, connector } of fold.messages.values()) {
      const unchanged = change
        ? update.run(
            state.status, change.errorCode, change.statusAt, state.sentAt, change.messageTime, state.reserved,
            state.price?.total ?? null, state.price?.currency ?? null, state.price?.parts ?? null,
            state.price === null ? null : state.price.final ? 1 : 0, change.dueAt, connector,
            state.rowid, read.status, read.reserved, state.readPriceTotal, state.readPriceFinal,
          ).changes === 1
        : release
          ? releaseLease.run(state.rowid, read.status).changes === 1
          : statusOf.get(state.rowid) === read.status;
      if (!unchanged) throw new StalePlan();
    }
    carrier(fold.carrier, now);
    insertNotes(fold.notes);
    // Grouped per account and URL, in order: full deliveries are formed at once.
    const groups = new Map<string, { accountId: number; url: string; events: OutboxEvent[] }>();
    for (const { accountId, url, uuid, payload } of fold.callbacks) {
      const key = `${accountId} ${url}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { accountId, url, events: [] }));
      group.events.push({ message_uuid: uuid, payload });
    }
    for (const { accountId, url, events } of groups.values()) outbox.add(accountId, url, events, now);
    // Receipts owed to SMPP clients, with the changes that cause them (an outbox like the callbacks').
    smppOutbox.receipts(fold.smppReceipts, now);
    for (const [accountId, delta] of fold.accountDeltas) money.run(delta.balance, delta.reserved, accountId);
  }

  const writePlanned = writeTransaction(db, write);
  const planAndWrite = writeTransaction(db, (reports: ReportEnvelope[], now: number) => write(fold(reports), now));

  return (reports: ReportEnvelope[], now: number): void => {
    if (!reports.every(plannedByReadsOnly)) {
      // Folded from the rows themselves, inside the lock: what the claim kept of these messages is not needed.
      for (const { uuid } of reports) if (uuid !== undefined) options.claimed?.take(uuid);
      return planAndWrite(reports, now);
    }
    try {
      const planned = fold(reports, options.claimed);
      // A test plays the other writer here.
      options.beforeWrite?.();
      writePlanned(planned, now);
    } catch (error) {
      if (!(error instanceof StalePlan)) throw error;
      planAndWrite(reports, now);
    }
  };
}
