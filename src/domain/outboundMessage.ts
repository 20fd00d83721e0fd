import type { Channel } from './channels.js';
import type { MessageContent } from './message.js';

/** A message on its way out: what a connector needs to hand it to a network. */
export interface OutboundMessage {
  uuid: string;
  accountId: number;
  channelType: Channel;
  senderName: string;
  destination: string;
  content: MessageContent;
  totalParts: number;
  /** End of the message's lifetime, epoch ms (becomes e.g. the SMPP validity period). */
  expiresAt: number;
}

/** A message already handed off, given back to its connector after a restart (e.g. to re-arm timers). */
export interface InFlightMessage extends OutboundMessage {
  sentAt: number;
  status: 'sent' | 'delivered';
}
