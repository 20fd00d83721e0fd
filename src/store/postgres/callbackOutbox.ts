import type {
  CallbackAttemptRecord,
  CallbackOutbox,
  ClaimedDelivery,
  Deferral,
  DueDelivery,
  DueLook,
  FormDeliveriesOptions,
  PendingCallbacks,
} from '../callbackOutbox.js';
import { exchangeInSteps } from '../callbackOutbox.js';
import { newMessageId } from '../messageIds.js';
import type { Sql, TransactionSql } from './connection.js';
import { toDueDelivery, type DueDeliveryRow } from '../rows/dueDeliveryRow.js';

/** Advisory lock class of the outbox ("dgcb"): the second key 1 is "forming deliveries". */
const LOCK_SPACE = 0x64676362;
const FORMING = 1;
/** Events read per statement while forming a group's deliveries. */
const READ_EVENTS = 5000;

/**
 * The callback outbox on PostgreSQL, shared by every node: any node forms deliveries, any node sends them.
 * Each operation is one small function whose guard is inside its statement (as graphile-worker does).
 */
export function pgCallbackOutbox(sql: Sql, newDeliveryId: () => string = newMessageId): CallbackOutbox {
  const outbox: CallbackOutbox = {
    formDeliveries: (now, options) => formDeliveries(sql, newDeliveryId, now, options),
    claimDue: (now, leaseMs, limit) => claimDue(sql, now, leaseMs, limit),
    dueDeliveries: (now, look) => dueDeliveries(sql, now, look),
    claimChosen: (ids, now, leaseMs) => claimChosen(sql, ids, now, leaseMs),
    defer: (deferrals, now) => defer(sql, deferrals, now),
    recordAttempts: (attempts) => recordAttempts(sql, attempts),
    // Each step is its own short transaction: nodes do not wait on one another's rounds.
    exchange: (attempts, now, options) => exchangeInSteps(outbox, attempts, now, options),
    pendingCount: () => pendingCount(sql),
  };
  return outbox;
}

interface EventRow {
  id: number;
  message_uuid: string;
  payload: string;
  created_at: number;
}

/** One node at a time forms deliveries; the others skip the round (the former serves them all). */
const takeForming = (tx: TransactionSql) => tx<{ got: boolean }[]>`select pg_try_advisory_xact_lock(${LOCK_SPACE}::int, ${FORMING}::int) as got`;

/**
 * A group is ready when it can fill a batch or its oldest event has waited long enough; min(id) comes from the
 * partial index, so only one row per group is read to learn its age.
 */
const readyGroups = (tx: TransactionSql, maxEvents: number, oldEnough: number) => tx<{ account_id: number; url: string }[]>`
  select g.account_id, g.url
  from (select account_id, url, count(*) as n, min(id) as first_id
        from callback_events where delivery_id is null group by account_id, url) as g
  join callback_events as first on first.id = g.first_id
  where g.n >= ${maxEvents} or first.created_at <= ${oldEnough}
  order by first.created_at, first.id`;

const nextEvents = (tx: TransactionSql, accountId: number, url: string, afterId: number, limit: number) => tx<EventRow[]>`
  select id, message_uuid, payload, created_at from callback_events
  where account_id = ${accountId} and url = ${url} and delivery_id is null and id > ${afterId}
  order by id limit ${limit}`;

interface NewDelivery {
  id: string;
  body: string;
  messageUuids: string;
  events: number[];
}

/** The group's deliveries, and their events assigned to them by id (never by range: ids commit out of order). */
const insertDeliveries = (tx: TransactionSql, accountId: number, url: string, deliveries: NewDelivery[], now: number) => tx`
  with delivery as (
    insert into callback_deliveries (id, account_id, url, body, message_uuids, created_at, next_attempt_at)
    select id, ${accountId}, ${url}, body, message_uuids, ${now}::bigint, ${now}::bigint
    from unnest(${deliveries.map((d) => d.id)}::text[], ${deliveries.map((d) => d.body)}::text[],
      ${deliveries.map((d) => d.messageUuids)}::text[]) as d (id, body, message_uuids)
  )
  update callback_events e set delivery_id = a.delivery_id
  from unnest(${deliveries.flatMap((d) => d.events)}::bigint[], ${deliveries.flatMap((d) => d.events.map(() => d.id))}::text[])
    as a (event_id, delivery_id)
  where e.id = a.event_id and e.delivery_id is null`;

