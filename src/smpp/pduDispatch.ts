/**
 * The PDU traffic of one SMPP connection: requests numbered and matched to their responses, the SMSC's requests
 * answered (enquire_link, unbind, deliver_sm / data_sm; generic_nack ESME_RINVCMDID for anything else), and the
 * writes of one tick sent together in one buffer. It knows nothing of binding or submit windows (session.ts,
 * submitWindow.ts); the session makes one per connection, so late events of an old socket reach an old dispatch.
 */
import smpp from 'smpp';
import { COMMAND, ESME_RINVCMDID, ESME_RINVCMDLEN, ESME_ROK, ESME_RX_T_APPN, RESPONSE_BIT } from './commandCodes.js';
import { readDeliverSm, type DeliverSmFields } from './deliverSm.js';
import { PduFramer, readHeader, type PduHeader } from './pduFraming.js';

export interface InboundPdu {
  command: 'deliver_sm' | 'data_sm';
  fields: DeliverSmFields;
}

/** The socket calls the dispatch makes (a net.Socket or tls.TLSSocket; a stand-in in unit tests). */
export interface PduSocket {
  readonly writable: boolean;
  write(data: Buffer): unknown;
  end(): unknown;
  destroy(): unknown;
}

export type PduLog = (level: 'info' | 'warn', detail: object, message: string) => void;

export interface PduDispatchHandlers {
  /** A deliver_sm / data_sm; returns the command_status of its response (0 = ESME_ROK). */
  onDeliver(pdu: InboundPdu): number;
  /** The SMSC unbinds: answered already; the connection is being closed. */
  onUnbind(): void;
  log: PduLog;
}

export interface RequestHandlers {
  onResponse(raw: Buffer, header: PduHeader): void;
  /** The response will never come (the connection went). */
  onLost(reason: string): void;
}

interface PendingRequest extends RequestHandlers {
  command: string;
  sentAt: number;
}

const MAX_SEQUENCE = 0x7fffffff;
const DELIVER_SM_RESP_OK = new smpp.PDU('deliver_sm_resp', { message_id: '' }).toBuffer();
const DATA_SM_RESP_OK = new smpp.PDU('data_sm_resp', { message_id: '' }).toBuffer();
/** How long a graceful close waits for the peer to close its side. */
export const CLOSE_WAIT_MS = 1_000;

const now = (): number => performance.now();

export class PduDispatch {
  /** When the SMSC last sent anything (drives enquire_link). */
  lastReceivedAt = now();
  private readonly framer = new PduFramer();
  private nextSequence = 1;
  /** By sequence number; insertion order is send order (timeouts are checked from the oldest). */
  private readonly pending = new Map<number, PendingRequest>();
  /** PDUs written in this tick, sent together on the next. */
  private readonly outbox: Buffer[] = [];
  private closed = false;

  constructor(
    private readonly socket: PduSocket,
    private readonly handlers: PduDispatchHandlers,
  ) {}

  /** Socket data: framed, then each PDU dispatched. A stream that cannot be framed is answered and closed. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    let pdus: Buffer[];
    try {
      pdus = this.framer.push(chunk);
    } catch (error) {
      // The stream cannot be framed any more: say so (SMPP 3.4 generic_nack ESME_RINVCMDLEN) and start over.
      const sequence = (error as { sequence?: number }).sequence ?? 0;
      this.respond(new smpp.PDU('generic_nack', { sequence_number: sequence, command_status: ESME_RINVCMDLEN }));
      this.handlers.log('warn', { reason: (error as Error).message }, 'SMPP stream cannot be framed: closing');
      this.closeGracefully();
      return;
    }
    this.lastReceivedAt = now();
    for (const raw of pdus) {
      if (this.closed) return;
      this.dispatch(raw);
    }
  }

  /** Numbers and writes a request; its handlers get the response, or the reason it will never come. */
  request(raw: Buffer, command: string, handlers: RequestHandlers): void {
    let sequence = this.nextSequence;
    while (this.pending.has(sequence)) sequence = sequence >= MAX_SEQUENCE ? 1 : sequence + 1;
    this.nextSequence = sequence >= MAX_SEQUENCE ? 1 : sequence + 1;
    raw.writeUInt32BE(sequence, 12);
    this.pending.set(sequence, { command, sentAt: now(), ...handlers });
    this.write(raw);
  }

