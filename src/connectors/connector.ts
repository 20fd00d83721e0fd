/*
 * Folder rule. Protocol code that knows nothing of the gateway's policy lives in one folder per protocol:
 * `src/smpp/` (PDUs, session state machine, submit window, GSM 7, segmentation, receipts), `src/sip/` (messages,
 * transactions, the outgoing call, digest, SDP), `src/whatsapp/` (the Cloud API's payloads, signature, calls),
 * `src/media/`, `src/voice/`. A connector folder (`connectors/<name>/`)
 * holds only what turns gateway messages into protocol actions and protocol outcomes into reports: the connector,
 * its settings and its mapping of errors to spec codes. Protocol folders never import from `connectors/`.
 */
import type { InboundMessage } from '../domain/inboundMessage.js';
import type { InFlightMessage, OutboundMessage } from '../domain/outboundMessage.js';

// The messages a connector is given and gives back are the domain's.
export type { InboundMessage, InFlightMessage, OutboundMessage };

/*
 * The connector port (DESIGN.md): a connector hands messages to a network and reports late outcomes
 * through an event stream. It never writes messages; the engine records everything. A connector that needs state
 * shared by every node beside the messages (WhatsApp's templates, windows and paused senders) is given a view of
 * just that, typed in its own folder.
 */

/** What a hand-off came to. */
export type HandoffResult =
  /**
   * Handed to the network: the message is `sent`. `carrierRefs` lets late reports find it again: one entry
   * per part the network accepted (an SMS may have several), each the lookup keys of that part's network id
   * (several notations of one id, e.g. hex and decimal; the exact text first). `price`: the connector's own
   * price of this hand-off, in units of the account's currency (WhatsApp: by template category and country);
   * without it, the price table's. `via`: the name the hand-off is recorded under (its carrier refs, the message's
   * connector), when it is not the connector's own: a connector that reaches platforms with other rules (VK's
   * communities report no delivery: domain/deliveryReports.ts).
   */
  | { kind: 'sent'; carrierRefs?: string[][]; detail?: string; price?: number; via?: string }
  /**
   * The network took the message and said at once that it cannot be delivered (WhatsApp: no account on the
   * platform): `sent`, at no price, then `undelivered` with this code (§13).
   */
  | { kind: 'undelivered'; errorCode: number; detail?: string }
  /** Refused before hand-off: the message is `unsent` with this code (§13). */
  | { kind: 'refused'; errorCode: number; detail?: string }
  /** Temporarily impossible (throttled, no capacity): stays `sending`, tried again later. */
  | { kind: 'retry'; afterMs: number; detail?: string };

export type CarrierEventKind = 'delivered' | 'undelivered' | 'read' | 'unread' | 'click';

/**
 * A late outcome reported by the network, after hand-off, naming the message by its uuid or by the network's
 * id of one of its parts (the lookup keys of that id, as in HandoffResult). A report for a part the gateway
 * does not know yet (it may arrive before the submit's answer) is kept and applied when the part is known.
 */
export interface CarrierEvent {
  uuid?: string;
  carrierRefKeys?: string[];
  kind: CarrierEventKind;
  /** Epoch ms when it happened. */
  at: number;
  errorCode?: number;
  /** For clicks: the original URL. */
  url?: string;
  /** Free text for the timeline (e.g. the carrier's raw answer). */
  detail?: string;
}

export interface ConnectorEvents {
  report(event: CarrierEvent): void;
  inbound(message: InboundMessage): void;
}

export interface Connector {
  readonly name: string;
  start(emit: ConnectorEvents): Promise<void>;
  send(message: OutboundMessage): Promise<HandoffResult>;
  /**
   * For a platform that takes many messages in one request (a VK provider): hands them over at once, answering one
   * result per message, in order. The engine gives such a connector its due messages of a round in groups of at
   * most `maxBatch` instead of one `send` each.
   */
  sendBatch?(messages: OutboundMessage[]): Promise<HandoffResult[]>;
  readonly maxBatch?: number;
  /**
   * Whether the connector is still working on a handed-off message (a call in progress). The engine does not
   * expire such a message: the call runs to completion and its outcome sets the status (spec §5.7).
   */
  isBusyWith?(uuid: string): boolean;
  /**
   * For a connector whose outcomes live only in its process (the simulator): a message handed off longer
   * ago than this without its outcome was handed off by a process that died, and is given to resume().
   */
  readonly orphanedAfterMs?: number;
  /** Called once at start for messages this connector handed off before the process stopped. */
  resume?(messages: InFlightMessage[]): void;
  stop(): Promise<void>;
}
