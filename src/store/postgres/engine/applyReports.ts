import { foldReports, type CallbackRow, type FoldedMessage, type ReportsFold, type SmppReceiptRow, type TimelineNote } from '../../../domain/reportFold.js';
import type { ReportEnvelope } from '../../../domain/reportEnvelope.js';
import { inTransaction, type Sql, type TransactionSql } from '../connection.js';
import { writeCarrier } from './carrierTables.js';
import { NeedsRead, PgFoldReads, type PgMessageState } from './foldReads.js';

type Folded = FoldedMessage<PgMessageState>;

/**
 * Writes back every message the round changed, with its final state; the lease ends with the report (a
 * hand-off that changed nothing also gives its lease back, its row as it was). The `= any` finds the rows by
 * primary key (joined with the unnest alone, the planner may scan the whole table).
 */
const update = (tx: TransactionSql, messages: Folded[]) => {
  const column = <T>(value: (m: Folded) => T) => messages.map(value);
  const price = (m: Folded) => m.state.price;
  return tx`
  update messages m set status = v.status, error_code = v.error_code, status_at = v.status_at, sent_at = v.sent_at,
    message_time = v.message_time, reserved = v.reserved, price_total = v.price_total, price_currency = v.price_currency,
    price_parts = v.price_parts, price_final = v.price_final::boolean, due_at = v.due_at, connector = v.connector,
    lease_owner = null, lease_until = null
  from unnest(
    ${column((m) => m.state.uuid)}::uuid[], ${column((m) => m.state.status)}::text[],
    ${column((m) => (m.change ? m.change.errorCode : m.state.errorCode))}::int[],
    ${column((m) => (m.change ? m.change.statusAt : m.state.statusAt))}::bigint[], ${column((m) => m.state.sentAt)}::bigint[],
    ${column((m) => (m.change ? m.change.messageTime : m.state.messageTime))}::bigint[], ${column((m) => m.state.reserved)}::bigint[],
    ${column((m) => price(m)?.total ?? null)}::bigint[], ${column((m) => price(m)?.currency ?? null)}::text[],
    ${column((m) => price(m)?.parts ?? null)}::int[], ${column((m) => { const p = price(m); return p === null ? null : p.final ? 't' : 'f'; })}::text[],
    ${column((m) => (m.change ? m.change.dueAt : m.state.dueAt))}::bigint[],
    ${column((m) => (m.change ? (m.connector ?? m.state.connector) : m.state.connector))}::text[]
  ) as v (uuid, status, error_code, status_at, sent_at, message_time, reserved, price_total, price_currency, price_parts,
    price_final, due_at, connector)
  where m.uuid = v.uuid and m.uuid = any(${column((m) => m.state.uuid)}::uuid[])`;
};

/** One timeline row per report, in report order, in one statement. */
const addNotes = (tx: TransactionSql, notes: TimelineNote[]) => tx`
  insert into message_events (message_uuid, at, kind, detail)
  select * from unnest(${notes.map((n) => n[0])}::uuid[], ${notes.map((n) => n[1])}::bigint[],
    ${notes.map((n) => n[2])}::text[], ${notes.map((n) => n[3])}::text[])`;

/** The callback events the changes cause, in the same transaction as the changes (the outbox). */
export const addCallbackEvents = (tx: TransactionSql, rows: CallbackRow[], now: number) => tx`
  insert into callback_events (account_id, message_uuid, url, payload, created_at)
  select a, u, url, p, ${now}::bigint
  from unnest(${rows.map((r) => r.accountId)}::bigint[], ${rows.map((r) => r.uuid)}::uuid[],
    ${rows.map((r) => r.url)}::text[], ${rows.map((r) => r.payload)}::text[]) as e (a, u, url, p)`;

/** Receipts owed to SMPP clients (store/smppDoor.ts), in the same transaction as the changes that cause them. */
export const addSmppReceipts = (tx: TransactionSql, rows: SmppReceiptRow[], now: number) => tx`
  insert into smpp_outbox (kind, account_id, smpp_user_id, message_uuid, status, error_code, done_at, created_at, due_at)
  select 'receipt', a, u, m, s, e, d, ${now}::bigint, ${now}::bigint
  from unnest(${rows.map((r) => r.accountId)}::bigint[], ${rows.map((r) => r.smppUserId)}::bigint[],
    ${rows.map((r) => r.uuid)}::uuid[], ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.errorCode)}::int[],
    ${rows.map((r) => r.at)}::bigint[]) as r (a, u, m, s, e, d)`;

/** Money moves in the statement, never read-modify-write in JS: concurrent appliers on other nodes lose nothing. */
const moveMoney = (tx: TransactionSql, accountId: number, balance: number, reserved: number) => tx`
  update accounts set balance = balance + ${balance}::bigint, reserved = reserved + ${reserved}::bigint where id = ${accountId}`;

export type ApplyReports = (reports: ReportEnvelope[], now: number, tx?: TransactionSql) => Promise<void>;

/**
 * Applies reports in one transaction (in `tx` when given, e.g. a stop's): the fold of domain/reportFold —
 * status changes, money, one timeline row per report, carrier ids and parts — and the callback events, written
 * to the outbox in the same transaction as the change (DESIGN.md: nothing is sent that is not in the outbox first).
 * The rows are read and locked up front in a few statements (foldReads.ts), the fold runs in memory, and its
 * result is written with one statement per table.
 */
export function pgApplyReports(sql: Sql, options: { prefetch?: boolean } = {}): ApplyReports {
  // Without the prefetch (a test's choice) every read goes through NeedsRead: slower, the same result.
  const prefetch = options.prefetch ?? true;
  return async (reports, now, tx) => {
    if (reports.length === 0) return;
    if (tx) return applyIn(tx, reports, now, prefetch);
    return inTransaction(sql, (own) => applyIn(own, reports, now, prefetch));
  };
}

async function applyIn(tx: TransactionSql, reports: ReportEnvelope[], now: number, prefetch: boolean): Promise<void> {
  const reads = new PgFoldReads(tx);
  if (prefetch) await reads.prefetch(reports);
  const fold = await foldWith(reads, reports);

  // Written in this order on the one connection (pipelined); accounts last and in id order, so the hot account
  // rows are held as briefly as possible and always locked in the same order.
  const written = [...fold.messages.values()].filter((m) => m.change !== null || m.releaseLease);
  const writes: Promise<unknown>[] = [];
  if (written.length > 0) writes.push(update(tx, written));
  if (fold.notes.length > 0) writes.push(addNotes(tx, fold.notes));
  if (fold.callbacks.length > 0) writes.push(addCallbackEvents(tx, fold.callbacks, now));
  if (fold.smppReceipts.length > 0) writes.push(addSmppReceipts(tx, fold.smppReceipts, now));
  writes.push(...writeCarrier(tx, fold.carrier, now));
  for (const [accountId, delta] of [...fold.accountDeltas].sort(([a], [b]) => a - b)) {
    if (delta.balance !== 0 || delta.reserved !== 0) writes.push(moveMoney(tx, accountId, delta.balance, delta.reserved));
  }
  await Promise.all(writes);
}

/** Folds the round, reading what the prefetch did not foresee (rare: a report released by a hand-off) and folding again. */
async function foldWith(reads: PgFoldReads, reports: ReportEnvelope[]): Promise<ReportsFold<PgMessageState>> {
  for (;;) {
    try {
      return foldReports(reports, reads);
    } catch (error) {
      if (!(error instanceof NeedsRead)) throw error;
      await error.read();
    }
  }
}