  /** The oldest request unanswered for longer than timeoutMs (an unbind may wait: the close cuts it). */
  overdueRequest(at: number, timeoutMs: number): { sequence: number; command: string } | undefined {
    for (const [sequence, request] of this.pending) {
      if (at - request.sentAt <= timeoutMs) return undefined;
      if (request.command === 'unbind') continue;
      return { sequence, command: request.command };
    }
    return undefined;
  }

  /** The connection is gone: every unanswered request is told, and nothing more is read. */
  connectionClosed(): void {
    this.closed = true;
    const lost = [...this.pending.values()];
    this.pending.clear();
    for (const request of lost) request.onLost(`connection lost before ${request.command}_resp`);
  }

  /** Sends what this tick wrote now rather than on the next tick. */
  flush(): void {
    if (this.outbox.length === 0) return;
    const out = this.outbox.splice(0);
    if (this.socket.writable) this.socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
  }

  /** What is written goes out first, then FIN; a peer that does not close its side in time is cut. */
  closeGracefully(): void {
    this.flush();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_WAIT_MS).unref();
  }

  private dispatch(raw: Buffer): void {
    const header = readHeader(raw);
    if (header.commandId & RESPONSE_BIT) {
      const pending = this.pending.get(header.sequenceNumber);
      if (!pending) return; // an answer to nothing (e.g. after our timeout): nothing to do
      this.pending.delete(header.sequenceNumber);
      pending.onResponse(raw, header);
      return;
    }
    switch (header.commandId) {
      case COMMAND.deliver_sm:
        return this.answerDeliver(raw, header, 'deliver_sm');
      case COMMAND.data_sm:
        return this.answerDeliver(raw, header, 'data_sm');
      case COMMAND.enquire_link:
        return this.respond(new smpp.PDU('enquire_link_resp', { sequence_number: header.sequenceNumber }));
      case COMMAND.unbind:
        this.respond(new smpp.PDU('unbind_resp', { sequence_number: header.sequenceNumber }));
        this.handlers.onUnbind();
        this.closeGracefully();
        return;
      case COMMAND.alert_notification:
      case COMMAND.outbind:
        return; // no response exists for these
      default:
        this.respond(new smpp.PDU('generic_nack', { sequence_number: header.sequenceNumber, command_status: ESME_RINVCMDID }));
    }
  }

  private answerDeliver(raw: Buffer, header: PduHeader, command: 'deliver_sm' | 'data_sm'): void {
    let fields: DeliverSmFields;
    try {
      fields = readDeliverSm(raw, command);
    } catch (error) {
      this.handlers.log('warn', { err: (error as Error).message, sequence: header.sequenceNumber }, `unreadable ${command}`);
      this.respond(new smpp.PDU('generic_nack', { sequence_number: header.sequenceNumber, command_status: ESME_RINVCMDLEN }));
      return;
    }
    let status: number;
    try {
      status = this.handlers.onDeliver({ command, fields });
    } catch (error) {
      // Not taken in: a temporary error makes the SMSC deliver it again later.
      this.handlers.log('warn', { err: (error as Error).message }, `${command} not taken in`);
      status = ESME_RX_T_APPN;
    }
    if (status === ESME_ROK) {
      // The same 17 octets every time but for the sequence number: encoded once by the library, then copied.
      const response = Buffer.from(command === 'deliver_sm' ? DELIVER_SM_RESP_OK : DATA_SM_RESP_OK);
      response.writeUInt32BE(header.sequenceNumber, 12);
      if (this.socket.writable) this.write(response);
    } else {
      this.respond(new smpp.PDU(`${command}_resp`, { sequence_number: header.sequenceNumber, command_status: status }));
    }
  }

  private respond(pdu: smpp.PDU): void {
    if (this.socket.writable) this.write(pdu.toBuffer());
  }

  /** Writes are gathered until the next tick: a burst of submits or responses leaves in one buffer, one system call. */
  private write(raw: Buffer): void {
    if (this.outbox.length === 0) process.nextTick(() => this.flush());
    this.outbox.push(raw);
  }
}