async function formDeliveries(
  sql: Sql,
  newDeliveryId: () => string,
  now: number,
  { maxEvents, fillWaitMs, limitEvents = Infinity }: FormDeliveriesOptions,
): Promise<number> {
  return sql.begin(async (tx) => {
    const [lock] = await takeForming(tx);
    if (!lock?.got) return 0;
    const oldEnough = now - fillWaitMs;
    let formed = 0;
    let events = 0;
    for (const { account_id: rawAccountId, url } of await readyGroups(tx, maxEvents, oldEnough)) {
      const accountId = Number(rawAccountId);
      const deliveries: NewDelivery[] = [];
      // The group's events are read ahead in pages; each delivery takes the next maxEvents of them in event order.
      const pageSize = Math.max(READ_EVENTS, maxEvents);
      let buffer: EventRow[] = [];
      let next = 0;
      let afterId = 0;
      let exhausted = false;
      while (events < limitEvents) {
        if (buffer.length - next < maxEvents && !exhausted) {
          const page = await nextEvents(tx, accountId, url, afterId, pageSize);
          exhausted = page.length < pageSize;
          if (page.length > 0) afterId = Number(page[page.length - 1]!.id);
          buffer = [...buffer.slice(next), ...page];
          next = 0;
        }
        const batch = buffer.slice(next, next + maxEvents);
        if (batch.length === 0 || (batch.length < maxEvents && Number(batch[0]!.created_at) > oldEnough)) break;
        next += batch.length;
        deliveries.push({
          id: newDeliveryId(),
          body: `[${batch.map((row) => row.payload).join(',')}]`,
          messageUuids: JSON.stringify([...new Set(batch.map((row) => row.message_uuid))]),
          events: batch.map((row) => Number(row.id)),
        });
        formed += 1;
        events += batch.length;
      }
      if (deliveries.length > 0) await insertDeliveries(tx, accountId, url, deliveries, now);
      if (events >= limitEvents) break;
    }
    return formed;
  });
}

interface ClaimedRow {
  id: string;
  account_id: number;
  url: string;
  body: string;
  message_uuids: string;
  attempts: number;
  first_attempt_at: number | null;
  signing_secret: string | null;
  next_attempt_at: number;
}

/**
 * The guard (pending, due, no live lease) is inside the one statement that takes the lease; a delivery another
 * node is claiming right now is skipped, so two senders never hold the same delivery. The pick locks what it
 * returns after checking the guard on the latest version, so the update needs only the ids (by primary key).
 */
// Ties in id order (time-ordered ids: the older first); without it PostgreSQL returns equal times in heap order.
const claim = (sql: Sql, now: number, leaseUntil: number, limit: number) => sql<ClaimedRow[]>`
  update callback_deliveries set lease_until = ${leaseUntil}
  where id = any(array(select id from callback_deliveries
                       where state = 'pending' and next_attempt_at <= ${now} and (lease_until is null or lease_until <= ${now})
                       order by next_attempt_at, id limit ${limit}
                       for update skip locked))
  returning id, account_id, url, body, message_uuids, attempts, first_attempt_at, next_attempt_at,
    (select signing_secret from accounts where accounts.id = callback_deliveries.account_id) as signing_secret`;

const claimedDelivery = (row: ClaimedRow, leaseUntil: number): ClaimedDelivery => ({
  id: row.id,
  accountId: Number(row.account_id),
  url: row.url,
  body: row.body,
  attempts: row.attempts,
  firstAttemptAt: row.first_attempt_at === null ? null : Number(row.first_attempt_at),
  messageUuids: JSON.parse(row.message_uuids) as string[],
  signingSecret: row.signing_secret,
  leaseUntil,
});

async function claimDue(sql: Sql, now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
  if (limit <= 0) return [];
  const leaseUntil = now + leaseMs;
  const rows = await claim(sql, now, leaseUntil, limit);
  return rows
    .sort((a, b) => Number(a.next_attempt_at) - Number(b.next_attempt_at) || (a.id < b.id ? -1 : 1))
    .map((row) => claimedDelivery(row, leaseUntil));
}

/**
 * `place` numbers each account's due deliveries, first attempts first; ordering by it takes the accounts in turn,
 * every account's first attempts before any retry.
 */
const due = (sql: Sql, now: number, perAccount: number, total: number) => sql<DueDeliveryRow[]>`
  select id, account_id, url, attempts, first_attempt_at, next_attempt_at
  from (select id, account_id, url, attempts, first_attempt_at, next_attempt_at,
          row_number() over (partition by account_id order by attempts > 0, next_attempt_at, id) as place
        from callback_deliveries
        where state = 'pending' and next_attempt_at <= ${now} and (lease_until is null or lease_until <= ${now})) as d
  where place <= ${perAccount}
  order by attempts > 0, place, next_attempt_at, id
  limit ${total}`;

async function dueDeliveries(sql: Sql, now: number, { perAccount, total }: DueLook): Promise<DueDelivery[]> {
  return (await due(sql, now, perAccount, total)).map(toDueDelivery);
}

/** As `claim`, for the chosen ids only: one another node leased or is leasing meanwhile is left to it. */
const claimIds = (sql: Sql, ids: readonly string[], now: number, leaseUntil: number) => sql<ClaimedRow[]>`
  update callback_deliveries set lease_until = ${leaseUntil}
  where id = any(array(select id from callback_deliveries
                       where id = any(${ids as string[]}::text[]) and state = 'pending' and next_attempt_at <= ${now}
                         and (lease_until is null or lease_until <= ${now})
                       for update skip locked))
  returning id, account_id, url, body, message_uuids, attempts, first_attempt_at, next_attempt_at,
    (select signing_secret from accounts where accounts.id = callback_deliveries.account_id) as signing_secret`;

