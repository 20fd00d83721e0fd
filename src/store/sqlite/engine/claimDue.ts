import type Database from 'better-sqlite3';
import { writeTransaction } from '../writeTransaction.js';
import type { Channel } from '../../../domain/channels.js';
import type { MessageContent } from '../../../domain/message.js';
import type { ClaimedMessage } from '../../store.js';

/**
 * Leases due `sending` messages. The guard is in the statement: a row with a live lease is never
 * taken, so two workers can never hold the same message at once.
 */
const CLAIM = `
  update messages set lease_owner = @owner, lease_until = @until, attempts = attempts + 1
  where uuid in (
    select uuid from messages
    where due_at <= @now and status = 'sending' and (lease_until is null or lease_until <= @now)
    order by due_at limit @limit
  )
  returning uuid, account_id, channel_type, sender_name, destination, content, total_parts, expires_at,
    stop_requested, attempts, time_zone, send_after, complete_by, hours, days`;

interface ClaimRow {
  uuid: string;
  account_id: number;
  channel_type: string;
  sender_name: string;
  destination: string;
  content: string;
  total_parts: number;
  expires_at: number;
  stop_requested: number;
  attempts: number;
  time_zone: string;
  send_after: number | null;
  complete_by: number | null;
  hours: string | null;
  days: string | null;
}

export function sqliteClaimDue(db: Database.Database) {
  const claim = db.prepare<{ owner: string; until: number; now: number; limit: number }, ClaimRow>(CLAIM);
  // One statement notes the whole claim in the timeline.
  const note = db.prepare(
    `insert into message_events (message_uuid, at, kind, detail)
     select value ->> '$.uuid', @now, 'claimed', json_object('worker', @owner, 'attempt', value ->> '$.attempts') from json_each(@claims)`,
  );
  return writeTransaction(db, (owner: string, now: number, leaseMs: number, limit: number): ClaimedMessage[] => {
    const rows = claim.all({ owner, until: now + leaseMs, now, limit });
    if (rows.length > 0) note.run({ now, owner, claims: JSON.stringify(rows.map((r) => ({ uuid: r.uuid, attempts: r.attempts }))) });
    return rows.map((row) => {
      return {
        uuid: row.uuid,
        accountId: row.account_id,
        channelType: row.channel_type as Channel,
        senderName: row.sender_name,
        destination: row.destination,
        content: JSON.parse(row.content) as MessageContent,
        totalParts: row.total_parts,
        expiresAt: row.expires_at,
        stopRequested: row.stop_requested === 1,
        attempts: row.attempts,
        timeZone: row.time_zone,
        sendAfter: row.send_after,
        completeBy: row.complete_by,
        hours: row.hours === null ? null : (JSON.parse(row.hours) as number[]),
        days: row.days === null ? null : (JSON.parse(row.days) as number[]),
      };
    });
  });
}
