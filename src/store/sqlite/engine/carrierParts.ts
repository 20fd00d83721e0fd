import type Database from 'better-sqlite3';
import type { Report } from '../../../domain/lifecycle.js';
import { multipartOutcome, type PartOutcome } from '../../../domain/multipart.js';
import type { ReportEnvelope } from '../../store.js';

/**
 * Network ids of handed-off parts: how a late report that names a part (an SMPP receipt's message_id)
 * finds its message, how a multipart message's parts add up to its delivery, and where a report waits
 * when it arrives before the hand-off it belongs to was recorded. Runs inside applyReports' transaction.
 */
export function sqliteCarrierParts(db: Database.Database) {
  const findRef = db.prepare<[string, string], { message_uuid: string; part: number }>(
    'select message_uuid, part from carrier_refs where connector = ? and ref_key = ? limit 1',
  );
  const addRef = db.prepare('insert or ignore into carrier_refs (connector, ref_key, message_uuid, part) values (?, ?, ?, ?)');
  const addPart = db.prepare('insert or ignore into message_parts (message_uuid, part) values (?, ?)');
  const partCount = db.prepare<[string], { n: number }>('select count(*) n from message_parts where message_uuid = ?');
  const setPart = db.prepare('update message_parts set outcome = ?, error_code = ? where message_uuid = ? and part = ? and outcome is null');
  const partOutcomes = db.prepare<[string], { outcome: string | null; error_code: number | null }>(
    'select outcome, error_code from message_parts where message_uuid = ? order by part',
  );
  const keep = db.prepare('insert into pending_reports (envelope, received_at) values (?, ?)');
  const keepKey = db.prepare('insert or ignore into pending_report_keys (connector, ref_key, report_id) values (?, ?, ?)');
  const waiting = db.prepare<[string, string], { id: number; envelope: string }>(
    `select r.id, r.envelope from pending_report_keys k join pending_reports r on r.id = k.report_id
     where k.connector = ? and k.ref_key = ?`,
  );
  const release = db.prepare('delete from pending_reports where id = ?');
  const releaseKeys = db.prepare('delete from pending_report_keys where report_id = ?');

  return {
    /** The message (and part) a report is about; a report naming an unknown part is kept for later. */
    resolve(envelope: ReportEnvelope, now: number): { uuid: string; part?: number } | null {
      if (envelope.uuid !== undefined) return { uuid: envelope.uuid };
      const ref = envelope.carrierRef;
      if (!ref) return null;
      for (const key of ref.keys) {
        const found = findRef.get(ref.connector, key);
        if (found) return { uuid: found.message_uuid, part: found.part };
      }
      const id = Number(keep.run(JSON.stringify(envelope), now).lastInsertRowid);
      for (const key of ref.keys) keepKey.run(ref.connector, key, id);
      return null;
    },

    /** The report for the whole message: a part's delivery counts only when it settles the message. */
    messageReport(uuid: string, part: number | undefined, report: Report): Report | null {
      if (part === undefined || (report.kind !== 'delivered' && report.kind !== 'undelivered')) return report;
      if (partCount.get(uuid)!.n <= 1) return report;
      setPart.run(report.kind, report.kind === 'undelivered' ? report.errorCode : null, uuid, part);
      const outcomes = partOutcomes.all(uuid).map(
        (p): PartOutcome =>
          p.outcome === 'delivered' ? { outcome: 'delivered' } : p.outcome === 'undelivered' ? { outcome: 'undelivered', errorCode: p.error_code } : null,
      );
      const settled = multipartOutcome(outcomes);
      return settled === null ? null : { ...settled, at: report.at };
    },

    /** Records the parts of a hand-off; returns the reports that were waiting for them, oldest first. */
    recordHandoff(uuid: string, handoff: NonNullable<ReportEnvelope['handoff']>): ReportEnvelope[] {
      const early = new Map<number, ReportEnvelope>();
      handoff.carrierRefs.forEach((keys, part) => {
        if (handoff.carrierRefs.length > 1) addPart.run(uuid, part);
        for (const key of keys) {
          addRef.run(handoff.connector, key, uuid, part);
          for (const row of waiting.all(handoff.connector, key)) early.set(row.id, JSON.parse(row.envelope) as ReportEnvelope);
        }
      });
      const ids = [...early.keys()].sort((a, b) => a - b);
      for (const id of ids) {
        release.run(id);
        releaseKeys.run(id);
      }
      return ids.map((id) => early.get(id)!);
    },
  };
}
