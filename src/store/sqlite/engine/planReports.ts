import type Database from 'better-sqlite3';
import { timelineDetail } from '../../timelineDetail.js';
import type { CallbackEvent, Channel, Status } from '../../../domain/channels.js';
import type { Report } from '../../../domain/lifecycle.js';
import { planReport, type MessageState } from '../../../domain/reportPlan.js';
import { sqliteCarrierParts } from './carrierParts.js';
import type { OutboxEvent } from '../outboxWrites.js';
import type { ReportEnvelope } from '../../store.js';
import type { ClaimedStates } from './claimedStates.js';

interface StateRow {
  rowid: number;
  account_id: number;
  channel_type: string;
  status: string;
  total_parts: number;
  reserved: number;
  price_total: number | null;
  price_currency: string | null;
  price_parts: number | null;
  price_final: number | null;
  callback_url: string | null;
  /** Parsed once per transaction, not once per report. */
  callback_events: CallbackEvent[] | null;
  short_url: number | null;
  created_at: number;
  sent_at: number | null;
  expires_at: number | null;
}

/** What planning reads of a message, in this order (LoadedRow). */
export const STATE_COLUMNS = `rowid, account_id, channel_type, status, total_parts, reserved, price_total, price_currency,
  price_parts, price_final, callback_url, callback_events, short_url, created_at, sent_at, expires_at`;

export const STATE_COLUMN_COUNT = STATE_COLUMNS.split(',').length;

// Read as an array: cheaper than a row object, for a thousand rows a round.
const LOAD = `select ${STATE_COLUMNS} from messages where uuid = ?`;

/** STATE_COLUMNS' values in order. */
export type LoadedRow = [
  number, number, string, string, number, number, number | null, string | null,
  number | null, number | null, string | null, string | null, number | null, number, number | null, number | null,
];

function stateRow(r: LoadedRow): StateRow {
  return {
    rowid: r[0],
    account_id: r[1],
    channel_type: r[2],
    status: r[3],
    total_parts: r[4],
    reserved: r[5],
    price_total: r[6],
    price_currency: r[7],
    price_parts: r[8],
    price_final: r[9],
    callback_url: r[10],
    callback_events: r[11] === null ? null : (JSON.parse(r[11]) as CallbackEvent[]),
    short_url: r[12],
    created_at: r[13],
    sent_at: r[14],
    expires_at: r[15],
  };
}

/** A message as the reports leave it, written once at the end. */
export interface Touched {
  row: StateRow;
  /** As it was read: the write expects to find it unchanged. */
  before: { status: string; reserved: number; priceTotal: number | null; priceFinal: number | null };
  /** Set when its status changed: the columns that are not in the row. */
  write: { errorCode: number | null; statusAt: number; messageTime: number; dueAt: number | null } | null;
  /** A hand-off ends the claim even when it changes nothing (the message was stopped meanwhile). */
  releaseLease: boolean;
  connector: string | null;
}

/** Everything a list of reports changes, worked out before it is written. */
export interface ReportsPlan {
  /** Each message the reports are about: a message with several reports (hand-off and an instant receipt) is read once and written once. */
  touched: Map<string, Touched>;
  /** Timeline rows, in the order of the reports. */
  notes: [uuid: string, at: number, kind: string, detail: string][];
  /** Callback events per account and URL, in order: full deliveries are formed at once. */
  callbacks: Map<string, { accountId: number; url: string; events: OutboxEvent[] }>;
  accountDeltas: Map<number, { balance: number; reserved: number }>;
}

/**
 * A report needs nothing but reads to plan when it names its message and adds no network ids: the planner
 * then writes nothing, and may run outside the write lock. Other reports (a receipt found by its network id,
 * a part of a multipart message, a hand-off with ids that early receipts may wait for) read and write the
 * carrier tables as they are planned, so they are planned inside the transaction.
 */
export function plannedByReadsOnly(envelope: ReportEnvelope): boolean {
  return envelope.uuid !== undefined && (envelope.handoff === undefined || envelope.handoff.carrierRefs.length === 0);
}

