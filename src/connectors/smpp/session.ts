/**
 * One SMPP bind to an SMSC (SMPP 3.4): connect (TCP or TLS), bind, keep alive, reconnect, and the flow control of
 * submit_sm. The `smpp` library encodes our PDUs; the stream is framed here (pduFraming.ts) so that every PDU's raw
 * octets are at hand and sequence numbers, windows and timeouts are ours.
 *
 * - Bind: bind_transceiver / _transmitter / _receiver with interface_version 0x34. A refused bind, a lost
 *   connection or an SMSC unbind → reconnect after a backoff doubling from reconnectMinMs to reconnectMaxMs
 *   (back to the minimum once bound).
 * - Keep-alive: an enquire_link when the SMSC has sent nothing for enquireLinkMs; no answer within
 *   responseTimeoutMs → the connection is dropped and re-made. The SMSC's enquire_link is answered.
 * - Every deliver_sm / data_sm is answered with the status `onDeliver` returns; an unknown command gets
 *   generic_nack (ESME_RINVCMDID).
 * - Submits: at most `window` unanswered, the rest queued in order; paced by SubmitPacer (flowControl.ts); a
 *   throttled submit (submitErrors.ts) waits and goes again, first in line, while the bind slows down. A submit
 *   still unanswered after responseTimeoutMs drops the connection (its window slot cannot be reused while the
 *   SMSC may still hold it). Writes of one tick leave together, in one buffer.
 * - Results: `lost` = written but unanswered when the connection went (the SMSC may have accepted it);
 *   `unsent` = never written; neither is ever silently dropped.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import smpp from 'smpp';
import type { SmscConfig } from './smppConfig.js';
import { SubmitPacer } from './flowControl.js';
import { PduFramer, readDeliverSm, readHeader, type DeliverSmFields, type PduHeader } from './pduFraming.js';
import { describeStatus, submitErrorVerdict } from './submitErrors.js';

export type SessionMode = 'transceiver' | 'transmitter' | 'receiver';
export type SessionState = 'idle' | 'connecting' | 'binding' | 'bound' | 'unbinding' | 'waiting' | 'stopped';

/** The part of a pino logger we use. */
export interface SmppLogger {
  info(detail: object, message: string): void;
  warn(detail: object, message: string): void;
}

export type SubmitResult =
  | { kind: 'accepted'; messageId: string }
  /** Answered with an error status that is not throttling. */
  | { kind: 'rejected'; status: number }
  /** Still throttled when its deadline came: never accepted. */
  | { kind: 'throttled'; status: number }
  /** Written, but the connection went (or no answer came) before its response: the SMSC may have accepted it. */
  | { kind: 'lost'; reason: string }
  /** Never written. */
  | { kind: 'unsent'; reason: string };

export interface InboundPdu {
  command: 'deliver_sm' | 'data_sm';
  fields: DeliverSmFields;
}

export interface SessionOptions {
  config: SmscConfig;
  mode: SessionMode;
  /** For logs, e.g. `smpp:main#1/transceiver`. */
  label: string;
  /** A deliver_sm / data_sm; returns the command_status of its response (0 = ESME_ROK). */
  onDeliver(pdu: InboundPdu): number;
  /** Called each time the session becomes bound. */
  onBound?(): void;
  logger?: SmppLogger;
}

const ESME_ROK = 0x00;
const ESME_RINVCMDLEN = 0x02;
const ESME_RINVCMDID = 0x03;
const ESME_RINVBNDSTS = 0x04;
const ESME_RX_T_APPN = 0x64;
const COMMAND = {
  generic_nack: 0x80000000,
  deliver_sm: 0x00000005,
  unbind: 0x00000006,
  outbind: 0x0000000b,
  enquire_link: 0x00000015,
  alert_notification: 0x00000102,
  data_sm: 0x00000103,
} as const;
const MAX_SEQUENCE = 0x7fffffff;
const DELIVER_SM_RESP_OK = new smpp.PDU('deliver_sm_resp', { message_id: '' }).toBuffer();
const DATA_SM_RESP_OK = new smpp.PDU('data_sm_resp', { message_id: '' }).toBuffer();
/** How long stop() waits for unbind_resp and then for the socket to close. */
const UNBIND_WAIT_MS = 1_000;

interface PendingRequest {
  command: string;
  sentAt: number;
  onResponse(raw: Buffer, header: PduHeader): void;
  onLost(reason: string): void;
}

