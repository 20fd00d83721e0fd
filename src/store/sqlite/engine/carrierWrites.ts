import type Database from 'better-sqlite3';
import type { CarrierWrites } from '../../../domain/roundParts.js';

/**
 * Writes what a round changed in the carrier tables (domain/roundParts): network ids of handed-off parts,
 * multipart parts and their outcomes, reports kept until their part is known and those the round applied.
 * Runs inside applyReports' transaction.
 */
export function sqliteCarrierWrites(db: Database.Database) {
  const addRef = db.prepare('insert or ignore into carrier_refs (connector, ref_key, message_uuid, part) values (?, ?, ?, ?)');
  const addPart = db.prepare('insert or ignore into message_parts (message_uuid, part) values (?, ?)');
  const settle = db.prepare('update message_parts set outcome = ?, error_code = ? where message_uuid = ? and part = ? and outcome is null');
  const keep = db.prepare('insert into pending_reports (envelope, received_at) values (?, ?)');
  const keepKey = db.prepare('insert or ignore into pending_report_keys (connector, ref_key, report_id) values (?, ?, ?)');
  const release = db.prepare('delete from pending_reports where id = ?');
  const releaseKeys = db.prepare('delete from pending_report_keys where report_id = ?');

  return ({ refs, parts, settled, kept, released }: CarrierWrites, now: number): void => {
    for (const ref of refs) addRef.run(ref.connector, ref.key, ref.uuid, ref.part);
    for (const part of parts) addPart.run(part.uuid, part.part);
    for (const part of settled) settle.run(part.outcome, part.errorCode, part.uuid, part.part);
    for (const envelope of kept) {
      const ref = envelope.carrierRef!;
      const id = Number(keep.run(JSON.stringify(envelope), now).lastInsertRowid);
      for (const key of ref.keys) keepKey.run(ref.connector, key, id);
    }
    for (const id of released) {
      release.run(id);
      releaseKeys.run(id);
    }
  };
}
