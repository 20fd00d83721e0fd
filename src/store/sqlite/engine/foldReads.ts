import type Database from 'better-sqlite3';
import { foldReports, type FoldReads, type ReportsFold, type StoredMessageState } from '../../../domain/reportFold.js';
import type { ReportEnvelope } from '../../../domain/reportEnvelope.js';
import type { StoredPart, WaitingReport } from '../../../domain/roundParts.js';
import { toStoredMessageState, type AccountBillingRow } from '../../rows/messageStateRow.js';
import type { ClaimedStates } from './claimedStates.js';
import { STATE_COLUMNS, type LoadedRow } from './stateColumns.js';

/** A message as the fold reads it, with the rowid its write finds it by and the price columns it compares as read. */
export type SqliteMessageState = StoredMessageState & { rowid: number; readPriceTotal: number | null; readPriceFinal: number | null };

export type SqliteReportsFold = ReportsFold<SqliteMessageState>;

const LOAD = `select ${STATE_COLUMNS} from messages where uuid = ?`;

/**
 * A report needs nothing but reads to plan when it names its message and adds no network ids: its fold then
 * changes no carrier table, and may run outside the write lock. Other reports (a receipt found by its network
 * id, a part of a multipart message, a hand-off with ids that early receipts may wait for) read the carrier
 * tables as they are folded, so they are folded inside the transaction.
 */
export function plannedByReadsOnly(envelope: ReportEnvelope): boolean {
  return envelope.uuid !== undefined && (envelope.handoff === undefined || envelope.handoff.carrierRefs.length === 0);
}

/** Folds a round of reports (domain/reportFold) on what SQLite reads, statement by statement. */
export function sqliteFoldReports(db: Database.Database) {
  const load = db.prepare<[string], LoadedRow>(LOAD).raw();
  const account = db.prepare<[number], AccountBillingRow>('select currency, billing_enabled from accounts where id = ?');
  const originalUrl = db.prepare<[string, string], string>('select url from short_links where message_uuid = ? and short_url = ?').pluck();
  const findRef = db.prepare<[string, string], { message_uuid: string; part: number }>(
    'select message_uuid, part from carrier_refs where connector = ? and ref_key = ? limit 1',
  );
  const parts = db.prepare<[string], { part: number; outcome: StoredPart['outcome']; error_code: number | null }>(
    'select part, outcome, error_code from message_parts where message_uuid = ?',
  );
  const waiting = db.prepare<[string, string], { id: number; envelope: string }>(
    `select r.id, r.envelope from pending_report_keys k join pending_reports r on r.id = k.report_id
     where k.connector = ? and k.ref_key = ?`,
  );

  /** `claimed`: states the claim kept, read instead of the rows; only for a fold whose write checks them. */
  return (reports: ReportEnvelope[], claimed?: ClaimedStates): SqliteReportsFold => {
    const accounts = new Map<number, AccountBillingRow>();
    const reads: FoldReads<SqliteMessageState> = {
      message(uuid) {
        const r = claimed?.take(uuid) ?? load.get(uuid);
        if (!r) return undefined;
        let billing = accounts.get(r[1]);
        if (!billing) accounts.set(r[1], (billing = account.get(r[1])!));
        const row = {
          account_id: r[1], channel_type: r[2], status: r[3], total_parts: r[4], reserved: r[5], price_total: r[6],
          price_currency: r[7], price_parts: r[8], price_final: r[9], callback_url: r[10], callback_events: r[11],
          short_url: r[12], created_at: r[13], sent_at: r[14], expires_at: r[15], connector: r[16], smpp_user_id: r[17],
          smpp_receipts: r[18],
        };
        // Added to the mapped object rather than spread into a new one: a thousand messages a round.
        const state = toStoredMessageState(uuid, row, billing) as SqliteMessageState;
        state.rowid = r[0];
        state.readPriceTotal = r[6];
        state.readPriceFinal = r[9];
        return state;
      },
      originalUrl: (uuid, shortUrl) => originalUrl.get(uuid, shortUrl),
      findPart(connector, keys) {
        for (const key of keys) {
          const found = findRef.get(connector, key);
          if (found) return { uuid: found.message_uuid, part: found.part };
        }
        return undefined;
      },
      parts: (uuid) => parts.all(uuid).map((p) => ({ part: p.part, outcome: p.outcome, errorCode: p.error_code })),
      waiting: (connector, key) =>
        waiting.all(connector, key).map((w): WaitingReport => ({ id: w.id, envelope: JSON.parse(w.envelope) as ReportEnvelope })),
    };
    return foldReports(reports, reads);
  };
}
