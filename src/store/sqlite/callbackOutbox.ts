import type Database from 'better-sqlite3';
import { writeTransaction } from './writeTransaction.js';
import type {
  CallbackAttemptRecord,
  CallbackOutbox,
  ClaimedDelivery,
  Deferral,
  DueDelivery,
  DueLook,
  ExchangeOptions,
  FormDeliveriesOptions,
  PendingCallbacks,
} from '../callbackOutbox.js';
import { newMessageId } from '../messageIds.js';
import { sqliteOutboxWrites } from './outboxWrites.js';
import { toDueDelivery, type DueDeliveryRow } from '../rows/dueDeliveryRow.js';

/** The callback outbox on SQLite (one process, one writer); each operation is one transaction. */
export function sqliteCallbackOutbox(db: Database.Database, newDeliveryId: () => string = newMessageId): CallbackOutbox {
  const form = formDeliveries(db, newDeliveryId);
  const claim = claimDue(db);
  const look = dueDeliveries(db);
  const claimIds = claimChosen(db);
  const deferDue = defer(db);
  const record = recordAttempts(db);
  const pending = pendingCount(db);
  // The steps of exchangeInSteps (../callbackOutbox.ts), in one transaction.
  const exchange = writeTransaction(db, (attempts: CallbackAttemptRecord[], now: number, { leaseMs, limit, form: formOptions, choose }: ExchangeOptions) => {
    if (attempts.length > 0) record(attempts);
    if (limit <= 0) return [];
    if (choose === undefined) {
      const due = claim(now, leaseMs, limit);
      // Forming scans the unbatched events, so it runs only when the deliveries already formed cannot fill the slots.
      if (due.length < limit && form(now, formOptions) > 0) due.push(...claim(now, leaseMs, limit - due.length));
      return due;
    }
    const pick = () => {
      const choice = choose.choose(look(now, choose.look));
      if (choice.defer.length > 0) deferDue(choice.defer, now);
      return { claimed: choice.claim.length > 0 ? claimIds(choice.claim, now, leaseMs) : [], form: choice.form };
    };
    const first = pick();
    if (!first.form || form(now, formOptions) === 0) return first.claimed;
    return [...first.claimed, ...pick().claimed];
  });
  return {
    async formDeliveries(now, options) {
      return form(now, options);
    },
    async claimDue(now, leaseMs, limit) {
      return claim(now, leaseMs, limit);
    },
    async dueDeliveries(now, options) {
      return look(now, options);
    },
    async claimChosen(ids, now, leaseMs) {
      return claimIds(ids, now, leaseMs);
    },
    async defer(deferrals, now) {
      return deferrals.length === 0 ? 0 : deferDue(deferrals, now);
    },
    async recordAttempts(attempts) {
      return attempts.length === 0 ? 0 : record(attempts);
    },
    async exchange(attempts, now, options) {
      return exchange(attempts, now, options);
    },
    async pendingCount() {
      return pending();
    },
  };
}

function formDeliveries(db: Database.Database, newDeliveryId: () => string) {
  // A group is ready when it can fill a batch or its oldest event has waited long enough; min(id) comes from the
  // partial index, so only one row per group is read to learn its age.
  const readyGroups = db.prepare<{ maxEvents: number; oldEnough: number }, { account_id: number; url: string }>(
    `select g.account_id, g.url
     from (select account_id, url, count(*) as n, min(id) as first_id
           from callback_events where delivery_id is null group by account_id, url) as g
     join callback_events as first on first.id = g.first_id
     where g.n >= @maxEvents or first.created_at <= @oldEnough
     order by first.created_at, first.id`,
  );
  const writes = sqliteOutboxWrites(db, newDeliveryId);
  return writeTransaction(db, (now: number, { maxEvents, fillWaitMs, limitEvents = Infinity }: FormDeliveriesOptions): number => {
    const oldEnough = now - fillWaitMs;
    let formed = 0;
    let events = 0;
    for (const { account_id: accountId, url } of readyGroups.all({ maxEvents, oldEnough })) {
      while (events < limitEvents) {
        const rows = writes.unbatched(accountId, url, maxEvents);
        if (rows.length === 0 || (rows.length < maxEvents && rows[0]!.created_at > oldEnough)) break;
        writes.deliver(accountId, url, rows, now);
        formed += 1;
        events += rows.length;
      }
      if (events >= limitEvents) break;
    }
    return formed;
  });
}

interface ClaimedRow {
  id: string;
  account_id: number;
  url: string;
  attempts: number;
  first_attempt_at: number | null;
  signing_secret: string | null;
}

function claimDue(db: Database.Database) {
  // The guard (pending, due, no live lease) is inside the one statement that takes the lease.
  const claim = db.prepare<{ now: number; leaseUntil: number; limit: number }, ClaimedRow>(
    `update callback_deliveries set lease_until = @leaseUntil
     where id in (select id from callback_deliveries
                  where state = 'pending' and next_attempt_at <= @now and (lease_until is null or lease_until <= @now)
                  order by next_attempt_at, id limit @limit)
     returning id, account_id, url, attempts, first_attempt_at,
       (select signing_secret from accounts where accounts.id = callback_deliveries.account_id) as signing_secret`,
  );
  const bodyOf = db.prepare<[string], { body: string; message_uuids: string }>(
    'select body, message_uuids from callback_delivery_bodies where delivery_id = ?',
  );
  return (now: number, leaseMs: number, limit: number): ClaimedDelivery[] => {
    const leaseUntil = now + leaseMs;
    return claim.all({ now, leaseUntil, limit }).map((row) => claimedDelivery(row, bodyOf.get(row.id)!, leaseUntil));
  };
}

