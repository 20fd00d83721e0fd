import type Database from 'better-sqlite3';
import { MAX_EVENTS_PER_DELIVERY } from '../callbackOutbox.js';
import { newMessageId } from '../messageIds.js';

/** A callback event on its way into a delivery: read back from the outbox (`id`) or new in this transaction. */
export interface OutboxEvent {
  id?: number;
  message_uuid: string;
  payload: string;
}

export interface StoredEvent extends Required<OutboxEvent> {
  created_at: number;
}

/**
 * The outbox's writes on SQLite, inside the caller's transaction: deliveries (one POST body each, its id the
 * `webhook-id`) made of events in order, and events that wait for more to fill a delivery.
 */
export function sqliteOutboxWrites(db: Database.Database, newDeliveryId: () => string = newMessageId) {
  const insertEvent = db.prepare('insert into callback_events (account_id, message_uuid, url, payload, created_at) values (?, ?, ?, ?, ?)');
  const unbatched = db.prepare<[number, string, number], StoredEvent>(
    `select id, message_uuid, payload, created_at from callback_events
     where account_id = ? and url = ? and delivery_id is null order by id limit ?`,
  );
  const insertDelivery = db.prepare(
    `insert into callback_deliveries (id, account_id, url, created_at, next_attempt_at) values (@id, @accountId, @url, @now, @now)`,
  );
  const insertBody = db.prepare('insert into callback_delivery_bodies (delivery_id, body, message_uuids) values (?, ?, ?)');
  // Events read in this transaction are exactly the group's unbatched ones between the first and last id.
  const assignEvents = db.prepare(
    `update callback_events set delivery_id = @id
     where account_id = @accountId and url = @url and delivery_id is null and id between @firstId and @lastId`,
  );

  /** One delivery of `events` (in order); the stored ones among them leave the unbatched events. */
  function deliver(accountId: number, url: string, events: OutboxEvent[], now: number): void {
    const id = newDeliveryId();
    const body = `[${events.map((event) => event.payload).join(',')}]`;
    const messageUuids = JSON.stringify([...new Set(events.map((event) => event.message_uuid))]);
    insertDelivery.run({ id, accountId, url, now });
    insertBody.run(id, body, messageUuids);
    const stored = events.filter((event) => event.id !== undefined);
    if (stored.length > 0) assignEvents.run({ id, accountId, url, firstId: stored[0]!.id, lastId: stored[stored.length - 1]!.id });
  }

  return {
    deliver,
    /** The group's oldest unbatched events, at most `limit`. */
    unbatched: (accountId: number, url: string, limit: number): StoredEvent[] => unbatched.all(accountId, url, limit),
    /**
     * New events of one group: as many full deliveries as they make after the group's waiting events, at once;
     * the rest waits (formDeliveries sends it when it fills or has waited long enough).
     */
    add(accountId: number, url: string, events: OutboxEvent[], now: number): void {
      const waiting = unbatched.all(accountId, url, MAX_EVENTS_PER_DELIVERY);
      const queue = [...waiting, ...events];
      let start = 0;
      for (; queue.length - start >= MAX_EVENTS_PER_DELIVERY; start += MAX_EVENTS_PER_DELIVERY) {
        deliver(accountId, url, queue.slice(start, start + MAX_EVENTS_PER_DELIVERY), now);
      }
      for (const event of queue.slice(Math.max(start, waiting.length))) insertEvent.run(accountId, event.message_uuid, url, event.payload, now);
    },
  };
}