/** One TCP connection; a reconnect makes a new one, so late events of an old socket are recognised and ignored. */
interface Link {
  socket: net.Socket;
  framer: PduFramer;
  openedAt: number;
  nextSequence: number;
  /** By sequence number; insertion order is send order (timeouts are checked from the oldest). */
  pending: Map<number, PendingRequest>;
  outstandingSubmits: number;
  lastReceivedAt: number;
  enquiring: boolean;
  /** PDUs written in this tick, sent together on the next. */
  outbox: Buffer[];
  bound: boolean;
}

interface QueuedSubmit {
  /** Enqueue order: a throttled submit goes back before later ones. */
  order: number;
  /** The encoded submit_sm with sequence number 0; copied and numbered when written. */
  pdu: Buffer;
  deadline: number;
  throttledStatus?: number;
  resolve(result: SubmitResult): void;
}

const now = (): number => performance.now();

export class SmppSession {
  state: SessionState = 'idle';
  /** Connections opened so far (for tests and logs). */
  connectAttempts = 0;
  private link: Link | undefined;
  private readonly queue: QueuedSubmit[] = [];
  /** Throttled submits waiting to go again, in enqueue order; they go before `queue`. */
  private readonly retryQueue: QueuedSubmit[] = [];
  private nextOrder = 0;
  private readonly pacer: SubmitPacer;
  private failedConnects = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pumpTimer: NodeJS.Timeout | undefined;
  private pumpAt = Infinity;
  private tickTimer: NodeJS.Timeout | undefined;
  private readonly tlsCa: Buffer | undefined;
  private closeWaiters: (() => void)[] = [];

  constructor(private readonly options: SessionOptions) {
    this.pacer = new SubmitPacer(options.config.throughputPerBind, options.config.window);
    this.tlsCa = options.config.tls && options.config.tlsCaFile ? readFileSync(options.config.tlsCaFile) : undefined;
  }

  get bound(): boolean {
    return this.state === 'bound';
  }

  get canSubmit(): boolean {
    return this.state === 'bound' && this.options.mode !== 'receiver';
  }

  /** Submits written and not yet answered. */
  get outstanding(): number {
    return this.link?.outstandingSubmits ?? 0;
  }

  /** Submits waiting for the window, the pacer or a throttling pause. */
  get queued(): number {
    return this.queue.length + this.retryQueue.length;
  }

  /** Submits per second allowed now (Infinity = unlimited); below the configured rate after throttling. */
  get currentRate(): number {
    return this.pacer.currentRate;
  }

  /** Unanswered submits allowed now; below the configured window after throttling. */
  get currentWindow(): number {
    return this.pacer.window;
  }

  get label(): string {
    return this.options.label;
  }

  start(): void {
    if (this.state !== 'idle') return;
    const { enquireLinkMs, responseTimeoutMs } = this.options.config;
    const period = Math.max(5, Math.min(250, Math.floor(Math.min(enquireLinkMs, responseTimeoutMs) / 4)));
    this.tickTimer = setInterval(() => this.tick(), period);
    this.tickTimer.unref();
    this.connect();
  }

  /** Queues one encoded submit_sm (sequence number 0); resolves once it has an outcome. `deadline` is performance.now() time. */
  submit(pdu: Buffer, deadline: number): Promise<SubmitResult> {
    if (this.state === 'stopped' || this.options.mode === 'receiver') return Promise.resolve({ kind: 'unsent', reason: `${this.label} cannot submit` });
    return new Promise<SubmitResult>((resolve) => {
      this.queue.push({ order: this.nextOrder++, pdu, deadline, resolve });
      this.pump();
    });
  }

