import type { Status } from './channels.js';
import { reportsDelivery } from './deliveryReports.js';
import { clickCallback, priceCallback, statusCallback, type CallbackPayload, type CallbackTarget } from './callbackPayloads.js';
import { statusChanges, watchesExpiry, type Report, type StatusChange } from './lifecycle.js';
import type { Units } from './money.js';

export interface PriceState {
  total: Units;
  currency: string;
  parts: number;
  final: boolean;
}

/** What applying a report needs to know about the message, loaded by the store in its transaction. */
export interface MessageState extends CallbackTarget {
  status: Status;
  totalParts: number;
  reserved: Units;
  price: PriceState | null;
  /** The account's. */
  currency: string;
  billingEnabled: boolean;
  /** The name its hand-off was recorded under, once handed off (domain/deliveryReports.ts). */
  connector?: string | null;
}

/** Everything a report changes, for the store to write in one transaction with the outbox. */
export interface ReportPlan {
  changes: StatusChange[];
  status: Status;
  errorCode: number | null | undefined;
  sentAt: number | undefined;
  price: PriceState | null;
  reserved: Units;
  /** Booked balance change (negative = charged). */
  balanceDelta: Units;
  /** Change of the account's total reservations. */
  reservedDelta: Units;
  callbacks: CallbackPayload[];
  /** Whether the engine must still watch the message's lifetime end. */
  watchExpiry: boolean;
}

/**
 * Money follows the status (spec §8.3 Pricing, §5.6): the reservation is settled at hand-off, where the
 * price is set with final=false; it is confirmed final with the final status; an unsent message is
 * refunded and never priced.
 */
export function planReport(state: MessageState, report: Report): ReportPlan {
  const changes = statusChanges(state.status, state.channelType, report, reportsDelivery(state.connector));
  const plan: ReportPlan = {
    changes,
    status: state.status,
    errorCode: undefined,
    sentAt: undefined,
    price: state.price,
    reserved: state.reserved,
    balanceDelta: 0,
    reservedDelta: 0,
    callbacks: [],
    watchExpiry: watchesExpiry(state.status, state.channelType),
  };
  const addCallback = (payload: CallbackPayload | null) => payload && plan.callbacks.push(payload);

  for (const change of changes) {
    plan.status = change.status;
    plan.errorCode = change.errorCode;
    addCallback(statusCallback(state, change));
    if (change.status === 'sent' && report.kind === 'sent') {
      plan.sentAt = change.at;
      plan.price = { total: report.price, currency: state.currency, parts: state.totalParts, final: false };
      plan.balanceDelta = state.billingEnabled ? -report.price : 0;
      plan.reservedDelta = -state.reserved;
      plan.reserved = 0;
      addCallback(priceCallback(state, plan.price, change.at));
    } else if (change.status === 'unsent') {
      plan.reservedDelta = -state.reserved;
      plan.reserved = 0;
    } else if ((change.status === 'delivered' || change.status === 'undelivered') && plan.price && !plan.price.final) {
      // The platform's own price, when its report names one, replaces the one charged at hand-off.
      const total = 'price' in report && report.price !== undefined ? report.price : plan.price.total;
      if (state.billingEnabled) plan.balanceDelta += plan.price.total - total;
      plan.price = { ...plan.price, total, final: true };
      addCallback(priceCallback(state, plan.price, change.at));
    }
  }
  if (report.kind === 'click') addCallback(clickCallback(state, report.url, report.at));
  plan.watchExpiry = watchesExpiry(plan.status, state.channelType);
  return plan;
}
