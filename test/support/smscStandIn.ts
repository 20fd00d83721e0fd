/**
 * An SMSC stand-in for tests and the bench, on the `smpp` library's SERVER side, over real TCP (or TLS).
 *
 *   const smsc = new SmscStandIn({ systemId: 'gw', password: 'pw' });
 *   const { port, close } = await smsc.start();        // port 0 = any free port
 *   smsc.throttleNext(3);                               // the next 3 submit_sm get ESME_RTHROTTLED
 *   await smsc.waitForSubmits(5);
 *   smsc.submits[0].text, smsc.submitsTo('79261234567'), smsc.pdus, smsc.violations
 *
 * What it does, like an SMSC:
 * - bind_transceiver / bind_transmitter / bind_receiver with the configured system_id and password
 *   (wrong system_id → ESME_RINVSYSID, wrong password → ESME_RINVPASWD, bound twice → ESME_RALYBND);
 *   submit_sm on an unbound or receiver-only bind → ESME_RINVBNDSTS;
 * - submit_sm answered with a message_id, decimal or hex (`messageIdNotation`);
 * - a delivery receipt (deliver_sm, esm_class 0x04) per accepted submit that asked for one (registered_delivery
 *   bits 1–0: 1 always, 2 on failure only), with the Appendix B text and/or the receipted_message_id +
 *   message_state TLVs, on the submitting bind if it can receive, else on another receiver bind of the same
 *   system_id, else kept until one binds;
 * - enquire_link answered; unbind answered then the connection closed; unknown commands → generic_nack.
 *
 * Scripting: `throttleNext` / `failNext` (an error status for the next N submits), `throughputLimit` (per
 * connection, per second), `responseDelayMs`, `hold()` / `release()` (keep submit responses back, to fill
 * the client's window), `dropAfter(n)` (leave the next n submits unanswered, then cut the connection: a
 * disconnect mid-window), receipts with any stat/err (a `receipts` policy, or `sendReceipt`), an EARLY receipt
 * (sent before its submit_sm_resp), `sendMo` (an inbound deliver_sm), `unbindAll`, `disconnectAll`.
 *
 * Recording (for assertions): every PDU both ways with its raw octets and decoded fields (`pdus`), every
 * submit_sm read from its raw octets (`submits`), submits per destination, the client's largest number of
 * unanswered submits (`maxOutstanding`), and SMPP 3.4 rule breaks by the client (`violations`): bind
 * interface_version ≠ 0x34, a reused or non-increasing sequence number, a response to nothing, sm_length > 254,
 * short_message together with message_payload, data_coding 0 octets above 0x7F (packed or not GSM), a bad UDH.
 * `record: false` keeps only the counters (for the bench).
 *
 * Events: 'connection' (ConnectionInfo), 'bind' (BindRecord), 'submit' (SubmitRecord), 'submitResponse'
 * ({ submit, status }), 'receipt' (ReceiptRecord, when its deliver_sm_resp arrives), 'moResponse',
 * 'enquireLink', 'unbind', 'disconnect' (ConnectionInfo), 'pdu' (RecordedPdu, when recording).
 */
import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import smpp from 'smpp';
import { chooseEncoding } from '../../src/domain/smsParts.js';
import { toGsm7Septets } from '../../src/smpp/gsm7.js';
import { decodeShortMessage, encodeUcs2, type ConcatenationInfo } from '../../src/smpp/segmentation.js';

type Session = smpp.Session;
type PDU = smpp.PDU;

export const ESME = {
  ROK: 0x00,
  RINVMSGLEN: 0x01,
  RINVCMDID: 0x03,
  RINVBNDSTS: 0x04,
  RALYBND: 0x05,
  RSYSERR: 0x08,
  RINVSRCADR: 0x0a,
  RINVDSTADR: 0x0b,
  RBINDFAIL: 0x0d,
  RINVPASWD: 0x0e,
  RINVSYSID: 0x0f,
  RMSGQFUL: 0x14,
  RSUBMITFAIL: 0x45,
  RTHROTTLED: 0x58,
} as const;

/** message_state values (SMPP 3.4 §5.2.28), kept here so the stand-in does not borrow the code under test. */
const MESSAGE_STATE: Record<string, number> = {
  ENROUTE: 1,
  DELIVRD: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIV: 5,
  ACCEPTD: 6,
  UNKNOWN: 7,
  REJECTD: 8,
};

const TLV = { receipted_message_id: 0x001e, message_payload: 0x0424, sar_msg_ref_num: 0x020c, sar_total_segments: 0x020e, sar_segment_seqnum: 0x020f, message_state: 0x0427, network_error_code: 0x0423 };

export type BindMode = 'transceiver' | 'transmitter' | 'receiver';