  /** Unbinds and closes; queued submits resolve `unsent`, unanswered ones `lost` if the SMSC does not answer in time. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const link = this.link;
    const wasBound = this.state === 'bound';
    this.state = 'stopped';
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.pumpTimer);
    clearInterval(this.tickTimer);
    this.failQueued('the connector is stopping');
    if (!link) return;
    const closed = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    if (wasBound) {
      const answered = new Promise<void>((resolve) => {
        this.request(link, new smpp.PDU('unbind', {}).toBuffer(), 'unbind', { onResponse: () => resolve(), onLost: () => resolve() });
      });
      await Promise.race([answered, delay(UNBIND_WAIT_MS)]);
      this.flush(link);
    }
    // A graceful close (FIN) whatever the state, a bind in flight included: destroying a socket that still has
    // unread bytes (a bind_resp on its way) would reset the SMSC's side.
    link.socket.end();
    await Promise.race([closed, delay(UNBIND_WAIT_MS)]);
    link.socket.destroy();
    await closed;
  }

  // ---- Connection ----

  private connect(): void {
    this.state = 'connecting';
    this.connectAttempts += 1;
    const { host, port, tls: useTls } = this.options.config;
    const socket = useTls ? tls.connect({ host, port, ...(this.tlsCa ? { ca: this.tlsCa } : {}) }) : net.connect({ host, port });
    socket.setNoDelay(true);
    const link: Link = {
      socket,
      framer: new PduFramer(),
      openedAt: now(),
      nextSequence: 1,
      pending: new Map(),
      outstandingSubmits: 0,
      lastReceivedAt: now(),
      enquiring: false,
      outbox: [],
      bound: false,
    };
    this.link = link;
    socket.once(useTls ? 'secureConnect' : 'connect', () => this.bind(link));
    socket.on('data', (chunk: Buffer) => this.onData(link, chunk));
    socket.on('error', (error: Error) => this.log('warn', { err: error.message }, 'SMPP connection error'));
    socket.on('close', () => this.onClose(link));
  }

  private bind(link: Link): void {
    if (this.link !== link || this.state === 'stopped') return;
    this.state = 'binding';
    const { systemId, password, systemType } = this.options.config;
    const command = `bind_${this.options.mode}`;
    const pdu = new smpp.PDU(command, {
      system_id: systemId,
      password,
      system_type: systemType,
      interface_version: 0x34,
      addr_ton: 0,
      addr_npi: 0,
      address_range: '',
    });
    const raw = pdu.toBuffer();
    const bindCommandId = raw.readUInt32BE(4);
    this.request(link, raw, command, {
      onResponse: (_raw, header) => {
        if (this.link !== link || this.state === 'stopped') return;
        if (header.commandStatus !== ESME_ROK || header.commandId !== bindCommandId + 0x80000000) {
          const answer = header.commandId === COMMAND.generic_nack ? 'generic_nack' : `${command}_resp`;
          this.log('warn', { answer, status: describeStatus(header.commandStatus) }, 'SMPP bind refused');
          // A graceful close (FIN): destroying a socket with unread bytes would reset the SMSC's side.
          link.socket.end();
          setTimeout(() => link.socket.destroy(), UNBIND_WAIT_MS).unref();
          return;
        }
        link.bound = true;
        this.failedConnects = 0;
        this.state = 'bound';
        this.log('info', { attempt: this.connectAttempts }, 'SMPP bound');
        this.options.onBound?.();
        this.pump();
      },
      onLost: () => undefined,
    });
  }

  private onClose(link: Link): void {
    if (this.link !== link) return;
    this.link = undefined;
    const lost = [...link.pending.values()];
    link.pending.clear();
    link.outstandingSubmits = 0;
    for (const request of lost) request.onLost(`connection lost before ${request.command}_resp`);
    const waiters = this.closeWaiters.splice(0);
    for (const resolve of waiters) resolve();
    if (this.state === 'stopped') return;
    // Queued submits may go on another bind at once instead of waiting for this one to come back.
    this.failQueued('the connection was lost before it was sent');
    if (!link.bound) this.failedConnects += 1;
    const { reconnectMinMs, reconnectMaxMs } = this.options.config;
    const wait = Math.min(reconnectMaxMs, reconnectMinMs * 2 ** Math.max(0, this.failedConnects - 1));
    this.state = 'waiting';
    this.log('warn', { reconnectInMs: wait, wasBound: link.bound }, 'SMPP connection closed');
    this.reconnectTimer = setTimeout(() => {
      if (this.state === 'waiting') this.connect();
    }, wait);
  }

  private drop(link: Link, reason: string): void {
    this.log('warn', { reason }, 'SMPP connection dropped');
    link.socket.destroy();
  }

  // ---- Reading ----

  private onData(link: Link, chunk: Buffer): void {
    if (this.link !== link) return;
    let pdus: Buffer[];
    try {
      pdus = link.framer.push(chunk);
    } catch (error) {
      // The stream cannot be framed any more: say so (SMPP 3.4 generic_nack ESME_RINVCMDLEN) and start over.
      const sequence = (error as { sequence?: number }).sequence ?? 0;
      this.respond(link, new smpp.PDU('generic_nack', { sequence_number: sequence, command_status: ESME_RINVCMDLEN }));
      this.log('warn', { reason: (error as Error).message }, 'SMPP stream cannot be framed: closing');
      this.closeGracefully(link);
      return;
    }
    link.lastReceivedAt = now();
    for (const raw of pdus) {
      if (this.link !== link) return;
      this.onPdu(link, raw);
    }
  }

  private onPdu(link: Link, raw: Buffer): void {
    const header = readHeader(raw);
    if (header.commandId & 0x80000000) {
      const pending = link.pending.get(header.sequenceNumber);
      if (!pending) return; // an answer to nothing (e.g. after our timeout): nothing to do
      link.pending.delete(header.sequenceNumber);
      pending.onResponse(raw, header);
      return;
    }
    switch (header.commandId) {
      case COMMAND.deliver_sm:
        return this.onDeliverRequest(link, raw, header, 'deliver_sm');
      case COMMAND.data_sm:
        return this.onDeliverRequest(link, raw, header, 'data_sm');
      case COMMAND.enquire_link:
        return this.respond(link, new smpp.PDU('enquire_link_resp', { sequence_number: header.sequenceNumber }));
      case COMMAND.unbind:
        this.respond(link, new smpp.PDU('unbind_resp', { sequence_number: header.sequenceNumber }));
        this.log('info', {}, 'SMPP unbind by the SMSC');
        if (this.state !== 'stopped') this.state = 'unbinding';
        this.closeGracefully(link);
        return;
      case COMMAND.alert_notification:
      case COMMAND.outbind:
        return; // no response exists for these
      default:
        this.respond(link, new smpp.PDU('generic_nack', { sequence_number: header.sequenceNumber, command_status: ESME_RINVCMDID }));
    }
  }

  private onDeliverRequest(link: Link, raw: Buffer, header: PduHeader, command: 'deliver_sm' | 'data_sm'): void {
    let fields: DeliverSmFields;
    try {
      fields = readDeliverSm(raw, command);
    } catch (error) {
      this.log('warn', { err: (error as Error).message, sequence: header.sequenceNumber }, `unreadable ${command}`);
      this.respond(link, new smpp.PDU('generic_nack', { sequence_number: header.sequenceNumber, command_status: ESME_RINVCMDLEN }));
      return;
    }
    let status: number;
    try {
      status = this.options.onDeliver({ command, fields });
    } catch (error) {
      // Not taken in: a temporary error makes the SMSC deliver it again later.
      this.log('warn', { err: (error as Error).message }, `${command} not taken in`);
      status = ESME_RX_T_APPN;
    }
    if (status === ESME_ROK) {
      // The same 17 octets every time but for the sequence number: encoded once by the library, then copied.
      const response = Buffer.from(command === 'deliver_sm' ? DELIVER_SM_RESP_OK : DATA_SM_RESP_OK);
      response.writeUInt32BE(header.sequenceNumber, 12);
      if (link.socket.writable) this.write(link, response);
    } else {
      this.respond(link, new smpp.PDU(`${command}_resp`, { sequence_number: header.sequenceNumber, command_status: status }));
    }
  }

  // ---- Writing ----

  /** Writes are gathered until the next tick: a burst of submits or responses leaves in one buffer, one system call. */
  private write(link: Link, raw: Buffer): void {
    if (link.outbox.length === 0) process.nextTick(() => this.flush(link));
    link.outbox.push(raw);
  }

