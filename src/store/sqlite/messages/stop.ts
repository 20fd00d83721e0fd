import type Database from 'better-sqlite3';
import { writeTransaction } from '../writeTransaction.js';
import { isLowercaseUuid } from '../../../domain/messageUuid.js';
import { decideStop, STOP_CODES, stoppedReport } from '../../../domain/stop.js';
import type { StopCode } from '../../store.js';
import { sqliteApplyReports } from '../engine/applyReports.js';

/**
 * Stops messages by uuid (spec §9), in one transaction with the engine's claims (SQLite has one writer):
 * a message still `sending` and not leased becomes unsent 606 at once, refunded, with its callback —
 * so a 200 can never race a hand-off; a leased one gets 202 and a flag the engine checks before hand-off.
 */
export function sqliteStop(db: Database.Database) {
  const find = db.prepare<[string, number], { status: string; lease_until: number | null }>(
    'select status, lease_until from messages where uuid = ? and account_id = ?',
  );
  const requestStop = db.prepare('update messages set stop_requested = 1 where uuid = ?');
  const apply = sqliteApplyReports(db);
  const stopOne = (accountId: number, rawUuid: string, now: number): StopCode => {
    const uuid = rawUuid.toLowerCase();
    if (!isLowercaseUuid(uuid)) return 404;
    const row = find.get(uuid, accountId);
    const decision = decideStop(row ? { status: row.status, leaseUntil: row.lease_until } : null, now);
    if (decision === 'flag-for-engine') requestStop.run(uuid);
    if (decision === 'stop-now') apply([{ uuid, report: stoppedReport(now), source: 'api', detail: 'stopped by request' }], now);
    return STOP_CODES[decision];
  };
  return writeTransaction(db, (accountId: number, uuids: string[], now: number): StopCode[] =>
    uuids.map((uuid) => stopOne(accountId, uuid, now)),
  );
}