export interface ReceiptPlan {
  /** `stat:` and message_state; any string (unknown ones get no message_state TLV). Default DELIVRD. */
  stat?: string;
  /** `err:`; a number is written with 3 digits. null leaves the field out. Default 0 → `err:000`. */
  err?: number | string | null;
  /** After the submit_sm_resp (or, when early, after the submit). Default 0. */
  delayMs?: number;
  /** Send the receipt BEFORE the submit_sm_resp, which follows `earlyByMs` later (default 20). */
  early?: boolean;
  earlyByMs?: number;
  /** Appendix B text in short_message. Default true. */
  inText?: boolean;
  /** The text in message_payload instead of short_message. */
  inPayload?: boolean;
  /** receipted_message_id + message_state TLVs. Default true. */
  tlv?: boolean;
  /** Notation of `id:` in the text: as in submit_sm_resp ('same', default), or decimal / hex of the same number. */
  textIdNotation?: 'same' | 'decimal' | 'hex';
  /** Zero-pad the text id to this many characters (Appendix B shows 10). */
  textIdWidth?: number;
  /** The text id in lowercase (hex). */
  textIdLowercase?: boolean;
  /** network_error_code TLV. */
  networkErrorCode?: { networkType: number; code: number };
  /** The whole receipt text, replacing the generated one (for odd real-world variants). */
  text?: string | ((fields: ReceiptTextContext) => string);
}

export interface ReceiptTextContext {
  textId: string;
  stat: string;
  err: string | null;
  submitDate: string;
  doneDate: string;
  submit: SubmitRecord;
}

export type ReceiptPolicy = ReceiptPlan | ((submit: SubmitRecord) => ReceiptPlan | null);

export interface SmscStandInOptions {
  systemId?: string;
  password?: string;
  /** system_id this SMSC gives in bind responses. */
  smscSystemId?: string;
  /** message_id in submit_sm_resp: decimal (default) or upper-case hex. */
  messageIdNotation?: 'decimal' | 'hex';
  /** The first message id's number. Default 1000. */
  firstMessageId?: number;
  /** Delay of every submit_sm_resp, ms. */
  responseDelayMs?: number;
  /** Automatic receipts; false for none. Default: DELIVRD at once. */
  receipts?: ReceiptPolicy | false;
  /** Per-connection submit_sm per second; over it → ESME_RTHROTTLED. */
  throughputLimit?: number;
  /** Answer enquire_link (default true); false to test the client's keep-alive timeout. */
  answerEnquireLink?: boolean;
  /** Record PDUs and submits (default true); counters are always kept. */
  record?: boolean;
  /** TLS: the `smpp` library serves TLS when given key and cert. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface ConnectionInfo {
  id: number;
  remotePort: number | undefined;
  systemId?: string;
  mode?: BindMode;
  bound: boolean;
  closed: boolean;
}

export interface BindRecord {
  connectionId: number;
  mode: BindMode;
  systemId: string;
  password: string;
  systemType: string;
  interfaceVersion: number;
  status: number;
}

export interface SubmitRecord {
  connectionId: number;
  sequenceNumber: number;
  receivedAt: number;
  serviceType: string;
  sourceTon: number;
  sourceNpi: number;
  sourceAddr: string;
  destTon: number;
  destNpi: number;
  destinationAddr: string;
  esmClass: number;
  protocolId: number;
  priorityFlag: number;
  scheduleDeliveryTime: string;
  validityPeriod: string;
  registeredDelivery: number;
  replaceIfPresent: number;
  dataCoding: number;
  smDefaultMsgId: number;
  /** short_message octets, exactly as received (UDH included). */
  shortMessage: Buffer;
  /** Every TLV, raw, by tag. */
  tlvs: Map<number, Buffer>;
  /** The text, decoded by data_coding from message_payload if present, else short_message (UDH stripped). */
  text: string;
  udh?: Buffer;
  concatenation?: ConcatenationInfo;
  sar?: { reference: number; total: number; seq: number };
  /** The text as the `smpp` library decodes it (an independent reading). */
  libraryText: string | undefined;
  /** Set when answered: the command_status, and the message_id when accepted. */
  status?: number;
  messageId?: string;
}

export interface ReceiptRecord {
  messageId: string;
  connectionId: number;
  sequenceNumber: number;
  text: string;
  stat: string;
  early: boolean;
  /** command_status of the client's deliver_sm_resp; undefined until it arrives. */
  responseStatus?: number;
}

export interface RecordedPdu {
  at: number;
  connectionId: number;
  direction: 'in' | 'out';
  command: string;
  commandId: number;
  commandStatus: number;
  sequenceNumber: number;
  raw: Buffer;
  fields: Record<string, unknown>;
}

