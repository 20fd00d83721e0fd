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

/** A returned row, read as an array (cheaper than a row object for a thousand rows a round). */
type ClaimRow = [
  uuid: string,
  accountId: number,
  channelType: string,
  senderName: string,
  destination: string,
  content: string,
  totalParts: number,
  expiresAt: number,
  stopRequested: number,
  attempts: number,
  timeZone: string,
  sendAfter: number | null,
  completeBy: number | null,
  hours: string | null,
  days: string | null,
];

export function sqliteClaimDue(db: Database.Database) {
  const claim = db.prepare<{ owner: string; until: number; now: number; limit: number }, ClaimRow>(CLAIM).raw();
  // One statement notes the whole claim in the timeline.
  const note = db.prepare(
    `insert into message_events (message_uuid, at, kind, detail)
     select value ->> 0, @now, 'claimed', json_object('worker', @owner, 'attempt', value ->> 1) from json_each(@claims)`,
  );
  const claimRows = writeTransaction(db, (owner: string, now: number, leaseMs: number, limit: number): ClaimRow[] => {
    const rows = claim.all({ owner, until: now + leaseMs, now, limit });
    if (rows.length > 0) note.run({ now, owner, claims: JSON.stringify(rows.map((r) => [r[0], r[9]])) });
    return rows;
  });
  // Decoded after the transaction, outside the write lock.
  return (owner: string, now: number, leaseMs: number, limit: number): ClaimedMessage[] =>
    claimRows(owner, now, leaseMs, limit).map(
      ([uuid, accountId, channelType, senderName, destination, content, totalParts, expiresAt, stopRequested, attempts, timeZone, sendAfter, completeBy, hours, days]) => ({
        uuid,
        accountId,
        channelType: channelType as Channel,
        senderName,
        destination,
        content: JSON.parse(content) as MessageContent,
        totalParts,
        expiresAt,
        stopRequested: stopRequested === 1,
        attempts,
        timeZone,
        sendAfter,
        completeBy,
        hours: hours === null ? null : (JSON.parse(hours) as number[]),
        days: days === null ? null : (JSON.parse(days) as number[]),
      }),
    );
}
