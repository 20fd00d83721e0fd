/**
 * What the SMSC session server (smscServer.ts, smscSession.ts) asks of its owner, the door, and what it tells it.
 * The server only speaks SMPP; every decision (who may bind, what a submit becomes) is the door's.
 */
import type { SmppLogger } from '../session.js';
import type { PduFields } from './pduFields.js';
import type { BindType } from './smscCommands.js';
import type { ThroughputGate } from './throughputGate.js';

export type { BindType, PduFields, SmppLogger };

/** Timers of spec §1, in milliseconds (tests shorten them). */
export interface SmscTimers {
  /** No bind within this long of connecting → close. */
  bindTimeoutMs: number;
  /** This long without a PDU from a bound ESME → the server sends enquire_link. */
  idleMs: number;
  /** No response to the server's enquire_link / deliver_sm within this long → close / lost. */
  responseTimeoutMs: number;
}

export const DEFAULT_SMSC_TIMERS: Readonly<SmscTimers> = { bindTimeoutMs: 30_000, idleMs: 60_000, responseTimeoutMs: 30_000 };

/** A well-formed bind with a supported interface_version, for the door's §2 checks. */
export interface BindRequest {
  systemId: string;
  password: string;
  systemType: string;
  bindType: BindType;
  /** As the socket reports it (an IPv4 client of a dual-stack listener reads `::ffff:a.b.c.d`). */
  remoteAddress: string;
  interfaceVersion: number;
  addressRange: string;
}

export type BindDecision =
  | {
      ok: true;
      /** The door's own record of the bind (e.g. its SmppUser); kept on the session as `user`. */
      user: unknown;
      /** Unanswered submits the session reads at most (≥ 1), and unanswered deliver_sm it sends at most. */
      window: number;
      /** submit_sm / data_sm per second; 0 = no limit. */
      throughput: number;
      /** The gate of that rate, when the door shares one between sessions (a user's); else the session has its own. */
      gate?: ThroughputGate;
    }
  | { ok: false; status: number };

/** A request the door answers: submit_sm / data_sm (→ `submit`), query_sm, cancel_sm. */
export interface SmscRequest {
  command: 'submit_sm' | 'data_sm' | 'query_sm' | 'cancel_sm';
  sequenceNumber: number;
  /** The PDU's octets as received. */
  raw: Buffer;
  /** Its fields as on the wire (pduFields.ts): short_message a Buffer, times as strings. */
  fields: PduFields;
}

/** The door's answer: the response's command_status and, on success, its body (`message_id`, query_sm's fields). */
export interface SmscAnswer {
  status: number;
  messageId?: string;
  fields?: PduFields;
}


/** What a deliver_sm came to: its deliver_sm_resp's command_status, or lost (closed, or no resp in time). */
export type DeliverOutcome = { status: number } | { lost: true };

export interface SessionCounters {
  /** submit_sm / data_sm read from the ESME. */
  submitsReceived: number;
  /** Their responses written, any status. */
  submitsAnswered: number;
  /** Those answered with a status other than ESME_ROK (throttled, not transmitter-capable, refused by the door). */
  submitsRefused: number;
  deliversSent: number;
  /** deliver_sm answered (any status). */
  deliversAcked: number;
  /** deliver_sm without an answer: the session closed or the answer did not come in time. */
  deliversLost: number;
}

export type SmscSessionState = 'open' | 'binding' | 'bound' | 'unbinding' | 'closing' | 'closed';

/** A snapshot of one session, for metrics and the operator. */
export interface SessionInfo {
  id: number;
  state: SmscSessionState;
  systemId: string | null;
  bindType: BindType | null;
  remoteAddress: string;
  remotePort: number;
  tls: boolean;
  /** Epoch ms. */
  connectedAt: number;
  boundAt: number | null;
  window: number;
  throughput: number;
  submitsInFlight: number;
  deliversInFlight: number;
  deliversQueued: number;
  counters: SessionCounters;
}