  private flush(link: Link): void {
    if (link.outbox.length === 0) return;
    const out = link.outbox.splice(0);
    if (link.socket.writable) link.socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
  }

  /** What is written goes out first, then FIN; a peer that does not close its side in time is cut. */
  private closeGracefully(link: Link): void {
    this.flush(link);
    link.socket.end();
    setTimeout(() => link.socket.destroy(), UNBIND_WAIT_MS).unref();
  }

  private respond(link: Link, pdu: smpp.PDU): void {
    if (link.socket.writable) this.write(link, pdu.toBuffer());
  }

  /** Numbers and writes a request; its handlers get the response, or the reason it will never come. */
  private request(link: Link, raw: Buffer, command: string, handlers: Pick<PendingRequest, 'onResponse' | 'onLost'>): void {
    let sequence = link.nextSequence;
    while (link.pending.has(sequence)) sequence = sequence >= MAX_SEQUENCE ? 1 : sequence + 1;
    link.nextSequence = sequence >= MAX_SEQUENCE ? 1 : sequence + 1;
    raw.writeUInt32BE(sequence, 12);
    link.pending.set(sequence, { command, sentAt: now(), ...handlers });
    this.write(link, raw);
  }

  // ---- Submits ----

  private pump(): void {
    const link = this.link;
    if (!link || this.state !== 'bound' || this.options.mode === 'receiver') return;
    while (link.outstandingSubmits < this.pacer.window) {
      const fromRetry = this.retryQueue.length > 0;
      const item = fromRetry ? this.retryQueue[0] : this.queue[0];
      if (!item) return;
      const at = now();
      if (item.deadline <= at) {
        (fromRetry ? this.retryQueue : this.queue).shift();
        this.expire(item);
        continue;
      }
      const wait = this.pacer.waitMs(at);
      if (wait > 0) {
        this.schedulePump(wait);
        return;
      }
      (fromRetry ? this.retryQueue : this.queue).shift();
      this.pacer.take();
      link.outstandingSubmits += 1;
      this.request(link, Buffer.from(item.pdu), 'submit_sm', {
        onResponse: (raw, header) => this.onSubmitResponse(link, item, raw, header),
        onLost: (reason) => item.resolve({ kind: 'lost', reason }),
      });
    }
  }

