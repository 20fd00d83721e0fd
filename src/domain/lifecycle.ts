import type { Channel, Status } from './channels.js';
import { isFinal } from './statuses.js';

/** Something that happened to a message, as the engine or a connector reports it. */
export type Report =
  /** Handed off to the network (spec "hand-off"): price in units of the account's currency. */
  | { kind: 'sent'; at: number; price: number }
  /** Not handed off: refused, stopped (606) or expired before hand-off (605). */
  | { kind: 'unsent'; at: number; errorCode: number }
  /** `price`: what the platform says the message costs, when it says so with its outcome (WhatsApp's pricing). */
  | { kind: 'delivered'; at: number; price?: number }
  | { kind: 'undelivered'; at: number; errorCode: number | null; price?: number }
  | { kind: 'read'; at: number; price?: number }
  | { kind: 'unread'; at: number }
  /** The lifetime ended (spec §5.7); what it means depends on the status at that moment. */
  | { kind: 'expired'; at: number }
  /** A short link of the message was followed: no status change, a `click` callback. */
  | { kind: 'click'; at: number; url: string };

export interface StatusChange {
  status: Status;
  at: number;
  errorCode: number | null;
}

/** Error codes of the gateway itself (spec §13). */
export const ERROR_CODES = {
  statusTimeout: 127,
  expiredBeforeSending: 605,
  stopped: 606,
  /** smpp-interface.md §5. */
  concatenationIncomplete: 616,
} as const;

const MESSENGERS: readonly Channel[] = ['WHATSAPP', 'VK'];

export function hasReadReceipts(channel: Channel): boolean {
  return MESSENGERS.includes(channel);
}

/**
 * The status changes a report causes (spec §7): statuses never go backwards; reports after a final
 * status are ignored except read/unread after delivered on messengers; a read report that overtakes
 * its delivery report records `delivered` first, except on a platform that never reports delivery
 * (`reportsDelivery` false: domain/deliveryReports.ts), where `sent` is the last status before read or unread, and
 * the end of the lifetime is `unread`.
 */
export function statusChanges(current: Status, channel: Channel, report: Report, reportsDelivery = true): StatusChange[] {
  const change = (status: Status, errorCode: number | null = null): StatusChange => ({ status, at: report.at, errorCode });
  const messenger = hasReadReceipts(channel);
  switch (report.kind) {
    case 'sent':
      return current === 'sending' ? [change('sent')] : [];
    case 'unsent':
      return current === 'sending' ? [change('unsent', report.errorCode)] : [];
    case 'delivered':
      return current === 'sent' ? [change('delivered')] : [];
    case 'undelivered':
      return current === 'sent' ? [change('undelivered', report.errorCode)] : [];
    case 'read':
    case 'unread':
      if (!messenger) return [];
      if (current === 'sent') return reportsDelivery ? [change('delivered'), change(report.kind)] : [change(report.kind)];
      return current === 'delivered' ? [change(report.kind)] : [];
    case 'click':
      return [];
    case 'expired':
      if (current === 'sending') return [change('unsent', ERROR_CODES.expiredBeforeSending)];
      if (current === 'sent') return messenger && !reportsDelivery ? [change('unread')] : [change('undelivered', ERROR_CODES.statusTimeout)];
      if (current === 'delivered' && messenger) return [change('unread')];
      return [];
  }
}

/** A message still waiting for something the engine must watch: its lifetime's end. */
export function watchesExpiry(status: Status, channel: Channel): boolean {
  return status === 'sent' || (status === 'delivered' && hasReadReceipts(channel));
}

export { isFinal };
