import type Database from 'better-sqlite3';
import { FINAL_STATUSES } from '../../../domain/statuses.js';
import type { StopCode } from '../../store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Stops messages by uuid (spec §9). The guard is inside the statement: only a message that is still
 * `sending` and not leased for hand-off becomes unsent, so a 200 can never race a claim.
 */
export function sqliteStop(db: Database.Database) {
  const find = db.prepare<[string, number], { status: string; lease_until: number | null }>(
    'select status, lease_until from messages where uuid = ? and account_id = ?',
  );
  const stop = db.prepare(
    `update messages set status = 'unsent', error_code = 606, status_at = @now, message_time = @now,
       reserved = 0, due_at = null
     where uuid = @uuid and account_id = @accountId and status = 'sending' and (lease_until is null or lease_until <= @now)`,
  );
  const refund = db.prepare('update accounts set reserved = reserved - ? where id = ?');
  const reservedOf = db.prepare<[string], { reserved: number }>('select reserved from messages where uuid = ?');
  const stopOne = (accountId: number, rawUuid: string, now: number): StopCode => {
    const uuid = rawUuid.toLowerCase();
    if (!UUID.test(uuid)) return 404;
    const row = find.get(uuid, accountId);
    if (!row) return 404;
    if (row.status === 'unsent') return 200;
    if (FINAL_STATUSES.has(row.status) || row.status === 'sent') return 403;
    if (row.lease_until !== null && row.lease_until > now) return 202;
    const reserved = reservedOf.get(uuid)!.reserved;
    stop.run({ uuid, accountId, now });
    if (reserved !== 0) refund.run(reserved, accountId);
    return 200;
  };
  return db.transaction((accountId: number, uuids: string[], now: number): StopCode[] =>
    uuids.map((uuid) => stopOne(accountId, uuid, now)),
  );
}