interface Connection {
  info: ConnectionInfo;
  session: Session;
  lastClientSeq: number;
  /** Client requests not yet answered, by sequence number. */
  unanswered: Set<number>;
  /** Client submit_sm not yet answered (the client's window as we see it). */
  unansweredSubmits: Set<number>;
  /** Our requests waiting for the client's response. */
  awaiting: Map<number, { resolve: (pdu: PDU) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>;
  rateWindowStart: number;
  rateCount: number;
  /** Raw octets read for the PDU being parsed. */
  readChunks: Buffer[];
}

interface PendingReceipt {
  systemId: string;
  preferred: number;
  pdu: Record<string, unknown>;
  record: Omit<ReceiptRecord, 'connectionId' | 'sequenceNumber'>;
}

const two = (n: number): string => String(n).padStart(2, '0');
/** Appendix B date, YYMMDDhhmm, UTC. */
export function receiptDate(epochMs: number): string {
  const d = new Date(epochMs);
  return two(d.getUTCFullYear() % 100) + two(d.getUTCMonth() + 1) + two(d.getUTCDate()) + two(d.getUTCHours()) + two(d.getUTCMinutes());
}

export class SmscStandIn extends EventEmitter {
  readonly options: Required<Omit<SmscStandInOptions, 'tls' | 'throughputLimit'>> & Pick<SmscStandInOptions, 'tls' | 'throughputLimit'>;
  port = 0;
  readonly pdus: RecordedPdu[] = [];
  readonly submits: SubmitRecord[] = [];
  readonly binds: BindRecord[] = [];
  readonly receipts: ReceiptRecord[] = [];
  readonly violations: string[] = [];
  /** Accepted submits per destination_addr. */
  readonly acceptedPerDestination = new Map<string, number>();
  submitCount = 0;
  acceptedCount = 0;
  /** The largest number of submit_sm a client had unanswered at once on one connection. */
  maxOutstanding = 0;