  private onSubmitResponse(link: Link, item: QueuedSubmit, raw: Buffer, header: PduHeader): void {
    link.outstandingSubmits -= 1;
    const status = header.commandId === COMMAND.generic_nack && header.commandStatus === ESME_ROK ? ESME_RINVCMDID : header.commandStatus;
    if (status === ESME_ROK) {
      this.pacer.accepted();
      item.resolve({ kind: 'accepted', messageId: readMessageId(raw) });
    } else if (submitErrorVerdict(status).action === 'throttle') {
      const backoff = this.pacer.throttled(now());
      item.throttledStatus = status;
      if (now() + backoff < item.deadline) this.requeue(item);
      else item.resolve({ kind: 'throttled', status });
    } else {
      item.resolve({ kind: 'rejected', status });
      // The SMSC does not see this connection as bound: bind again rather than submit into it.
      if (status === ESME_RINVBNDSTS) this.drop(link, 'submit_sm answered ESME_RINVBNDSTS');
    }
    this.pump();
  }

  private requeue(item: QueuedSubmit): void {
    let at = this.retryQueue.length;
    while (at > 0 && this.retryQueue[at - 1]!.order > item.order) at -= 1;
    this.retryQueue.splice(at, 0, item);
  }

  private expire(item: QueuedSubmit): void {
    if (item.throttledStatus !== undefined) item.resolve({ kind: 'throttled', status: item.throttledStatus });
    else item.resolve({ kind: 'unsent', reason: 'not sent before its deadline (window full, paced or not bound)' });
  }

  private failQueued(reason: string): void {
    for (const item of [...this.retryQueue.splice(0), ...this.queue.splice(0)]) {
      if (item.throttledStatus !== undefined) item.resolve({ kind: 'throttled', status: item.throttledStatus });
      else item.resolve({ kind: 'unsent', reason });
    }
  }

  private schedulePump(waitMs: number): void {
    const at = now() + waitMs;
    if (this.pumpTimer && at >= this.pumpAt) return;
    clearTimeout(this.pumpTimer);
    this.pumpAt = at;
    this.pumpTimer = setTimeout(() => {
      this.pumpTimer = undefined;
      this.pumpAt = Infinity;
      this.pump();
    }, Math.max(1, Math.ceil(waitMs)));
  }

  // ---- Timers: response timeouts, keep-alive, deadlines of queued submits ----

  private tick(): void {
    const at = now();
    this.expireQueued(at);
    const link = this.link;
    if (!link) return;
    const { responseTimeoutMs, enquireLinkMs } = this.options.config;
    if (!link.bound && at - link.openedAt > responseTimeoutMs) return this.drop(link, `not bound within ${responseTimeoutMs} ms`);
    for (const [sequence, request] of link.pending) {
      if (at - request.sentAt <= responseTimeoutMs) break;
      if (request.command === 'unbind') continue;
      return this.drop(link, `no ${request.command}_resp to sequence ${sequence} within ${responseTimeoutMs} ms`);
    }
    if (link.bound && !link.enquiring && this.state === 'bound' && at - link.lastReceivedAt >= enquireLinkMs) {
      link.enquiring = true;
      this.request(link, new smpp.PDU('enquire_link', {}).toBuffer(), 'enquire_link', {
        onResponse: () => (link.enquiring = false),
        onLost: () => undefined,
      });
    }
  }

  private expireQueued(at: number): void {
    for (const queue of [this.retryQueue, this.queue]) {
      if (!queue.some((item) => item.deadline <= at)) continue;
      const keep = queue.filter((item) => item.deadline > at);
      const expired = queue.filter((item) => item.deadline <= at);
      queue.splice(0, queue.length, ...keep);
      for (const item of expired) this.expire(item);
    }
  }

  private log(level: 'info' | 'warn', detail: object, message: string): void {
    this.options.logger?.[level]({ smsc: this.label, ...detail }, message);
  }
}

/** submit_sm_resp message_id: a C-octet string after the header (absent in an error response). */
function readMessageId(raw: Buffer): string {
  if (raw.length <= 16) return '';
  const zero = raw.indexOf(0, 16);
  return raw.toString('latin1', 16, zero < 0 ? raw.length : zero);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
