import type { CallbackEvent, Channel, Status } from '../../../domain/channels.js';
import { timelineDetail } from '../../timelineDetail.js';
import type { Report } from '../../../domain/lifecycle.js';
import { planReport, type MessageState } from '../../../domain/reportPlan.js';
import type { ReportEnvelope } from '../../store.js';
import { inTransaction, type Sql, type TransactionSql } from '../connection.js';
import { pgCarrierParts } from './carrierParts.js';
import { isLowercaseUuid } from '../../../domain/messageUuid.js';

interface StateRow {
  uuid: string;
  account_id: number;
  channel_type: string;
  status: string;
  error_code: number | null;
  total_parts: number;
  reserved: number;
  price_total: number | null;
  price_currency: string | null;
  price_parts: number | null;
  price_final: boolean | null;
  callback_url: string | null;
  callback_events: string | null;
  short_url: boolean | null;
  created_at: number;
  sent_at: number | null;
  status_at: number;
  message_time: number;
  expires_at: number | null;
  due_at: number | null;
  connector: string | null;
  currency: string;
  billing_enabled: boolean;
}

/**
 * The messages the reports are about, with their account's billing, locked in uuid order (two appliers of
 * overlapping batches wait for each other instead of deadlocking; a claim skips them).
 */
const lockAndLoad = (tx: TransactionSql, uuids: string[]) => tx<StateRow[]>`
  select m.uuid, m.account_id, m.channel_type, m.status, m.error_code, m.total_parts, m.reserved, m.price_total,
    m.price_currency, m.price_parts, m.price_final, m.callback_url, m.callback_events, m.short_url, m.created_at,
    m.sent_at, m.status_at, m.message_time, m.expires_at, m.due_at, m.connector, a.currency, a.billing_enabled
  from messages m join accounts a on a.id = m.account_id
  where m.uuid = any(${uuids}::uuid[])
  order by m.uuid
  for update of m`;

/**
 * Writes back every message the batch changed, with its final state; the lease ends with the report
 * (a hand-off that changed nothing also gives its lease back). The `= any` finds the rows by primary key
 * (joined with the unnest alone, the planner may scan the whole table).
 */
const update = (tx: TransactionSql, rows: StateRow[]) => tx`
  update messages m set status = v.status, error_code = v.error_code, status_at = v.status_at, sent_at = v.sent_at,
    message_time = v.message_time, reserved = v.reserved, price_total = v.price_total, price_currency = v.price_currency,
    price_parts = v.price_parts, price_final = v.price_final::boolean, due_at = v.due_at, connector = v.connector,
    lease_owner = null, lease_until = null
  from unnest(
    ${rows.map((r) => r.uuid)}::uuid[], ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.error_code)}::int[],
    ${rows.map((r) => r.status_at)}::bigint[], ${rows.map((r) => r.sent_at)}::bigint[], ${rows.map((r) => r.message_time)}::bigint[],
    ${rows.map((r) => r.reserved)}::bigint[], ${rows.map((r) => r.price_total)}::bigint[], ${rows.map((r) => r.price_currency)}::text[],
    ${rows.map((r) => r.price_parts)}::int[], ${rows.map((r) => (r.price_final === null ? null : r.price_final ? 't' : 'f'))}::text[],
    ${rows.map((r) => r.due_at)}::bigint[], ${rows.map((r) => r.connector)}::text[]
  ) as v (uuid, status, error_code, status_at, sent_at, message_time, reserved, price_total, price_currency, price_parts,
    price_final, due_at, connector)
  where m.uuid = v.uuid and m.uuid = any(${rows.map((r) => r.uuid)}::uuid[])`;

interface Note {
  uuid: string;
  at: number;
  kind: string;
  detail: string;
}

/** One timeline row per report, in report order, in one statement. */
const addNotes = (tx: TransactionSql, notes: Note[]) => tx`
  insert into message_events (message_uuid, at, kind, detail)
  select * from unnest(${notes.map((n) => n.uuid)}::uuid[], ${notes.map((n) => n.at)}::bigint[],
    ${notes.map((n) => n.kind)}::text[], ${notes.map((n) => n.detail)}::text[])`;

interface OutboxRow {
  accountId: number;
  uuid: string;
  url: string | null;
  payload: string;
}

/** The callback events the changes cause, in the same transaction as the changes (the outbox). */
const addCallbackEvents = (tx: TransactionSql, rows: OutboxRow[], now: number) => tx`
  insert into callback_events (account_id, message_uuid, url, payload, created_at)
  select a, u, url, p, ${now}::bigint
  from unnest(${rows.map((r) => r.accountId)}::bigint[], ${rows.map((r) => r.uuid)}::uuid[],
    ${rows.map((r) => r.url)}::text[], ${rows.map((r) => r.payload)}::text[]) as e (a, u, url, p)`;

