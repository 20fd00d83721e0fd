import type Database from 'better-sqlite3';
import { writeTransaction } from '../writeTransaction.js';
import { toClaimedMessage } from '../../rows/claimRow.js';
import type { ClaimedMessage } from '../../store.js';
import { STATE_COLUMN_COUNT, STATE_COLUMNS, type LoadedRow } from './stateColumns.js';
import type { ClaimedStates } from './claimedStates.js';

/**
 * Leases due `sending` messages. The guard is in the statement: a row with a live lease is never
 * taken, so two workers can never hold the same message at once. It returns the state planning reads
 * (STATE_COLUMNS) first, then what the hand-off needs.
 */
const CLAIM = `
  update messages set lease_owner = @owner, lease_until = @until, attempts = attempts + 1
  where uuid in (
    select uuid from messages
    where due_at <= @now and status = 'sending' and (lease_until is null or lease_until <= @now)
    order by due_at limit @limit
  )
  returning ${STATE_COLUMNS}, uuid, sender_name, destination, content, stop_requested, attempts, time_zone,
    send_after, complete_by, hours, days`;

/** Where the claimed row's uuid and attempt count are (ReturnedRow). */
const UUID_AT = STATE_COLUMN_COUNT;
const ATTEMPTS_AT = STATE_COLUMN_COUNT + 5;

/** A returned row, read as an array (cheaper than a row object for a thousand rows a round). */
type ReturnedRow = [
  ...LoadedRow,
  uuid: string,
  senderName: string,
  destination: string,
  content: string,
  stopRequested: number,
  attempts: number,
  timeZone: string,
  sendAfter: number | null,
  completeBy: number | null,
  hours: string | null,
  days: string | null,
];

/** `claimed` keeps each claimed message's state for the plan of its hand-off (ClaimedStates). */
export function sqliteClaimDue(db: Database.Database, claimed?: ClaimedStates) {
  const claim = db.prepare<{ owner: string; until: number; now: number; limit: number }, ReturnedRow>(CLAIM).raw();
  // One statement notes the whole claim in the timeline.
  const note = db.prepare(
    `insert into message_events (message_uuid, at, kind, detail)
     select value ->> 0, @now, 'claimed', json_object('worker', @owner, 'attempt', value ->> 1) from json_each(@claims)`,
  );
  const claimRows = writeTransaction(db, (owner: string, now: number, leaseMs: number, limit: number): ReturnedRow[] => {
    const rows = claim.all({ owner, until: now + leaseMs, now, limit });
    if (rows.length > 0) note.run({ now, owner, claims: JSON.stringify(rows.map((r) => [r[UUID_AT], r[ATTEMPTS_AT]])) });
    return rows;
  });
  // Decoded after the transaction, outside the write lock.
  return (owner: string, now: number, leaseMs: number, limit: number): ClaimedMessage[] =>
    claimRows(owner, now, leaseMs, limit).map((row) => {
      const [uuid, senderName, destination, content, stopRequested, attempts, timeZone, sendAfter, completeBy, hours, days] =
        row.slice(STATE_COLUMN_COUNT) as Tail;
      const state = row.slice(0, STATE_COLUMN_COUNT) as LoadedRow;
      claimed?.keep(uuid, state);
      return toClaimedMessage({
        uuid, account_id: state[1], channel_type: state[2], sender_name: senderName, destination, content,
        total_parts: state[4], expires_at: state[15]!, stop_requested: stopRequested, attempts, time_zone: timeZone,
        send_after: sendAfter, complete_by: completeBy, hours, days,
      });
    });
}

type Tail = [string, string, string, string, number, number, string, number | null, number | null, string | null, string | null];