/** Due and unleased: what `claimDue`, `dueDeliveries`, `claimChosen` and `defer` may touch. */
const CLAIMABLE = `state = 'pending' and next_attempt_at <= @now and (lease_until is null or lease_until <= @now)`;

function dueDeliveries(db: Database.Database) {
  // `place` numbers each account's due deliveries, first attempts first; ordering by it takes the accounts in turn,
  // every account's first attempts before any retry.
  const due = db.prepare<{ now: number; perAccount: number; total: number }, DueDeliveryRow>(
    `select id, account_id, url, attempts, first_attempt_at, next_attempt_at
     from (select id, account_id, url, attempts, first_attempt_at, next_attempt_at,
             row_number() over (partition by account_id order by attempts > 0, next_attempt_at, id) as place
           from callback_deliveries where ${CLAIMABLE})
     where place <= @perAccount
     order by attempts > 0, place, next_attempt_at, id
     limit @total`,
  );
  return (now: number, { perAccount, total }: DueLook): DueDelivery[] =>
    due.all({ now, perAccount, total }).map(toDueDelivery);
}

function claimChosen(db: Database.Database) {
  const claim = db.prepare<{ id: string; now: number; leaseUntil: number }, ClaimedRow>(
    `update callback_deliveries set lease_until = @leaseUntil
     where id = @id and ${CLAIMABLE}
     returning id, account_id, url, attempts, first_attempt_at,
       (select signing_secret from accounts where accounts.id = callback_deliveries.account_id) as signing_secret`,
  );
  const bodyOf = db.prepare<[string], { body: string; message_uuids: string }>(
    'select body, message_uuids from callback_delivery_bodies where delivery_id = ?',
  );
  return writeTransaction(db, (ids: readonly string[], now: number, leaseMs: number): ClaimedDelivery[] => {
    const leaseUntil = now + leaseMs;
    const claimed: ClaimedDelivery[] = [];
    for (const id of ids) {
      const row = claim.get({ id, now, leaseUntil });
      if (row !== undefined) claimed.push(claimedDelivery(row, bodyOf.get(row.id)!, leaseUntil));
    }
    return claimed;
  });
}

function defer(db: Database.Database) {
  // A delivery never tried starts its 24 h when it is first held back (spec §11.1: retries stop 24 h after the first).
  const move = db.prepare<{ id: string; until: number; now: number }>(
    `update callback_deliveries set next_attempt_at = @until, first_attempt_at = coalesce(first_attempt_at, @now)
     where id = @id and ${CLAIMABLE}`,
  );
  return writeTransaction(db, (deferrals: readonly Deferral[], now: number): number => {
    let moved = 0;
    for (const { id, until } of deferrals) moved += move.run({ id, until, now }).changes;
    return moved;
  });
}

function claimedDelivery(row: ClaimedRow, stored: { body: string; message_uuids: string }, leaseUntil: number): ClaimedDelivery {
  return {
    id: row.id,
    accountId: row.account_id,
    url: row.url,
    body: stored.body,
    attempts: row.attempts,
    firstAttemptAt: row.first_attempt_at,
    messageUuids: JSON.parse(stored.message_uuids) as string[],
    signingSecret: row.signing_secret,
    leaseUntil,
  };
}

function recordAttempts(db: Database.Database) {
  // Guarded by the lease token: a holder whose lease expired and was re-claimed writes nothing.
  const update = db.prepare(
    `update callback_deliveries set
       attempts = attempts + 1,
       first_attempt_at = coalesce(first_attempt_at, @at),
       state = @state,
       next_attempt_at = coalesce(@nextAttemptAt, next_attempt_at),
       last_result = @lastResult,
       lease_until = null
     where id = @id and state = 'pending' and lease_until = @leaseUntil`,
  );
  const timeline = db.prepare(
    `insert into message_events (message_uuid, at, kind, detail)
     select value, @at, 'callback_attempt', @detail
     from callback_delivery_bodies, json_each(callback_delivery_bodies.message_uuids)
     where callback_delivery_bodies.delivery_id = @id`,
  );
  return writeTransaction(db, (attempts: CallbackAttemptRecord[]): number => {
    let recorded = 0;
    for (const { leaseUntil, at, nextAttemptAt, detail } of attempts) {
      if (detail.outcome === 'retry' && nextAttemptAt === null) throw new Error('a retry needs nextAttemptAt');
      const state = detail.outcome === 'retry' ? 'pending' : detail.outcome;
      const lastResult = JSON.stringify({ at, httpStatus: detail.httpStatus, error: detail.error });
      const id = detail.webhookId;
      const changed = update.run({ id, leaseUntil, at, state, nextAttemptAt, lastResult }).changes;
      if (changed === 0) continue;
      timeline.run({ id, at, detail: JSON.stringify(detail) });
      recorded += 1;
    }
    return recorded;
  });
}

function pendingCount(db: Database.Database) {
  const count = db.prepare<[], { unbatched: number; pending: number }>(
    `select (select count(*) from callback_events where delivery_id is null) as unbatched,
            (select count(*) from callback_deliveries where state = 'pending') as pending`,
  );
  return (): PendingCallbacks => {
    const row = count.get()!;
    return { unbatchedEvents: row.unbatched, pendingDeliveries: row.pending };
  };
}