/** Money moves in the statement, never read-modify-write in JS: concurrent appliers on other nodes lose nothing. */
const moveMoney = (tx: TransactionSql, accountId: number, balance: number, reserved: number) => tx`
  update accounts set balance = balance + ${balance}::bigint, reserved = reserved + ${reserved}::bigint where id = ${accountId}`;

const originalUrls = (tx: TransactionSql, uuids: string[], urls: string[]) => tx<{ message_uuid: string; short_url: string; url: string }[]>`
  select s.message_uuid, s.short_url, s.url
  from unnest(${uuids}::uuid[], ${urls}::text[]) as q (message_uuid, short_url)
  join short_links s on s.message_uuid = q.message_uuid and s.short_url = q.short_url
  where s.message_uuid = any(${uuids}::uuid[])`;

export type ApplyReports = (reports: ReportEnvelope[], now: number, tx?: TransactionSql) => Promise<void>;

/**
 * Applies reports in one transaction (in `tx` when given, e.g. a stop's): status changes (domain/lifecycle),
 * money (domain/reportPlan), one timeline row per report, and the callback events they cause, written to the
 * outbox in the same transaction as the change (DESIGN.md: nothing is sent that is not in the outbox first).
 *
 * The reports are worked out in order exactly as SQLite does them one by one, but on rows read and locked
 * up front in a few statements and kept in memory; the results are then written with one statement per table.
 */
export function pgApplyReports(sql: Sql): ApplyReports {
  return async (reports, now, tx) => {
    if (reports.length === 0) return;
    if (tx) return applyIn(tx, reports, now);
    return inTransaction(sql, (own) => applyIn(own, reports, now));
  };
}