/** Works out, report by report in order, what the reports change (domain/lifecycle, domain/reportPlan). */
export function sqlitePlanReports(db: Database.Database) {
  const load = db.prepare<[string], LoadedRow>(LOAD).raw();
  const account = db.prepare<[number], AccountBilling>('select currency, billing_enabled from accounts where id = ?');
  const originalUrl = db.prepare<[string, string], { url: string }>('select url from short_links where message_uuid = ? and short_url = ?');
  const parts = sqliteCarrierParts(db);

  /** `claimed`: states the claim kept, read instead of the rows; only for a plan whose write checks them. */
  return (reports: ReportEnvelope[], now: number, claimed?: ClaimedStates): ReportsPlan => {
    const accounts = new Map<number, AccountBilling>();
    const result: ReportsPlan = { touched: new Map(), notes: [], callbacks: new Map(), accountDeltas: new Map() };
    const { touched, notes, callbacks, accountDeltas } = result;
    const applyOne = (envelope: ReportEnvelope): void => {
      const target = parts.resolve(envelope, now);
      if (!target) return;
      const { uuid } = target;
      let message = touched.get(uuid);
      if (!message) {
        const loaded = claimed?.take(uuid) ?? load.get(uuid);
        if (!loaded) return;
        const row = stateRow(loaded);
        const before = { status: row.status, reserved: row.reserved, priceTotal: row.price_total, priceFinal: row.price_final };
        touched.set(uuid, (message = { row, before, write: null, releaseLease: false, connector: null }));
      }
      const { row } = message;
      const report = parts.messageReport(uuid, target.part, clickOnOriginalUrl(envelope.report, uuid));
      if (report === null) {
        const detail = JSON.stringify({ source: envelope.source, part: target.part, detail: envelope.detail });
        notes.push([uuid, envelope.report.at, `part_${envelope.report.kind}`, detail]);
        return;
      }
      let billing = accounts.get(row.account_id);
      if (!billing) accounts.set(row.account_id, (billing = account.get(row.account_id)!));
      const plan = planReport(toState(uuid, row, billing), report);
      notes.push([uuid, report.at, report.kind, JSON.stringify(timelineDetail(envelope, report, plan, row.status))]);
      if (envelope.handoff) {
        message.releaseLease = true;
        message.connector = envelope.handoff.connector;
      }
      if (plan.changes.length > 0) {
        const last = plan.changes[plan.changes.length - 1]!;
        row.status = plan.status;
        row.sent_at = plan.sentAt ?? row.sent_at;
        row.reserved = plan.reserved;
        row.price_total = plan.price?.total ?? null;
        row.price_currency = plan.price?.currency ?? null;
        row.price_parts = plan.price?.parts ?? null;
        row.price_final = plan.price === null ? null : plan.price.final ? 1 : 0;
        message.write = {
          errorCode: plan.errorCode ?? null,
          statusAt: last.at,
          messageTime: plan.status === 'unsent' ? last.at : (row.sent_at ?? row.created_at),
          dueAt: plan.watchExpiry ? row.expires_at : null,
        };
      }
      if (plan.callbacks.length > 0) {
        const url = row.callback_url!;
        const key = `${row.account_id} ${url}`;
        let group = callbacks.get(key);
        if (!group) callbacks.set(key, (group = { accountId: row.account_id, url, events: [] }));
        for (const payload of plan.callbacks) group.events.push({ message_uuid: uuid, payload: JSON.stringify(payload) });
      }
      if (plan.balanceDelta !== 0 || plan.reservedDelta !== 0) {
        const delta = accountDeltas.get(row.account_id) ?? { balance: 0, reserved: 0 };
        delta.balance += plan.balanceDelta;
        delta.reserved += plan.reservedDelta;
        accountDeltas.set(row.account_id, delta);
      }
      // Reports that came before this hand-off was recorded (an early receipt) apply now, in order.
      if (envelope.handoff && plan.status === 'sent') {
        for (const early of parts.recordHandoff(uuid, envelope.handoff)) applyOne(early);
      }
    };

    /** A click reported on a short link is about the original URL (spec §11.4). */
    const clickOnOriginalUrl = (report: Report, uuid: string): Report =>
      report.kind === 'click' ? { ...report, url: originalUrl.get(uuid, report.url)?.url ?? report.url } : report;

    for (const envelope of reports) applyOne(envelope);
    return result;
  };
}

interface AccountBilling {
  currency: string;
  billing_enabled: number;
}

function toState(uuid: string, row: StateRow, account: AccountBilling): MessageState {
  return {
    uuid,
    channelType: row.channel_type as Channel,
    status: row.status as Status,
    totalParts: row.total_parts,
    reserved: row.reserved,
    price:
      row.price_total === null
        ? null
        : { total: row.price_total, currency: row.price_currency!, parts: row.price_parts!, final: row.price_final === 1 },
    currency: account.currency,
    billingEnabled: account.billing_enabled === 1,
    callbackUrl: row.callback_url,
    callbackEvents: row.callback_events,
    shortUrl: row.short_url === null ? null : row.short_url === 1,
  };
}
