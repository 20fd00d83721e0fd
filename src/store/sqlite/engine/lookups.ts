import type Database from 'better-sqlite3';
import { toInFlightMessage, type InFlightRow } from '../../rows/outboundRow.js';
import type { EngineRepository } from '../../store.js';

/** The engine's small reads: stop requests, expiries, in-flight messages. */
export function sqliteEngineLookups(db: Database.Database): Pick<EngineRepository, 'stopRequested' | 'dueForExpiry' | 'inFlight'> {
  const stopped = db.prepare<[string], { uuid: string }>(
    'select uuid from messages where uuid in (select value from json_each(?)) and stop_requested = 1',
  );
  const expiring = db.prepare<[number, number], { uuid: string }>(
    `select uuid from messages where due_at <= ? and status in ('sent', 'delivered') order by due_at limit ?`,
  );
  const inFlight = db.prepare<{ connector: string | null; sentBefore: number | null }, InFlightRow>(
    `select uuid, account_id, channel_type, sender_name, destination, content, total_parts, expires_at, sent_at,
       status, connector
     from messages where due_at is not null and status in ('sent', 'delivered')
       and (@connector is null or (connector = @connector and sent_at < @sentBefore))`,
  );
  return {
    async stopRequested(uuids) {
      return new Set(stopped.all(JSON.stringify(uuids)).map((r) => r.uuid));
    },
    async dueForExpiry(now, limit) {
      return expiring.all(now, limit).map((r) => r.uuid);
    },
    async inFlight(filter) {
      return inFlight.all({ connector: filter?.connector ?? null, sentBefore: filter?.sentBefore ?? null }).map(toInFlightMessage);
    },
  };
}
