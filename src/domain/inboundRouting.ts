import type { Channel } from './channels.js';

/*
 * Which account receives a message a subscriber sent (inbound, spec Open point 2). The connector may name the account
 * (an SMSC's `inboundAccount`); otherwise the address it was sent to must be the approved sender name of exactly one
 * account on that channel. Anything else is never guessed: the message goes to the operator's unmatched list.
 */

/** Channels whose messages can come in (SMPP delivers SMS, webhooks WHATSAPP); on these a sender name must have a single owner. */
export const INBOUND_CHANNELS: readonly Channel[] = ['SMS', 'WHATSAPP'];

export type UnmatchedReason =
  /** The connector named an account that does not exist. */
  | 'unknown-account'
  /** No account has the address as an approved sender name. */
  | 'no-sender'
  /** Several accounts have it (approved before the rule below, or directly in the database). */
  | 'shared-sender';

export type InboundOwner = { accountId: number } | { unmatched: UnmatchedReason; candidates: string[] };

export interface AccountRef {
  id: number;
  name: string;
}

/**
 * `named`: the account the connector names (null: none named), with what the store found for it.
 * `senderOwners`: the accounts whose approved sender on the message's channel is the address it was sent to.
 */
export function inboundOwner(named: { name: string; found: AccountRef | null } | null, senderOwners: readonly AccountRef[]): InboundOwner {
  if (named !== null) return named.found ? { accountId: named.found.id } : { unmatched: 'unknown-account', candidates: [named.name] };
  if (senderOwners.length === 1) return { accountId: senderOwners[0]!.id };
  return senderOwners.length === 0 ? { unmatched: 'no-sender', candidates: [] } : { unmatched: 'shared-sender', candidates: senderOwners.map((a) => a.name) };
}

/** A message that reached no account, kept for the operator (`direct-gateway inbound unmatched`). */
export interface UnmatchedInbound {
  id: number;
  channelType: Channel;
  from: string;
  to: string;
  text: string;
  receivedAt: number;
  reason: UnmatchedReason;
  /** unknown-account: the name the connector gave; shared-sender: the accounts that share the address. */
  candidates: string[];
}

/**
 * Whether inbound messages of the channel can be routed by sender name: yes unless every receiver of them names the
 * account that gets them (`receivers`: for SMS every SMSC, for WHATSAPP the numbers configured with that sender
 * name). None configured counts as yes (one may be added later, and the approval stays).
 */
export function routesInboundBySenderName(channel: Channel, receivers: readonly { inboundAccount: string | null }[]): boolean {
  if (!INBOUND_CHANNELS.includes(channel)) return false;
  return receivers.length === 0 || receivers.some((receiver) => receiver.inboundAccount === null);
}

/**
 * Why the approval of `name` was refused: `otherOwners` (other accounts) already have it on the channel, and inbound
 * messages route by sender name (routesInboundBySenderName), so they would have no single owner. Says what settles it.
 */
export function sharedSenderRefusal(channel: Channel, name: string, otherOwners: readonly string[]): string {
  return (
    `${channel} sender "${name}" is already approved for account ${otherOwners.join(', ')}: inbound ${channel} sent to it would have ` +
    `no single owner. Use another name, or ${channel === 'WHATSAPP' ? 'set whatsapp.senders[].inboundAccount for it so that the number decides' : 'set smpp.smscs[].inboundAccount on every SMSC so that the SMSC decides'}`
  );
}
