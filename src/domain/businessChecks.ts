import { CHANNELS_NEEDING_APPROVED_SENDER, type Channel, type TrafficType } from './channels.js';
import type { Units } from './money.js';

/** Item codes of business rejections (spec §5.6), in the order they are checked. */
export const REJECTIONS = {
  channelNotEnabled: { code: 4032, msg: 'Channel not enabled' },
  senderNotApproved: { code: 4031, msg: 'Sender not approved' },
  destinationBlocked: { code: 4033, msg: 'Destination blocked' },
  insufficientFunds: { code: 4020, msg: 'Insufficient funds' },
} as const;
export type Rejection = (typeof REJECTIONS)[keyof typeof REJECTIONS];

/** What the business checks need to know about the account, loaded once per batch. */
export interface BusinessContext {
  disabledChannels: ReadonlySet<Channel>;
  /** Key: `${channel}\u0000${senderName}` → the sender's traffic type, for senders approved and started by now. */
  approvedSenders: ReadonlyMap<string, TrafficType | null>;
  blockedDestinations: ReadonlySet<string>;
  billingEnabled: boolean;
  /** Available balance before this batch; consumed in request order. */
  available: Units;
}

export function senderKey(channel: Channel, name: string): string {
  return `${channel}\u0000${name}`;
}

export type BusinessDecision = { accepted: true; trafficType: TrafficType } | { accepted: false; rejection: Rejection };

/**
 * Decides one item and, when it is accepted, consumes its price from `context.available`.
 * Call in request order: earlier items reserve before later ones are checked.
 */
export function decideItem(
  context: BusinessContext,
  item: { channelType: Channel; senderName: string; destination: string },
  price: Units,
): BusinessDecision {
  if (context.disabledChannels.has(item.channelType)) return { accepted: false, rejection: REJECTIONS.channelNotEnabled };
  const registered = context.approvedSenders.get(senderKey(item.channelType, item.senderName));
  if (CHANNELS_NEEDING_APPROVED_SENDER.includes(item.channelType) && registered === undefined) {
    return { accepted: false, rejection: REJECTIONS.senderNotApproved };
  }
  if (context.blockedDestinations.has(item.destination)) return { accepted: false, rejection: REJECTIONS.destinationBlocked };
  if (context.billingEnabled) {
    if (context.available < price) return { accepted: false, rejection: REJECTIONS.insufficientFunds };
    context.available -= price;
  }
  return { accepted: true, trafficType: trafficTypeFor(item.channelType, registered ?? null) };
}

/** §12.3: voice channels are AUTHORIZE; others take the sender's registered type, or SERVICE. */
export function trafficTypeFor(channel: Channel, registered: TrafficType | null): TrafficType {
  if (channel === 'VOICECODE' || channel === 'FLASHCALL') return 'AUTHORIZE';
  return registered ?? 'SERVICE';
}