  private server: smpp.Server | undefined;
  private readonly connections = new Map<number, Connection>();
  private nextConnectionId = 1;
  private nextMessageNumber: number;
  private readonly scripted: { status: number; remaining: number }[] = [];
  private dropRemaining = 0;
  private held: (() => void)[] | null = null;
  private readonly pendingReceipts: PendingReceipt[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly byMessageId = new Map<string, SubmitRecord>();

  constructor(options: SmscStandInOptions = {}) {
    super();
    this.options = {
      systemId: options.systemId ?? 'test',
      password: options.password ?? 'secret',
      smscSystemId: options.smscSystemId ?? 'standin',
      messageIdNotation: options.messageIdNotation ?? 'decimal',
      firstMessageId: options.firstMessageId ?? 1000,
      responseDelayMs: options.responseDelayMs ?? 0,
      receipts: options.receipts ?? {},
      answerEnquireLink: options.answerEnquireLink ?? true,
      record: options.record ?? true,
      tls: options.tls,
      throughputLimit: options.throughputLimit,
    };
    this.nextMessageNumber = this.options.firstMessageId;
  }

  // ---- Life ----

  async start(port = 0, host = '127.0.0.1'): Promise<{ port: number; close: () => Promise<void> }> {
    const server = smpp.createServer(this.options.tls ? { key: this.options.tls.key, cert: this.options.tls.cert } : {}, (session) => this.accept(session));
    this.server = server;
    server.listen(port, host);
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
    return { port: this.port, close: () => this.close() };
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    this.server = undefined;
    for (const connection of this.connections.values()) connection.session.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- Scripting ----

  /** The next `count` submit_sm are answered with `status` (default ESME_RTHROTTLED) and not accepted. */
  throttleNext(count: number, status: number = ESME.RTHROTTLED): void {
    this.failNext(count, status);
  }

  /** The next `count` submit_sm are answered with this error status. Queued after earlier scripts. */
  failNext(count: number, status: number): void {
    if (count > 0) this.scripted.push({ status, remaining: count });
  }

  /** Leave the next `count` submit_sm unanswered; on receiving the last of them, cut its connection (no unbind). */
  dropAfter(count: number): void {
    this.dropRemaining = count;
  }

  /** Keep submit responses back until `release()`. */
  hold(): void {
    if (!this.held) this.held = [];
  }

  /** Send the held responses, in order, and stop holding. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const send of held) send();
  }

  setReceipts(policy: ReceiptPolicy | false): void {
    this.options.receipts = policy;
  }

  setResponseDelay(ms: number): void {
    this.options.responseDelayMs = ms;
  }

  /** Cut every connection at once, without unbind. */
  disconnectAll(): void {
    for (const connection of this.connections.values()) connection.session.destroy();
  }

  /** SMSC-initiated unbind on every bound connection; resolves when each answered (or closed). */
  async unbindAll(): Promise<void> {
    const bound = [...this.connections.values()].filter((c) => c.info.bound && !c.info.closed);
    await Promise.all(
      bound.map(async (connection) => {
        await this.request(connection, new smpp.PDU('unbind', {}), 2000).catch(() => undefined);
        connection.session.close();
      }),
    );
  }

  /** An enquire_link to the client on this connection (default: the first bound one); resolves with its response. */
  async enquireLink(connectionId?: number): Promise<PDU> {
    const connection = this.pickConnection(connectionId);
    return this.request(connection, new smpp.PDU('enquire_link', {}), 2000);
  }

  /**
   * A delivery receipt for a message id this SMSC gave (needs `record`), now (ignores `delayMs`/`early`). Resolves with the
   * record when the client answered, or when it was queued because no receiver is bound.
   */
  sendReceipt(messageId: string, plan: ReceiptPlan = {}): Promise<ReceiptRecord | undefined> {
    const submit = this.byMessageId.get(messageId);
    if (!submit) throw new Error(`no submit with message id ${messageId}`);
    return this.deliverReceipt(submit, messageId, plan, false);
  }

  /** An inbound (MO) deliver_sm; resolves with the client's deliver_sm_resp. */
  async sendMo(mo: {
    source: string;
    destination: string;
    text?: string;
    /** Raw short_message (then `dataCoding` applies as given). */
    shortMessage?: Buffer;
    dataCoding?: number;
    esmClass?: number;
    sourceTon?: number;
    sourceNpi?: number;
    destTon?: number;
    destNpi?: number;
    tlvs?: Record<string, unknown>;
    connectionId?: number;
  }): Promise<PDU> {
    let shortMessage = mo.shortMessage;
    let dataCoding = mo.dataCoding;
    if (!shortMessage) {
      const text = mo.text ?? '';
      const gsm = chooseEncoding(text) === 'GSM7';
      shortMessage = gsm ? toGsm7Septets(text) : encodeUcs2(text);
      dataCoding ??= gsm ? 0x00 : 0x08;
    }
    const connection = this.pickConnection(mo.connectionId, true);
    const pdu = new smpp.PDU('deliver_sm', {
      source_addr_ton: mo.sourceTon ?? 1,
      source_addr_npi: mo.sourceNpi ?? 1,
      source_addr: mo.source,
      dest_addr_ton: mo.destTon ?? 1,
      dest_addr_npi: mo.destNpi ?? 1,
      destination_addr: mo.destination,
      esm_class: mo.esmClass ?? 0x00,
      data_coding: dataCoding ?? 0x00,
      short_message: shortMessage,
      ...mo.tlvs,
    });
    const response = await this.request(connection, pdu, 5000);
    this.emit('moResponse', response);
    return response;
  }

  // ---- Queries ----

  submitsTo(destination: string): number {
    return this.acceptedPerDestination.get(destination) ?? 0;
  }

  connectionInfos(): ConnectionInfo[] {
    return [...this.connections.values()].map((c) => ({ ...c.info }));
  }

  submitByMessageId(messageId: string): SubmitRecord | undefined {
    return this.byMessageId.get(messageId);
  }

  /** Resolves with the first `event` payload that passes `predicate`. */
  waitFor<T>(event: string, predicate: (value: T) => boolean = () => true, timeoutMs = 15_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off(event, listener);
        reject(new Error(`smsc stand-in: no '${event}' within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (value: T): void => {
        if (!predicate(value)) return;
        clearTimeout(timer);
        this.off(event, listener);
        resolve(value);
      };
      this.on(event, listener);
    });
  }

  /** Resolves when at least `count` submit_sm arrived in all. */
  async waitForSubmits(count: number, timeoutMs = 15_000): Promise<void> {
    if (this.submitCount >= count) return;
    await this.waitFor('submit', () => this.submitCount >= count, timeoutMs);
  }

  // ---- Connections ----

  private accept(session: Session): void {
    const socket = session.socket;
    const info: ConnectionInfo = { id: this.nextConnectionId++, remotePort: socket.remotePort, bound: false, closed: false };
    const connection: Connection = {
      info,
      session,
      lastClientSeq: 0,
      unanswered: new Set(),
      unansweredSubmits: new Set(),
      awaiting: new Map(),
      rateWindowStart: 0,
      rateCount: 0,
      readChunks: [],
    };
    this.connections.set(info.id, connection);

    // Tap the raw octets: the library reads each PDU as read(4) then read(length - 4), then emits it.
    const read = socket.read.bind(socket);
    socket.read = ((size?: number) => {
      const chunk = read(size) as Buffer | null;
      if (chunk) connection.readChunks.push(chunk);
      return chunk;
    }) as typeof socket.read;
    // Tap the writes (the library writes one PDU per call) and cork them until the next tick, so that a burst of
    // responses and receipts leaves in one system call instead of one each (the bench's ≥ 5,000 msg/s).
    const write = socket.write.bind(socket) as (data: Buffer, cb?: () => void) => boolean;
    let corked = false;
    socket.write = ((data: Buffer, cb?: () => void) => {
      if (this.options.record) this.recordPdu(connection, 'out', data);
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(() => {
          corked = false;
          socket.uncork();
        });
      }
      return write(data, cb);
    }) as typeof socket.write;

    session.on('pdu', (pdu: PDU) => this.onPdu(connection, pdu));
    session.on('error', (error: Error) => this.violation(connection, `socket/PDU error: ${error.message}`));
    socket.on('close', () => {
      info.closed = true;
      info.bound = false;
      this.connections.delete(info.id);
      connection.unanswered.clear();
      connection.unansweredSubmits.clear();
      for (const [seq, waiter] of connection.awaiting) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`connection closed before the response to seq ${seq}`));
      }
      connection.awaiting.clear();
      this.emit('disconnect', { ...info });
    });
    this.emit('connection', { ...info });
  }

  private onPdu(connection: Connection, pdu: PDU): void {
    const raw = Buffer.concat(connection.readChunks);
    connection.readChunks = [];
    if (this.options.record) this.recordPdu(connection, 'in', raw, pdu);
    if (pdu.isResponse()) {
      const waiter = connection.awaiting.get(pdu.sequence_number);
      if (waiter) {
        connection.awaiting.delete(pdu.sequence_number);
        clearTimeout(waiter.timer);
        waiter.resolve(pdu);
      } else {
        this.violation(connection, `${pdu.command} seq ${pdu.sequence_number} answers no request of ours`);
      }
      return;
    }
    this.checkSequence(connection, pdu);
    switch (pdu.command) {
      case 'bind_transceiver':
      case 'bind_transmitter':
      case 'bind_receiver':
        return this.onBind(connection, pdu);
      case 'submit_sm':
        return this.onSubmit(connection, pdu, raw);
      case 'enquire_link':
        this.emit('enquireLink', { connectionId: connection.info.id, sequenceNumber: pdu.sequence_number });
        if (this.options.answerEnquireLink) this.respond(connection, pdu, pdu.response());
        return;
      case 'unbind':
        this.emit('unbind', { connectionId: connection.info.id });
        this.respond(connection, pdu, pdu.response());
        connection.info.bound = false;
        connection.session.close();
        return;
      case 'unknown':
        this.respond(connection, pdu, pdu.response());
        return;
      default: {
        // A command this SMSC does not offer: its own response with ESME_RINVCMDID, or generic_nack if it has none.
        let response: PDU;
        try {
          response = pdu.response({ command_status: ESME.RINVCMDID });
        } catch {
          response = new smpp.PDU('generic_nack', { command_status: ESME.RINVCMDID, sequence_number: pdu.sequence_number });
        }
        this.respond(connection, pdu, response);
      }
    }
  }

  private checkSequence(connection: Connection, pdu: PDU): void {
    const seq = pdu.sequence_number;
    if (seq < 1 || seq > 0x7fffffff) this.violation(connection, `${pdu.command} has sequence number ${seq} outside 1–0x7FFFFFFF`);
    if (connection.unanswered.has(seq)) this.violation(connection, `${pdu.command} reuses sequence number ${seq} of an unanswered request`);
    else if (seq <= connection.lastClientSeq && seq !== 1) this.violation(connection, `${pdu.command} sequence number ${seq} after ${connection.lastClientSeq}`);
    connection.lastClientSeq = seq;
    connection.unanswered.add(seq);
  }

  private onBind(connection: Connection, pdu: PDU): void {
    const mode = pdu.command.slice('bind_'.length) as BindMode;
    const record: BindRecord = {
      connectionId: connection.info.id,
      mode,
      systemId: String(pdu['system_id'] ?? ''),
      password: String(pdu['password'] ?? ''),
      systemType: String(pdu['system_type'] ?? ''),
      interfaceVersion: Number(pdu['interface_version'] ?? 0),
      status: ESME.ROK,
    };
    if (record.interfaceVersion !== 0x34) this.violation(connection, `bind interface_version 0x${record.interfaceVersion.toString(16)}, not 0x34`);
    if (connection.info.bound) record.status = ESME.RALYBND;
    else if (record.systemId !== this.options.systemId) record.status = ESME.RINVSYSID;
    else if (record.password !== this.options.password) record.status = ESME.RINVPASWD;
    this.binds.push(record);
    if (record.status === ESME.ROK) {
      connection.info.bound = true;
      connection.info.mode = mode;
      connection.info.systemId = record.systemId;
      this.respond(connection, pdu, pdu.response({ system_id: this.options.smscSystemId }));
    } else {
      this.respond(connection, pdu, pdu.response({ command_status: record.status }));
    }
    this.emit('bind', record);
    if (record.status === ESME.ROK && mode !== 'transmitter') this.flushPendingReceipts();
  }

  private onSubmit(connection: Connection, pdu: PDU, raw: Buffer): void {
    this.submitCount += 1;
    let submit: SubmitRecord;
    try {
      submit = readSubmit(raw, connection.info.id);
    } catch (error) {
      this.violation(connection, `submit_sm unreadable: ${(error as Error).message}`);
      this.respond(connection, pdu, pdu.response({ command_status: ESME.RSYSERR }));
      return;
    }
    const lib = pdu['short_message'] as { message?: unknown } | undefined;
    const payload = pdu['message_payload'] as { message?: unknown } | undefined;
    const libraryMessage = submit.tlvs.has(TLV.message_payload) ? payload?.message : lib?.message;
    submit.libraryText = typeof libraryMessage === 'string' ? libraryMessage : undefined;
    this.checkSubmit(connection, submit);
    if (this.options.record) this.submits.push(submit);
    this.emit('submit', submit);

    if (!connection.info.bound || connection.info.mode === 'receiver') {
      this.answerSubmit(connection, pdu, submit, ESME.RINVBNDSTS);
      return;
    }
    connection.unansweredSubmits.add(pdu.sequence_number);
    this.maxOutstanding = Math.max(this.maxOutstanding, connection.unansweredSubmits.size);
    if (this.dropRemaining > 0) {
      this.dropRemaining -= 1;
      if (this.dropRemaining === 0) setImmediate(() => connection.session.destroy());
      return;
    }
    const status = this.scriptedStatus() ?? this.rateStatus(connection);
    if (status !== ESME.ROK) {
      this.answerSubmit(connection, pdu, submit, status);
      return;
    }
    const messageId = this.newMessageId();
    submit.messageId = messageId;
    if (this.options.record) this.byMessageId.set(messageId, submit);
    this.acceptedCount += 1;
    this.acceptedPerDestination.set(submit.destinationAddr, (this.acceptedPerDestination.get(submit.destinationAddr) ?? 0) + 1);

    const policy = this.options.receipts;
    const plan = policy === false ? null : typeof policy === 'function' ? policy(submit) : policy;
    const wanted = submit.registeredDelivery & 0x03;
    const stat = plan?.stat ?? 'DELIVRD';
    const sendsReceipt = plan !== null && (wanted === 1 || (wanted === 2 && stat !== 'DELIVRD'));
    if (sendsReceipt && plan.early) {
      void this.deliverReceipt(submit, messageId, plan, true);
      this.later(plan.earlyByMs ?? 20, () => this.answerSubmit(connection, pdu, submit, ESME.ROK, messageId));
      return;
    }
    this.answerSubmit(connection, pdu, submit, ESME.ROK, messageId, () => {
      if (sendsReceipt) this.later(plan.delayMs ?? 0, () => void this.deliverReceipt(submit, messageId, plan, false));
    });
  }

  private checkSubmit(connection: Connection, submit: SubmitRecord): void {
    const where = `submit_sm seq ${submit.sequenceNumber}`;
    if (submit.shortMessage.length > 254) this.violation(connection, `${where}: sm_length ${submit.shortMessage.length} > 254`);
    if (submit.shortMessage.length > 0 && submit.tlvs.has(TLV.message_payload)) this.violation(connection, `${where}: both short_message and message_payload`);
    const udhi = (submit.esmClass & 0x40) !== 0;
    const body = submit.tlvs.get(TLV.message_payload) ?? submit.shortMessage;
    let text = body;
    if (udhi) {
      const udhLength = (body[0] ?? 0) + 1;
      if (body.length < udhLength || udhLength < 3) this.violation(connection, `${where}: UDHI set but no valid UDH`);
      text = body.subarray(udhLength);
    }
    if (submit.dataCoding === 0x00 && text.some((octet) => octet > 0x7f)) this.violation(connection, `${where}: data_coding 0 with an octet above 0x7F (packed, or not GSM 03.38)`);
    if (submit.dataCoding === 0x08 && text.length % 2 !== 0) this.violation(connection, `${where}: UCS-2 text of odd length`);
  }

  private scriptedStatus(): number | undefined {
    const head = this.scripted[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) this.scripted.shift();
    return head.status;
  }

  private rateStatus(connection: Connection): number {
    const limit = this.options.throughputLimit;
    if (!limit) return ESME.ROK;
    const now = Date.now();
    if (now - connection.rateWindowStart >= 1000) {
      connection.rateWindowStart = now;
      connection.rateCount = 0;
    }
    connection.rateCount += 1;
    return connection.rateCount > limit ? ESME.RTHROTTLED : ESME.ROK;
  }

  private newMessageId(): string {
    const n = this.nextMessageNumber++;
    return this.options.messageIdNotation === 'hex' ? n.toString(16).toUpperCase() : String(n);
  }

  private answerSubmit(connection: Connection, pdu: PDU, submit: SubmitRecord, status: number, messageId?: string, afterSend?: () => void): void {
    const send = (): void => {
      if (connection.info.closed) return;
      submit.status = status;
      const response = status === ESME.ROK ? pdu.response({ message_id: messageId }) : pdu.response({ command_status: status });
      this.respond(connection, pdu, response);
      this.emit('submitResponse', { submit, status });
      afterSend?.();
    };
    const delayed = (): void => {
      if (this.options.responseDelayMs > 0) this.later(this.options.responseDelayMs, send);
      else send();
    };
    if (this.held) this.held.push(delayed);
    else delayed();
  }

  private respond(connection: Connection, request: PDU, response: PDU): void {
    connection.unanswered.delete(request.sequence_number);
    if (request.command === 'submit_sm') connection.unansweredSubmits.delete(request.sequence_number);
    connection.session.send(response);
  }

  /** Sends a request to the client and resolves with its response (rejects after `timeoutMs` or on close). */
  private request(connection: Connection, pdu: PDU, timeoutMs: number): Promise<PDU> {
    return new Promise<PDU>((resolve, reject) => {
      if (connection.info.closed || !connection.session.send(pdu)) {
        reject(new Error('connection closed'));
        return;
      }
      const seq = pdu.sequence_number;
      const timer = setTimeout(() => {
        connection.awaiting.delete(seq);
        reject(new Error(`no response to ${pdu.command} seq ${seq} within ${timeoutMs} ms`));
      }, timeoutMs);
      connection.awaiting.set(seq, { resolve, reject, timer });
    });
  }

  private pickConnection(connectionId: number | undefined, receiver = false): Connection {
    if (connectionId !== undefined) {
      const connection = this.connections.get(connectionId);
      if (!connection) throw new Error(`no connection ${connectionId}`);
      return connection;
    }
    for (const connection of this.connections.values()) {
      if (connection.info.bound && (!receiver || connection.info.mode !== 'transmitter')) return connection;
    }
    throw new Error(receiver ? 'no bound receiver or transceiver' : 'no bound connection');
  }

  // ---- Receipts ----

  private receiptFor(submit: SubmitRecord, messageId: string, plan: ReceiptPlan, early: boolean): PendingReceipt {
    const stat = plan.stat ?? 'DELIVRD';
    const number = this.options.messageIdNotation === 'hex' ? parseInt(messageId, 16) : Number(messageId);
    const notation = plan.textIdNotation ?? 'same';
    let textId = notation === 'same' ? messageId : notation === 'hex' ? number.toString(16).toUpperCase() : String(number);
    if (plan.textIdLowercase) textId = textId.toLowerCase();
    if (plan.textIdWidth) textId = textId.padStart(plan.textIdWidth, '0');
    const err = plan.err === undefined ? '000' : plan.err === null ? null : typeof plan.err === 'number' ? String(plan.err).padStart(3, '0') : plan.err;
    const context: ReceiptTextContext = { textId, stat, err, submitDate: receiptDate(submit.receivedAt), doneDate: receiptDate(Date.now()), submit };
    const delivered = stat === 'DELIVRD' ? '001' : '000';
    const excerpt = submit.text.slice(0, 20).replace(/[^A-Za-z0-9 .,!?-]/g, '.');
    const text =
      typeof plan.text === 'function'
        ? plan.text(context)
        : (plan.text ??
          `id:${textId} sub:001 dlvrd:${delivered} submit date:${context.submitDate} done date:${context.doneDate} stat:${stat}` +
            (err === null ? '' : ` err:${err}`) +
            ` text:${excerpt}`);
    const pdu: Record<string, unknown> = {
      source_addr_ton: submit.destTon,
      source_addr_npi: submit.destNpi,
      source_addr: submit.destinationAddr,
      dest_addr_ton: submit.sourceTon,
      dest_addr_npi: submit.sourceNpi,
      destination_addr: submit.sourceAddr,
      esm_class: 0x04,
      data_coding: 0x00,
      short_message: Buffer.alloc(0),
    };
    if (plan.inText ?? true) {
      if (plan.inPayload) pdu['message_payload'] = Buffer.from(text, 'latin1');
      else pdu['short_message'] = Buffer.from(text, 'latin1');
    }
    if (plan.tlv ?? true) {
      pdu['receipted_message_id'] = messageId;
      const state = MESSAGE_STATE[stat];
      if (state !== undefined) pdu['message_state'] = state;
    }
    if (plan.networkErrorCode) {
      const { networkType, code } = plan.networkErrorCode;
      pdu['network_error_code'] = Buffer.from([networkType, code >> 8, code & 0xff]);
    }
    return { systemId: this.options.systemId, preferred: submit.connectionId, pdu, record: { messageId, text: plan.inText === false ? '' : text, stat, early } };
  }

  private deliverReceipt(submit: SubmitRecord, messageId: string, plan: ReceiptPlan, early: boolean): Promise<ReceiptRecord | undefined> {
    return this.sendPendingReceipt(this.receiptFor(submit, messageId, plan, early));
  }

  private receiverFor(pending: PendingReceipt): Connection | undefined {
    const canReceive = (c: Connection): boolean => c.info.bound && !c.info.closed && c.info.mode !== 'transmitter' && c.info.systemId === pending.systemId;
    const preferred = this.connections.get(pending.preferred);
    if (preferred && canReceive(preferred)) return preferred;
    for (const connection of this.connections.values()) if (canReceive(connection)) return connection;
    return undefined;
  }

  private async sendPendingReceipt(pending: PendingReceipt): Promise<ReceiptRecord | undefined> {
    const connection = this.receiverFor(pending);
    if (!connection) {
      this.pendingReceipts.push(pending);
      return undefined;
    }
    const pdu = new smpp.PDU('deliver_sm', { ...pending.pdu });
    let response: PDU;
    const record: ReceiptRecord = { ...pending.record, connectionId: connection.info.id, sequenceNumber: 0 };
    try {
      const answered = this.request(connection, pdu, 10_000);
      record.sequenceNumber = pdu.sequence_number;
      if (this.options.record) this.receipts.push(record);
      response = await answered;
    } catch {
      // Not acknowledged: keep it for the next receiver bind, as an SMSC retries.
      this.pendingReceipts.push(pending);
      return undefined;
    }
    record.responseStatus = response.command_status;
    this.emit('receipt', record);
    return record;
  }

  private flushPendingReceipts(): void {
    const pending = this.pendingReceipts.splice(0);
    for (const receipt of pending) void this.sendPendingReceipt(receipt);
  }

  // ---- Helpers ----

  private later(ms: number, run: () => void): void {
    if (ms <= 0) {
      run();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  private violation(connection: Connection, what: string): void {
    this.violations.push(`connection ${connection.info.id}: ${what}`);
  }

  private recordPdu(connection: Connection, direction: 'in' | 'out', raw: Buffer, decoded?: PDU): void {
    let pdu = decoded;
    if (!pdu) {
      const parsed = smpp.PDU.fromBuffer(raw);
      if (!parsed) return;
      pdu = parsed;
    }
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(pdu)) {
      if (!['command', 'command_length', 'command_id', 'command_status', 'sequence_number'].includes(key)) fields[key] = value;
    }
    const entry: RecordedPdu = {
      at: Date.now(),
      connectionId: connection.info.id,
      direction,
      command: pdu.command,
      commandId: pdu.command_id,
      commandStatus: pdu.command_status,
      sequenceNumber: pdu.sequence_number,
      raw,
      fields,
    };
    this.pdus.push(entry);
    this.emit('pdu', entry);
  }
}

// ---- Reading submit_sm from its raw octets (SMPP 3.4 §4.4.1), independently of the library's filters. ----

class Reader {
  at = 16;
  constructor(readonly raw: Buffer, readonly end: number) {}
  int8(): number {
    if (this.at + 1 > this.end) throw new RangeError(`field past command_length at ${this.at}`);
    return this.raw[this.at++]!;
  }
  cstring(max: number): string {
    const zero = this.raw.indexOf(0, this.at);
    if (zero < 0 || zero >= this.end) throw new RangeError(`C-octet string without NUL at ${this.at}`);
    if (zero - this.at + 1 > max) throw new RangeError(`C-octet string of ${zero - this.at + 1} octets > ${max} at ${this.at}`);
    const value = this.raw.toString('latin1', this.at, zero);
    this.at = zero + 1;
    return value;
  }
  octets(length: number): Buffer {
    if (this.at + length > this.end) throw new RangeError(`${length} octets past command_length at ${this.at}`);
    const value = Buffer.from(this.raw.subarray(this.at, this.at + length));
    this.at += length;
    return value;
  }
}

export function readSubmit(raw: Buffer, connectionId: number): SubmitRecord {
  const commandLength = raw.readUInt32BE(0);
  if (commandLength !== raw.length) throw new RangeError(`command_length ${commandLength} but ${raw.length} octets`);
  const r = new Reader(raw, commandLength);
  const serviceType = r.cstring(6);
  const sourceTon = r.int8();
  const sourceNpi = r.int8();
  const sourceAddr = r.cstring(21);
  const destTon = r.int8();
  const destNpi = r.int8();
  const destinationAddr = r.cstring(21);
  const esmClass = r.int8();
  const protocolId = r.int8();
  const priorityFlag = r.int8();
  const scheduleDeliveryTime = r.cstring(17);
  const validityPeriod = r.cstring(17);
  const registeredDelivery = r.int8();
  const replaceIfPresent = r.int8();
  const dataCoding = r.int8();
  const smDefaultMsgId = r.int8();
  const smLength = r.int8();
  const shortMessage = r.octets(smLength);
  const tlvs = new Map<number, Buffer>();
  while (r.at < commandLength) {
    if (r.at + 4 > commandLength) throw new RangeError(`truncated TLV header at ${r.at}`);
    const tag = raw.readUInt16BE(r.at);
    const length = raw.readUInt16BE(r.at + 2);
    r.at += 4;
    tlvs.set(tag, r.octets(length));
  }
  const payload = tlvs.get(TLV.message_payload);
  const decoded = decodeShortMessage(payload ?? shortMessage, dataCoding, esmClass);
  const record: SubmitRecord = {
    connectionId,
    sequenceNumber: raw.readUInt32BE(12),
    receivedAt: Date.now(),
    serviceType,
    sourceTon,
    sourceNpi,
    sourceAddr,
    destTon,
    destNpi,
    destinationAddr,
    esmClass,
    protocolId,
    priorityFlag,
    scheduleDeliveryTime,
    validityPeriod,
    registeredDelivery,
    replaceIfPresent,
    dataCoding,
    smDefaultMsgId,
    shortMessage,
    tlvs,
    text: decoded.text,
    libraryText: undefined,
  };
  if (decoded.udh) record.udh = decoded.udh;
  if (decoded.concatenation) record.concatenation = decoded.concatenation;
  const ref = tlvs.get(TLV.sar_msg_ref_num);
  const total = tlvs.get(TLV.sar_total_segments);
  const seq = tlvs.get(TLV.sar_segment_seqnum);
  if (ref && total && seq) record.sar = { reference: ref.readUInt16BE(0), total: total[0]!, seq: seq[0]! };
  return record;
}
