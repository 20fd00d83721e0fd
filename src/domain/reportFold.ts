import type { Status } from './channels.js';
import type { Report } from './lifecycle.js';
import { planReport, type MessageState } from './reportPlan.js';
import type { ReportEnvelope } from './reportEnvelope.js';
import { RoundParts, type CarrierWrites, type PartReads } from './roundParts.js';
import { timelineDetail } from './timelineDetail.js';
import { receiptChanges } from './smppReceipts.js';
import type { ReceiptRequest } from './smppRules.js';

/** A message as a store holds it, as far as reports are concerned. */
export interface StoredMessageState extends MessageState {
  accountId: number;
  createdAt: number;
  sentAt: number | null;
  expiresAt: number | null;
  /** Set for a message submitted over SMPP (store.ts SmppOrigin): the user its receipts go to, and which it asked for. */
  smppUserId?: number | null;
  smppReceipts?: ReceiptRequest | null;
}

/** What a round of reports reads; each store answers from its tables (SQLite: statements; PostgreSQL: what it prefetched). */
export interface FoldReads<S extends StoredMessageState> extends PartReads {
  /**
   * The message, with its account's currency and billing; undefined when there is none. The fold changes the
   * object it is given: a store that keeps what it read (to fold a round again) gives a copy.
   */
  message(uuid: string): S | undefined;
  /** The URL a short link of the message stands for, when it is one. */
  originalUrl(uuid: string, shortUrl: string): string | undefined;
}

/** A message as the round leaves it. */
export interface FoldedMessage<S extends StoredMessageState> {
  /** What the reports change, as it was read: a compare-and-set write expects to find it so. */
  read: { status: Status; reserved: number };
  /** As the reports leave it (the object the store gave, changed). */
  state: S;
  /** Set when its status changed: what is written beside the state. */
  change: { errorCode: number | null; statusAt: number; messageTime: number; dueAt: number | null } | null;
  /** A hand-off ends the claim even when it changes nothing (the message was stopped meanwhile). */
  releaseLease: boolean;
  /** The connector of its hand-off, if the round has one. */
  connector: string | null;
}

/** A timeline row, in the order of the table's columns (a thousand a round: an array costs less than an object). */
export type TimelineNote = [uuid: string, at: number, kind: string, detail: string];

/** One callback event for the outbox, in the order the reports caused them. */
export interface CallbackRow {
  accountId: number;
  uuid: string;
  url: string;
  payload: string;
}

/** A delivery receipt owed to an SMPP client (smpp-interface.md §4), for the SMPP outbox: one per message, sent per part. */
export interface SmppReceiptRow {
  accountId: number;
  smppUserId: number;
  uuid: string;
  status: Status;
  errorCode: number | null;
  at: number;
}

/** Everything a round of reports changes, for the store to write in one transaction (outbox included). */
export interface ReportsFold<S extends StoredMessageState> {
  /** Each message the reports are about, read once and written once. */
  messages: Map<string, FoldedMessage<S>>;
  /** One timeline row per report, in report order. */
  notes: TimelineNote[];
  callbacks: CallbackRow[];
  /** Receipts owed to SMPP clients, written in the same transaction as the changes that cause them. */
  smppReceipts: SmppReceiptRow[];
  /** Balance and reservation changes per account, to add in the statement (never read-modify-write). */
  accountDeltas: Map<number, { balance: number; reserved: number }>;
  carrier: CarrierWrites;
}

/**
 * Works out, report by report in order, what a round of reports changes (spec §7 statuses, §8.3 money, §11
 * callbacks; domain/lifecycle and domain/reportPlan): a report that names a part finds its message through the
 * network id, a multipart message settles when its parts do, and reports that came before their hand-off was
 * recorded apply right after it. Pure: it only reads through `reads`; the store writes the result.
 */
export function foldReports<S extends StoredMessageState>(reports: readonly ReportEnvelope[], reads: FoldReads<S>): ReportsFold<S> {
  const parts = new RoundParts(reads);
  const messages = new Map<string, FoldedMessage<S>>();
  const notes: TimelineNote[] = [];
  const callbacks: CallbackRow[] = [];
  const smppReceipts: SmppReceiptRow[] = [];
  const accountDeltas = new Map<number, { balance: number; reserved: number }>();

  const applyOne = (envelope: ReportEnvelope): void => {
    const target = parts.resolve(envelope);
    if (!target) return;
    const { uuid } = target;
    let message = messages.get(uuid);
    if (!message) {
      const state = reads.message(uuid);
      if (!state) return;
      const read = { status: state.status, reserved: state.reserved };
      messages.set(uuid, (message = { read, state, change: null, releaseLease: false, connector: null }));
    }
    const { state } = message;
    const report = parts.messageReport(uuid, target.part, onOriginalUrl(envelope.report, uuid, reads));
    if (report === null) {
      const detail = JSON.stringify({ source: envelope.source, part: target.part, detail: envelope.detail });
      notes.push([uuid, envelope.report.at, `part_${envelope.report.kind}`, detail]);
      return;
    }
    const plan = planReport(state, report);
    notes.push([uuid, report.at, report.kind, JSON.stringify(timelineDetail(envelope, report, plan, state.status))]);
    if (envelope.handoff) {
      message.releaseLease = true;
      message.connector = envelope.handoff.connector;
    }
    if (state.smppUserId != null && state.smppReceipts) {
      for (const change of receiptChanges(state.smppReceipts, state.status, plan.changes)) {
        smppReceipts.push({ accountId: state.accountId, smppUserId: state.smppUserId, uuid, status: change.status, errorCode: change.errorCode ?? null, at: change.at });
      }
    }
    if (plan.changes.length > 0) {
      const last = plan.changes[plan.changes.length - 1]!;
      state.status = plan.status;
      state.sentAt = plan.sentAt ?? state.sentAt;
      state.reserved = plan.reserved;
      state.price = plan.price;
      message.change = {
        errorCode: plan.errorCode ?? null,
        statusAt: last.at,
        messageTime: plan.status === 'unsent' ? last.at : (state.sentAt ?? state.createdAt),
        dueAt: plan.watchExpiry ? state.expiresAt : null,
      };
    }
    for (const payload of plan.callbacks) {
      callbacks.push({ accountId: state.accountId, uuid, url: state.callbackUrl!, payload: JSON.stringify(payload) });
    }
    if (plan.balanceDelta !== 0 || plan.reservedDelta !== 0) {
      const delta = accountDeltas.get(state.accountId) ?? { balance: 0, reserved: 0 };
      delta.balance += plan.balanceDelta;
      delta.reserved += plan.reservedDelta;
      accountDeltas.set(state.accountId, delta);
    }
    // Reports that came before this hand-off was recorded (an early receipt) apply now, in order.
    if (envelope.handoff && plan.status === 'sent') {
      state.connector = envelope.handoff.connector;
      for (const early of parts.recordHandoff(uuid, envelope.handoff)) applyOne(early);
    }
  };

  for (const envelope of reports) applyOne(envelope);
  return { messages, notes, callbacks, smppReceipts, accountDeltas, carrier: parts.finish() };
}

/** A click reported on a short link is about the original URL (spec §11.4). */
function onOriginalUrl(report: Report, uuid: string, reads: FoldReads<StoredMessageState>): Report {
  if (report.kind !== 'click') return report;
  return { ...report, url: reads.originalUrl(uuid, report.url) ?? report.url };
}