async function applyIn(tx: TransactionSql, reports: ReportEnvelope[], now: number): Promise<void> {
  const parts = pgCarrierParts(tx, now);
  const rows = new Map<string, StateRow | null>();
  const changed = new Set<StateRow>();
  const notes: Note[] = [];
  const outbox: OutboxRow[] = [];
  const accountDeltas = new Map<number, { balance: number; reserved: number }>();
  const clickUrls = new Map<string, string | null>();

  const load = async (uuids: string[]) => {
    const wanted = [...new Set(uuids)].filter((uuid) => isLowercaseUuid(uuid) && !rows.has(uuid));
    if (wanted.length === 0) return;
    for (const uuid of wanted) rows.set(uuid, null);
    for (const row of await lockAndLoad(tx, wanted)) rows.set(row.uuid, numbers(row));
  };

  const loadClicks = async (pairs: { uuid: string; url: string }[]) => {
    const wanted = pairs.filter((p) => isLowercaseUuid(p.uuid) && !clickUrls.has(`${p.uuid} ${p.url}`));
    if (wanted.length === 0) return;
    for (const p of wanted) clickUrls.set(`${p.uuid} ${p.url}`, null);
    const found = await originalUrls(tx, wanted.map((p) => p.uuid), wanted.map((p) => p.url));
    for (const row of found) clickUrls.set(`${row.message_uuid} ${row.short_url}`, row.url);
  };

  /** A click reported on a short link is about the original URL (spec §11.4). */
  const clickOnOriginalUrl = async (report: Report, uuid: string): Promise<Report> => {
    if (report.kind !== 'click') return report;
    await loadClicks([{ uuid, url: report.url }]);
    return { ...report, url: clickUrls.get(`${uuid} ${report.url}`) ?? report.url };
  };

  const applyOne = async (envelope: ReportEnvelope): Promise<void> => {
    const target = await parts.resolve(envelope);
    if (!target) return;
    const { uuid } = target;
    await load([uuid]);
    const row = rows.get(uuid);
    if (!row) return;
    const report = await parts.messageReport(uuid, target.part, await clickOnOriginalUrl(envelope.report, uuid));
    if (report === null) {
      const detail = JSON.stringify({ source: envelope.source, part: target.part, detail: envelope.detail });
      notes.push({ uuid, at: envelope.report.at, kind: `part_${envelope.report.kind}`, detail });
      return;
    }
    const plan = planReport(toState(uuid, row), report);
    notes.push({ uuid, at: report.at, kind: report.kind, detail: JSON.stringify(timelineDetail(envelope, report, plan, row.status)) });
    if (plan.changes.length === 0) {
      if (envelope.handoff) changed.add(row);
    } else {
      const last = plan.changes[plan.changes.length - 1]!;
      const sentAt = plan.sentAt ?? row.sent_at;
      row.status = plan.status;
      row.error_code = plan.errorCode ?? null;
      row.status_at = last.at;
      row.sent_at = sentAt;
      row.message_time = plan.status === 'unsent' ? last.at : (sentAt ?? row.created_at);
      row.reserved = plan.reserved;
      row.price_total = plan.price?.total ?? null;
      row.price_currency = plan.price?.currency ?? null;
      row.price_parts = plan.price?.parts ?? null;
      row.price_final = plan.price === null ? null : plan.price.final;
      row.due_at = plan.watchExpiry ? row.expires_at : null;
      row.connector = envelope.handoff?.connector ?? row.connector;
      changed.add(row);
    }
    for (const payload of plan.callbacks) {
      outbox.push({ accountId: row.account_id, uuid, url: row.callback_url, payload: JSON.stringify(payload) });
    }
    if (plan.balanceDelta !== 0 || plan.reservedDelta !== 0) {
      const delta = accountDeltas.get(row.account_id) ?? { balance: 0, reserved: 0 };
      delta.balance += plan.balanceDelta;
      delta.reserved += plan.reservedDelta;
      accountDeltas.set(row.account_id, delta);
    }
    // Reports that came before this hand-off was recorded (an early receipt) apply now, in order.
    if (envelope.handoff && plan.status === 'sent') {
      for (const early of await parts.recordHandoff(uuid, envelope.handoff)) await applyOne(early);
    }
  };

  // Read and lock everything the batch names up front: carrier ids first, then messages, then their parts and links.
  const resolved = await parts.prefetch(reports);
  await load([...reports.flatMap((e) => (e.uuid === undefined ? [] : [e.uuid])), ...resolved]);
  const multipart = reports.flatMap((e) => (e.handoff && e.handoff.carrierRefs.length > 1 && e.uuid !== undefined ? [e.uuid] : []));
  const partReports = reports.some((e) => e.uuid === undefined && (e.report.kind === 'delivered' || e.report.kind === 'undelivered'));
  await Promise.all([
    parts.loadParts([...multipart, ...(partReports ? resolved : [])].filter((uuid) => rows.get(uuid))),
    loadClicks(reports.flatMap((e) => (e.report.kind === 'click' && e.uuid !== undefined ? [{ uuid: e.uuid, url: e.report.url }] : []))),
  ]);

  for (const envelope of reports) await applyOne(envelope);

  // Written in this order on the one connection (pipelined); accounts last and in id order, so the hot account
  // rows are held as briefly as possible and always locked in the same order.
  const writes: Promise<unknown>[] = [];
  if (changed.size > 0) writes.push(update(tx, [...changed]));
  if (notes.length > 0) writes.push(addNotes(tx, notes));
  if (outbox.length > 0) writes.push(addCallbackEvents(tx, outbox, now));
  writes.push(...parts.flush());
  for (const [accountId, delta] of [...accountDeltas].sort(([a], [b]) => a - b)) {
    if (delta.balance !== 0 || delta.reserved !== 0) writes.push(moveMoney(tx, accountId, delta.balance, delta.reserved));
  }
  await Promise.all(writes);
}


/** int8 columns arrive as numbers through connectPostgres; any other pool gives strings. */
function numbers(row: StateRow): StateRow {
  const orNull = (value: number | null) => (value === null ? null : Number(value));
  return {
    ...row,
    account_id: Number(row.account_id),
    reserved: Number(row.reserved),
    price_total: orNull(row.price_total),
    created_at: Number(row.created_at),
    sent_at: orNull(row.sent_at),
    status_at: Number(row.status_at),
    message_time: Number(row.message_time),
    expires_at: orNull(row.expires_at),
    due_at: orNull(row.due_at),
  };
}

function toState(uuid: string, row: StateRow): MessageState {
  return {
    uuid,
    channelType: row.channel_type as Channel,
    status: row.status as Status,
    totalParts: row.total_parts,
    reserved: row.reserved,
    price:
      row.price_total === null
        ? null
        : { total: row.price_total, currency: row.price_currency!, parts: row.price_parts!, final: row.price_final === true },
    currency: row.currency,
    billingEnabled: row.billing_enabled,
    callbackUrl: row.callback_url,
    callbackEvents: row.callback_events === null ? null : (JSON.parse(row.callback_events) as CallbackEvent[]),
    shortUrl: row.short_url,
  };
}