async function claimChosen(sql: Sql, ids: readonly string[], now: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  if (ids.length === 0) return [];
  const leaseUntil = now + leaseMs;
  const byId = new Map((await claimIds(sql, ids, now, leaseUntil)).map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row === undefined ? [] : [claimedDelivery(row, leaseUntil)];
  });
}

/**
 * A delivery never tried starts its 24 h when it is first held back (spec §11.1: retries stop 24 h after the
 * first attempt). The guard is in the statement: one another node has leased meanwhile is not moved.
 */
const move = (sql: Sql, deferrals: readonly Deferral[], now: number) => sql`
  update callback_deliveries d set next_attempt_at = m.until, first_attempt_at = coalesce(d.first_attempt_at, ${now})
  from unnest(${deferrals.map((x) => x.id)}::text[], ${deferrals.map((x) => x.until)}::bigint[]) as m (id, until)
  where d.id = m.id and d.state = 'pending' and d.next_attempt_at <= ${now} and (d.lease_until is null or d.lease_until <= ${now})`;

async function defer(sql: Sql, deferrals: readonly Deferral[], now: number): Promise<number> {
  if (deferrals.length === 0) return 0;
  return (await move(sql, deferrals, now)).count;
}

interface Attempt {
  id: string;
  leaseUntil: number;
  at: number;
  state: string;
  nextAttemptAt: number | null;
  lastResult: string;
  detail: string;
}

/**
 * Every attempt in one statement. Guarded by the lease token: a holder whose lease expired and was re-claimed
 * writes nothing. Each recorded attempt adds one `callback_attempt` row per message of its batch, in order.
 */
const record = (sql: Sql | TransactionSql, attempts: Attempt[]) => sql<{ n: number }[]>`
  with attempt as (
    select * from unnest(${attempts.map((a) => a.id)}::text[], ${attempts.map((a) => a.leaseUntil)}::bigint[],
      ${attempts.map((a) => a.at)}::bigint[], ${attempts.map((a) => a.state)}::text[],
      ${attempts.map((a) => a.nextAttemptAt)}::bigint[], ${attempts.map((a) => a.lastResult)}::text[],
      ${attempts.map((a) => a.detail)}::text[])
      with ordinality as t (id, lease_until, at, state, next_attempt_at, last_result, detail, n)
  ),
  recorded as (
    update callback_deliveries d set
      attempts = d.attempts + 1,
      first_attempt_at = coalesce(d.first_attempt_at, attempt.at),
      state = attempt.state,
      next_attempt_at = coalesce(attempt.next_attempt_at, d.next_attempt_at),
      last_result = attempt.last_result,
      lease_until = null
    from attempt
    where d.id = attempt.id and d.state = 'pending' and d.lease_until = attempt.lease_until
    returning d.message_uuids, attempt.at, attempt.detail, attempt.n
  ),
  noted as (
    insert into message_events (message_uuid, at, kind, detail)
    select m.uuid::uuid, recorded.at, 'callback_attempt', recorded.detail
    from recorded, json_array_elements_text(recorded.message_uuids::json) with ordinality as m (uuid, i)
    order by recorded.n, m.i
  )
  select count(*)::int as n from recorded`;

async function recordAttempts(sql: Sql, records: CallbackAttemptRecord[]): Promise<number> {
  const attempts: Attempt[] = [];
  for (const { leaseUntil, at, nextAttemptAt, detail } of records) {
    if (detail.outcome === 'retry' && nextAttemptAt === null) throw new Error('a retry needs nextAttemptAt');
    attempts.push({
      id: detail.webhookId,
      leaseUntil,
      at,
      state: detail.outcome === 'retry' ? 'pending' : detail.outcome,
      nextAttemptAt,
      lastResult: JSON.stringify({ at, httpStatus: detail.httpStatus, error: detail.error }),
      detail: JSON.stringify(detail),
    });
  }
  if (attempts.length === 0) return 0;
  if (new Set(attempts.map((a) => a.id)).size === attempts.length) {
    const [row] = await record(sql, attempts);
    return row?.n ?? 0;
  }
  // The same delivery twice in one call (unusual): one after the other, so the first valid token wins as on SQLite.
  return sql.begin(async (tx) => {
    let recorded = 0;
    for (const attempt of attempts) recorded += (await record(tx, [attempt]))[0]?.n ?? 0;
    return recorded;
  });
}

const count = (sql: Sql) => sql<{ unbatched: number; pending: number }[]>`
  select (select count(*) from callback_events where delivery_id is null)::int as unbatched,
         (select count(*) from callback_deliveries where state = 'pending')::int as pending`;

async function pendingCount(sql: Sql): Promise<PendingCallbacks> {
  const [row] = await count(sql);
  return { unbatchedEvents: row!.unbatched, pendingDeliveries: row!.pending };
}
