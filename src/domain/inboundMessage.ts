import type { Channel } from './channels.js';

/** A message a subscriber sent to us (mobile-originated), e.g. an SMS received on an SMPP bind. */
export interface InboundMessage {
  channelType: Channel;
  /** The subscriber's number, digits only. */
  from: string;
  /** The address it was sent to (our number or sender name). */
  to: string;
  text: string;
  at: number;
  /** Which account receives it, when the connector's configuration says so. */
  accountName: string | null;
  /**
   * The platform's id of the message (WhatsApp's wamid), when it has one: a platform that delivers it again (a
   * webhook retried) gives the same stored message, never a second one.
   */
  platformId?: string;
}
