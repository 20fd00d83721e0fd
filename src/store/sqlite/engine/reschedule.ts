import type Database from 'better-sqlite3';
import { writeTransaction } from '../writeTransaction.js';
import { ERROR_CODES } from '../../../domain/lifecycle.js';
import { sqliteApplyReports } from './applyReports.js';

/**
 * Gives claimed messages back to the queue, due at a later time; only the lease holder may. A message
 * whose stop was requested while it was claimed (202) is not given back: it ends unsent 606 now.
 */
export function sqliteReschedule(db: Database.Database) {
  const stopRequested = db.prepare<[string, string], { stop_requested: number }>(
    `select stop_requested from messages where uuid = ? and lease_owner = ? and status = 'sending'`,
  );
  const release = db.prepare(
    `update messages set due_at = @dueAt, lease_owner = null, lease_until = null
     where uuid = @uuid and lease_owner = @owner and status = 'sending'`,
  );
  const note = db.prepare(`insert into message_events (message_uuid, at, kind, detail) values (?, ?, 'rescheduled', ?)`);
  const apply = sqliteApplyReports(db);
  return writeTransaction(db, (owner: string, items: { uuid: string; dueAt: number; note: string }[], now: number) => {
    for (const item of items) {
      const held = stopRequested.get(item.uuid, owner);
      if (!held) continue;
      if (held.stop_requested === 1) {
        apply([{ uuid: item.uuid, source: 'engine', detail: 'stopped by request', report: { kind: 'unsent', at: now, errorCode: ERROR_CODES.stopped } }], now);
        continue;
      }
      release.run({ uuid: item.uuid, dueAt: item.dueAt, owner });
      note.run(item.uuid, now, JSON.stringify({ dueAt: new Date(item.dueAt).toISOString(), reason: item.note }));
    }
  });
}
