/**
 * "Force what happens next" (issue #15, the sandbox): which outcome a sandbox user may force on a message now, and
 * the carrier report that stands for it. A forced outcome is an ordinary report (lifecycle.ts), applied by the same
 * fold as a real one, so these rules only say when forcing it is faithful: an outcome the network could still report
 * for that message, on that channel, in that status. Pure.
 *
 * | action    | valid when                                                                                   | report                  |
 * |-----------|----------------------------------------------------------------------------------------------|-------------------------|
 * | deliver   | `sent`, on a platform that reports delivery (not a VK community)                             | delivered               |
 * | undeliver | `sent`; the code one the channel's network gives with `undelivered` (§13), default per channel | undelivered             |
 * | read      | WHATSAPP, VK: `delivered`, or `sent` (a read that overtakes its delivery: `delivered` first)   | read                    |
 * | unread    | WHATSAPP, VK: `delivered`, or `sent` on a platform without delivery reports (a VK community) | unread                  |
 * | click     | handed off (`sentTime` set), `shortUrl` on and the text has a short link                     | click                   |
 * | expire    | what the engine's expiry changes (§5.7): `sending`, `sent`, `delivered` on WHATSAPP and VK    | expired                 |
 *
 * Inbound messages have no delivery: nothing can be forced on them. A message still `sending` must be handed off
 * before the network can say anything about it; only its lifetime can end.
 */
import type { Channel, Direction, Status } from './channels.js';
import { hasReadReceipts, statusChanges, type Report } from './lifecycle.js';

export const SANDBOX_ACTIONS = ['deliver', 'undeliver', 'read', 'unread', 'click', 'expire'] as const;
export type SandboxAction = (typeof SANDBOX_ACTIONS)[number];

/** What the rules look at. */
export interface ForceTarget {
  direction: Direction;
  channelType: Channel;
  status: Status;
  sentAt: number | null;
  shortUrl: boolean | null;
  /** Whether the platform the message was handed to reports delivery (deliveryReports.ts); true before hand-off. */
  reportsDelivery: boolean;
  /** The short URLs in the message's text (shortLinks.ts linksIn on the stored text). */
  shortLinks: readonly string[];
}

export type ActionCheck = { ok: true } | { ok: false; reason: string };

const SMS_CODES = [11, 127, 453, 454, 455, 456, 457, 458, 501, 502, 503, 504, 505, 506, 508, 509, 510];
const VOICECODE_CODES = [127, 501, 601, 602, 603, 604];
/** A flash call is blocked like an SMS (453, 454: "SMS, FLASHCALL"). */
const FLASHCALL_CODES = [127, 453, 454, 501, 601, 602, 603, 604];
const MESSENGER_CODES = [127, 612, 613, 615];

/** The §13 codes that go with `undelivered` on each channel (127 on all: the end of the lifetime). */
export const UNDELIVERED_CODES_BY_CHANNEL: Readonly<Record<Channel, readonly number[]>> = {
  SMS: SMS_CODES,
  VOICECODE: VOICECODE_CODES,
  FLASHCALL: FLASHCALL_CODES,
  WHATSAPP: MESSENGER_CODES,
  VK: MESSENGER_CODES,
};

/**
 * The code of an undeliver that names none: SMS 501 (unknown subscriber, the commonest failed receipt); calls 602
 * (no answer); messengers 612 (the destination has no account on the platform).
 */
export const DEFAULT_UNDELIVERED_CODE: Readonly<Record<Channel, number>> = { SMS: 501, VOICECODE: 602, FLASHCALL: 602, WHATSAPP: 612, VK: 612 };

export function isUndeliveredCode(channel: Channel, code: number): boolean {
  return UNDELIVERED_CODES_BY_CHANNEL[channel].includes(code);
}

const no = (reason: string): ActionCheck => ({ ok: false, reason });
const YES: ActionCheck = { ok: true };

/** Whether `action` can be forced on the message now; if not, why (for the 409). */
export function checkSandboxAction(action: SandboxAction, target: ForceTarget): ActionCheck {
  const { status, channelType } = target;
  if (target.direction === 'inbound') return no('an inbound message has no delivery to force');
  const messenger = hasReadReceipts(channelType);
  switch (action) {
    case 'deliver':
      if (status !== 'sent') return no(`deliver needs status sent; the message is ${status}`);
      if (!target.reportsDelivery) return no('the platform this message was handed to never reports delivery (a VK community): force read, unread or expire');
      return YES;
    case 'undeliver':
      return status === 'sent' ? YES : no(`undeliver needs status sent; the message is ${status}`);
    case 'read':
      if (!messenger) return no(`${channelType} has no read reports (WHATSAPP and VK only)`);
      return status === 'sent' || status === 'delivered' ? YES : no(`read needs status sent or delivered; the message is ${status}`);
    case 'unread':
      if (!messenger) return no(`${channelType} has no read reports (WHATSAPP and VK only)`);
      if (status === 'delivered' || (status === 'sent' && !target.reportsDelivery)) return YES;
      return no(`unread needs status delivered${target.reportsDelivery ? '' : ' or sent'}; the message is ${status}`);
    case 'click':
      if (target.shortUrl !== true) return no('the message was sent without shortUrl: it has no short link to click');
      if (target.shortLinks.length === 0) return no('the message has no link that was shortened');
      if (target.sentAt === null) return no(`the message was never handed off (status ${status}): nobody has its link`);
      return YES;
    case 'expire':
      if (statusChanges(status, channelType, { kind: 'expired', at: 0 }, target.reportsDelivery).length === 0) {
        return no(`the end of the lifetime changes nothing for a ${channelType} message that is ${status}`);
      }
      return YES;
  }
}

/** The carrier report a forced action stands for. `errorCode` (undeliver) and `url` (click) were checked by the caller. */
export function sandboxReport(action: SandboxAction, at: number, channel: Channel, options: { errorCode?: number; url?: string } = {}): Report {
  switch (action) {
    case 'deliver':
      return { kind: 'delivered', at };
    case 'undeliver':
      return { kind: 'undelivered', at, errorCode: options.errorCode ?? DEFAULT_UNDELIVERED_CODE[channel] };
    case 'read':
      return { kind: 'read', at };
    case 'unread':
      return { kind: 'unread', at };
    case 'click':
      return { kind: 'click', at, url: options.url ?? '' };
    case 'expire':
      return { kind: 'expired', at };
  }
}

/** The `source` of a forced report's timeline row (timelineDetail.ts): how the console and the events tell it from a real one. */
export const SANDBOX_SOURCE = 'sandbox';
