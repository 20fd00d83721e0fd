import type { Channel } from '../domain/channels.js';
import type { MessageContent } from '../domain/message.js';

/**
 * The connector port (DESIGN.md): a connector hands messages to a network and reports late outcomes
 * through an event stream. It never touches the store; the engine records everything.
 */
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

export type HandoffResult =
  /** Handed to the network: the message is `sent`. `carrierRef` lets late reports find it again. */
  | { kind: 'sent'; carrierRef?: string; detail?: string }
  /** Refused before hand-off: the message is `unsent` with this code (§13). */
  | { kind: 'refused'; errorCode: number; detail?: string }
  /** Temporarily impossible (throttled, no capacity): stays `sending`, tried again later. */
  | { kind: 'retry'; afterMs: number; detail?: string };

export type CarrierEventKind = 'delivered' | 'undelivered' | 'read' | 'unread' | 'click';

/** A late outcome reported by the network, after hand-off. */
export interface CarrierEvent {
  uuid: string;
  kind: CarrierEventKind;
  /** Epoch ms when it happened. */
  at: number;
  errorCode?: number;
  /** For clicks: the original URL. */
  url?: string;
  /** Free text for the timeline (e.g. the carrier's raw answer). */
  detail?: string;
}

/** A message already handed off, given back to its connector after a restart (e.g. to re-arm timers). */
export interface InFlightMessage extends OutboundMessage {
  sentAt: number;
  status: 'sent' | 'delivered';
  carrierRef: string | null;
}

export interface Connector {
  readonly name: string;
  start(emit: (event: CarrierEvent) => void): Promise<void>;
  send(message: OutboundMessage): Promise<HandoffResult>;
  /** Called once at start for messages this connector handed off before the process stopped. */
  resume?(messages: InFlightMessage[]): void;
  stop(): Promise<void>;
}
