/**
 * One ESME's connection to the gateway as SMSC (`smpp-interface.md` §1), as a state machine:
 * open → (bind read) binding → bound, or back to open when the door refuses; bound → unbinding (the ESME's
 * unbind) → closing → closed. No bind within bindTimeoutMs of connecting → closed.
 *
 * - Before the bind only a bind and enquire_link are taken; anything else is answered ESME_RINVBNDSTS.
 * - A bound session hands submit_sm / data_sm / query_sm / cancel_sm to the door and answers them in order of
 *   completion; it reads at most `window` of them unanswered, then stops reading its socket (back-pressure: the
 *   rest stays in the kernel) and reads again below the window; over `throughput` per second a submit is answered
 *   ESME_RTHROTTLED without reaching the door.
 * - unbind: the submits in flight are answered first, then unbind_resp, then the connection is closed.
 * - Keep-alive: enquire_link after idleMs without a PDU, closed without its resp within responseTimeoutMs.
 * - deliver(): deliver_sm to a receiver or transceiver, at most `window` unanswered.
 *
 * Why not the `smpp` library's Session: after one PDU it cannot parse it stops reading the socket for good (its
 * `_busy` flag stays set), it does not tell which sequence_number that PDU had, and it refuses PDUs over 16 KiB.
 * So the stream is framed here (pduReader.ts) and the library is the codec only (pduFields.ts), as on the client
 * side (../session.ts).
 */
import type { Socket } from 'node:net';
import { SMPP_STATUS } from '../../domain/smppRules.js';
import { CLOSE_WAIT_MS } from '../pduDispatch.js';
import { readBind, SC_INTERFACE_VERSION, SUPPORTED_INTERFACE_VERSIONS } from './bindRequest.js';
import { encodePdu, readPduFields, type PduFields } from './pduFields.js';
import { FramingError, PduReader } from './pduReader.js';
import { canReceive, canSubmit, commandName, RESPONSE_BIT, responseCommand, SMSC_COMMAND, type BindType } from './smscCommands.js';
import type {
  BindDecision,
  BindRequest,
  DeliverOutcome,
  SessionCounters,
  SessionInfo,
  SmppLogger,
  SmscAnswer,
  SmscRequest,
  SmscSessionState,
  SmscTimers,
} from './smscTypes.js';
import { ThroughputGate } from './throughputGate.js';
import { encodeMessageIdResponse } from './fastPdus.js';

export interface SmscSessionOptions {
  id: number;
  /** The gateway's system_id, sent in every bind_resp. */
  systemId: string;
  handlers: SmscHandlers;
  timers: SmscTimers;
  tls: boolean;
  logger?: SmppLogger;
}

interface PendingDeliver {
  sentAt: number;
  resolve(outcome: DeliverOutcome): void;
}

interface QueuedDeliver {
  raw: Buffer;
  resolve(outcome: DeliverOutcome): void;
}

const MAX_SEQUENCE = 0x7fffffff;
/** What the door decides; the session only reads and writes PDUs. */
export interface SmscHandlers {
  /** Decides a bind (spec §2, in order). A rejection answers 0x0D. */
  bind(request: BindRequest, session: SmscSession): Promise<BindDecision>;
  /** submit_sm and data_sm. A rejection answers ESME_RSYSERR. */
  submit(session: SmscSession, pdu: SmscRequest): Promise<SmscAnswer>;
  query(session: SmscSession, pdu: SmscRequest): Promise<SmscAnswer>;
  cancel(session: SmscSession, pdu: SmscRequest): Promise<SmscAnswer>;
  /** The bind_resp ESME_ROK has been written: the session may be given deliver_sm. */
  bound?(session: SmscSession): void;
  /** The connection is gone (bound or not); every deliver in flight has resolved `{ lost: true }`. */
  closed?(session: SmscSession): void;
}

/** How long close() waits for the ESME's unbind_resp at most. */
const SHUTDOWN_UNBIND_WAIT_MS = 1_000;

const now = (): number => performance.now();

export class SmscSession {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly connectedAt = Date.now();
  state: SmscSessionState = 'open';
  bindType: BindType | null = null;
  /** The ESME's system_id once bound. */
  systemId: string | null = null;
  /** The door's record of the bind (BindDecision.user). */
  user: unknown = undefined;
  window = 1;
  throughput = 0;
  boundAt: number | null = null;
  readonly counters: SessionCounters = { submitsReceived: 0, submitsAnswered: 0, submitsRefused: 0, deliversSent: 0, deliversAcked: 0, deliversLost: 0 };
  /** Resolves once the connection is gone. */
  readonly closed: Promise<void>;

  private readonly reader = new PduReader();
  private gate = new ThroughputGate(0);
  private readonly openedAt = now();
  private lastReceivedAt = now();
  private inFlight = 0;
  private bindPending = false;
  private socketPaused = false;
  private pausedAt = 0;
  private pumping = false;
  private writeBlockedAt: number | null = null;
  private outbox: Buffer[] = [];
  private nextSequence = 1;
  private enquire: { sequence: number; sentAt: number } | null = null;
  /** The ESME's unbind being completed. */
  private esmeUnbind: { sequence: number; at: number } | null = null;
  /** Our unbind (close()), answered by the ESME. */
  private smscUnbind: { sequence: number; answered(): void } | null = null;
  private readonly pendingDelivers = new Map<number, PendingDeliver>();
  private readonly deliverQueue: QueuedDeliver[] = [];
  private readonly tickTimer: NodeJS.Timeout;
  private destroyTimer: NodeJS.Timeout | undefined;
  private resolveClosed!: () => void;

  constructor(
    private readonly socket: Socket,
    private readonly options: SmscSessionOptions,
  ) {
    this.id = options.id;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      // Once closing, the socket is read only to see the ESME's FIN.
      if (this.state === 'closing' || this.state === 'closed') return;
      this.lastReceivedAt = now();
      this.reader.push(chunk);
      this.pump();
    });
    socket.on('error', (error: Error) => this.log('warn', { err: error.message }, 'SMPP client connection error'));
    socket.on('close', () => this.onClose());
    const { bindTimeoutMs, idleMs, responseTimeoutMs } = options.timers;
    const period = Math.max(5, Math.min(250, Math.floor(Math.min(bindTimeoutMs, idleMs, responseTimeoutMs) / 4)));
    this.tickTimer = setInterval(() => this.tick(), period);
    this.tickTimer.unref();
  }

  get bound(): boolean {
    return this.state === 'bound';
  }

  /** Submits (and queries, cancels) read and not yet answered. */
  get submitsInFlight(): number {
    return this.inFlight;
  }

  get deliversInFlight(): number {
    return this.pendingDelivers.size;
  }

  get deliversQueued(): number {
    return this.deliverQueue.length;
  }

  info(): SessionInfo {
    return {
      id: this.id,
      state: this.state,
      systemId: this.systemId,
      bindType: this.bindType,
      remoteAddress: this.remoteAddress,
      remotePort: this.remotePort,
      tls: this.options.tls,
      connectedAt: this.connectedAt,
      boundAt: this.boundAt,
      window: this.window,
      throughput: this.throughput,
      submitsInFlight: this.inFlight,
      deliversInFlight: this.pendingDelivers.size,
      deliversQueued: this.deliverQueue.length,
      counters: { ...this.counters },
    };
  }

  /**
   * Sends a deliver_sm (library fields: short_message a Buffer with its data_coding; or its octets, fastPdus.ts)
   * once fewer than `window` are unanswered. Rejects on a session that is not bound as receiver or transceiver, or fields the library cannot
   * encode; resolves `{ lost: true }` when the session is closing or closes, or no resp comes in time.
   */
  deliver(pdu: PduFields | Buffer): Promise<DeliverOutcome> {
    if (this.state === 'unbinding' || this.state === 'closing' || this.state === 'closed') return Promise.resolve({ lost: true });
    if (this.state !== 'bound' || !this.bindType || !canReceive(this.bindType)) {
      return Promise.reject(new Error(`session ${this.id} is not bound as receiver or transceiver`));
    }
    let raw: Buffer;
    try {
      raw = Buffer.isBuffer(pdu) ? pdu : encodePdu('deliver_sm', 0, 0, pdu);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise((resolve) => {
      this.deliverQueue.push({ raw, resolve });
      this.pumpDelivers();
    });
  }

  /** Ends the session: a bound ESME is sent unbind (and given a moment to answer), then the connection is closed. */
  async shutdown(): Promise<void> {
    if (this.state === 'closed') return;
    if (this.state === 'bound' && this.socket.writable) {
      const answered = new Promise<void>((resolve) => {
        const sequence = this.takeSequence();
        this.smscUnbind = { sequence, answered: resolve };
        this.state = 'unbinding';
        this.write(encodePdu('unbind', sequence));
      });
      await Promise.race([answered, delay(Math.min(this.options.timers.responseTimeoutMs, SHUTDOWN_UNBIND_WAIT_MS))]);
    }
    this.closeGracefully('the server is closing');
    await this.closed;
  }

  // Reading.

  private canRead(): boolean {
    if (this.state === 'closing' || this.state === 'closed' || this.bindPending) return false;
    if (this.writeBlockedAt !== null) return false;
    return this.inFlight < this.window;
  }

  /** Takes PDUs from the buffer while the session may read; pauses or resumes the socket to match. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.canRead()) {
        let raw: Buffer | null;
        try {
          raw = this.reader.next();
        } catch (error) {
          // The stream cannot be cut into PDUs any more (SMPP 3.4: generic_nack ESME_RINVCMDLEN), so it ends.
          const sequence = error instanceof FramingError ? error.sequence : 0;
          this.write(encodePdu('generic_nack', sequence, SMPP_STATUS.invalidCommandLength));
          this.closeGracefully((error as Error).message);
          return;
        }
        if (!raw) break;
        this.dispatch(raw);
      }
    } finally {
      this.pumping = false;
    }
    this.matchSocketToReading();
  }

  private matchSocketToReading(): void {
    if (this.state === 'closed') return;
    if (this.state === 'closing') {
      this.socketPaused = false;
      this.socket.resume();
      return;
    }
    const reading = this.canRead();
    if (!reading && !this.socketPaused) {
      this.socketPaused = true;
      this.pausedAt = now();
      this.socket.pause();
    } else if (reading && this.socketPaused) {
      this.socketPaused = false;
      // What the ESME sent meanwhile was not read: its answers' clocks start again now.
      const shift = now() - this.pausedAt;
      this.lastReceivedAt += shift;
      if (this.enquire) this.enquire.sentAt += shift;
      for (const pending of this.pendingDelivers.values()) pending.sentAt += shift;
      this.socket.resume();
    }
  }

  private dispatch(raw: Buffer): void {
    const commandId = raw.readUInt32BE(4);
    const sequence = raw.readUInt32BE(12);
    if (commandId & RESPONSE_BIT) return this.onResponse(commandId, raw.readUInt32BE(8), sequence);
    const name = commandName(commandId);
    if (name === null) return void this.respond(commandId, sequence, SMPP_STATUS.invalidCommandId);
    if (name === 'enquire_link') return void this.respond(commandId, sequence, SMPP_STATUS.ok);
    if (name === 'bind_transmitter' || name === 'bind_receiver' || name === 'bind_transceiver') {
      if (this.state !== 'open') return void this.respond(commandId, sequence, SMPP_STATUS.alreadyBound);
      return this.bind(raw, commandId, sequence);
    }
    if (this.state !== 'bound') {
      if (name === 'submit_sm' || name === 'data_sm') this.countRefusedSubmit();
      return void this.respond(commandId, sequence, SMPP_STATUS.invalidBindStatus);
    }
    const bindType = this.bindType!;
    switch (name) {
      case 'unbind':
        this.esmeUnbind = { sequence, at: now() };
        this.state = 'unbinding';
        if (this.inFlight === 0) this.finishUnbind();
        return;
      case 'submit_sm':
      case 'data_sm':
        this.counters.submitsReceived += 1;
        if (!canSubmit(bindType)) return this.answerSubmit(commandId, sequence, SMPP_STATUS.invalidBindStatus);
        if (!this.gate.admit(now())) return this.answerSubmit(commandId, sequence, SMPP_STATUS.throttled);
        return this.handOver('submit', name, raw, commandId, sequence);
      case 'query_sm':
      case 'cancel_sm':
        if (!canSubmit(bindType)) return void this.respond(commandId, sequence, SMPP_STATUS.invalidBindStatus);
        return this.handOver(name === 'query_sm' ? 'query' : 'cancel', name, raw, commandId, sequence);
      default:
        // replace_sm, submit_multi (spec §3), and the SMSC's own requests (deliver_sm, outbind, alert_notification).
        return void this.respond(commandId, sequence, SMPP_STATUS.invalidCommandId);
    }
  }

  private onResponse(commandId: number, status: number, sequence: number): void {
    const deliver = this.pendingDelivers.get(sequence);
    if (deliver && (commandId === (SMSC_COMMAND.deliver_sm | RESPONSE_BIT) >>> 0 || commandId === SMSC_COMMAND.generic_nack)) {
      this.pendingDelivers.delete(sequence);
      this.counters.deliversAcked += 1;
      deliver.resolve({ status });
      this.pumpDelivers();
      return;
    }
    if (this.enquire?.sequence === sequence) {
      this.enquire = null;
      return;
    }
    if (this.smscUnbind?.sequence === sequence) {
      this.smscUnbind.answered();
      this.smscUnbind = null;
    }
    // Anything else answers nothing we sent (or something given up on): nothing to do.
  }

  // Binding.

  private bind(raw: Buffer, commandId: number, sequence: number): void {
    const reading = readBind(raw);
    if (!reading.ok) {
      this.log('warn', { reason: reading.reason }, 'SMPP bind malformed');
      return void this.respond(commandId, sequence, SMPP_STATUS.bindFailed);
    }
    const { bind } = reading;
    if (!SUPPORTED_INTERFACE_VERSIONS.includes(bind.interfaceVersion)) {
      this.log('warn', { interfaceVersion: bind.interfaceVersion }, 'SMPP bind with an unsupported interface_version');
      return void this.respond(commandId, sequence, SMPP_STATUS.bindFailed);
    }
    this.state = 'binding';
    // Nothing more is read until the door has decided: a submit pipelined after the bind finds the session bound.
    this.bindPending = true;
    const request = {
      systemId: bind.systemId,
      password: bind.password,
      systemType: bind.systemType,
      bindType: bind.bindType,
      remoteAddress: this.remoteAddress,
      interfaceVersion: bind.interfaceVersion,
      addressRange: bind.addressRange,
    };
    settle(() => this.options.handlers.bind(request, this))
      .catch((error: unknown) => {
        this.log('warn', { err: String(error) }, 'SMPP bind handler failed');
        return { ok: false as const, status: SMPP_STATUS.bindFailed };
      })
      .then((decision) => {
        this.bindPending = false;
        if (this.state !== 'binding') return;
        if (!decision.ok) {
          this.state = 'open';
          this.respond(commandId, sequence, decision.status || SMPP_STATUS.bindFailed);
          this.log('info', { systemId: bind.systemId, status: decision.status }, 'SMPP bind refused');
        } else {
          this.state = 'bound';
          this.bindType = bind.bindType;
          this.systemId = bind.systemId;
          this.user = decision.user;
          this.window = Math.max(1, Math.floor(decision.window) || 1);
          this.throughput = Math.max(0, Math.floor(decision.throughput) || 0);
          this.gate = decision.gate ?? new ThroughputGate(this.throughput);
          this.boundAt = Date.now();
          this.lastReceivedAt = now();
          this.respond(commandId, sequence, SMPP_STATUS.ok, { system_id: this.options.systemId, sc_interface_version: SC_INTERFACE_VERSION });
          this.log('info', { systemId: bind.systemId, bindType: bind.bindType }, 'SMPP client bound');
          this.options.handlers.bound?.(this);
        }
        this.pump();
      });
  }

  // Requests the door answers.

  private handOver(kind: 'submit' | 'query' | 'cancel', command: SmscRequest['command'], raw: Buffer, commandId: number, sequence: number): void {
    const isSubmit = kind === 'submit';
    let fields: PduFields;
    try {
      fields = readPduFields(raw);
    } catch (error) {
      // Framing is intact (the PDU had its command_length): only this PDU is refused.
      this.log('warn', { err: (error as Error).message, sequence }, `unreadable ${command}`);
      if (isSubmit) this.countAnswered(SMPP_STATUS.invalidCommandLength);
      this.write(encodePdu('generic_nack', sequence, SMPP_STATUS.invalidCommandLength));
      return;
    }
    this.inFlight += 1;
    const request: SmscRequest = { command, sequenceNumber: sequence, raw, fields };
    const handler = this.options.handlers[kind];
    settle(() => handler(this, request))
      .catch((error: unknown): SmscAnswer => {
        this.log('warn', { err: String(error), command }, 'SMPP handler failed');
        return { status: SMPP_STATUS.systemError };
      })
      .then((answer) => {
        this.inFlight -= 1;
        const body = kind === 'cancel' ? {} : kind === 'query' ? { ...answer.fields } : { ...answer.fields, message_id: answer.messageId ?? '' };
        if (isSubmit) this.answerSubmit(commandId, sequence, answer.status, body);
        else this.respond(commandId, sequence, answer.status, body);
        if (this.state === 'unbinding' && this.esmeUnbind && this.inFlight === 0) this.finishUnbind();
        this.pump();
      });
  }

  private answerSubmit(commandId: number, sequence: number, status: number, fields: PduFields = { message_id: '' }): void {
    const messageId = typeof fields.message_id === 'string' ? fields.message_id : '';
    if (this.write(encodeMessageIdResponse(commandId, sequence, status, messageId))) this.countAnswered(status);
  }

  private countAnswered(status: number): void {
    this.counters.submitsAnswered += 1;
    if (status !== SMPP_STATUS.ok) this.counters.submitsRefused += 1;
  }

  private countRefusedSubmit(): void {
    this.counters.submitsReceived += 1;
    this.counters.submitsAnswered += 1;
    this.counters.submitsRefused += 1;
  }

  private finishUnbind(): void {
    const unbind = this.esmeUnbind;
    if (!unbind) return;
    this.esmeUnbind = null;
    this.write(encodePdu('unbind_resp', unbind.sequence));
    this.closeGracefully('unbind');
  }

  // Delivering.

  private pumpDelivers(): void {
    while (this.state === 'bound' && this.pendingDelivers.size < this.window && this.deliverQueue.length > 0) {
      const { raw, resolve } = this.deliverQueue.shift()!;
      const sequence = this.takeSequence();
      raw.writeUInt32BE(sequence, 12);
      if (!this.write(raw)) {
        this.counters.deliversLost += 1;
        resolve({ lost: true });
        continue;
      }
      this.counters.deliversSent += 1;
      this.pendingDelivers.set(sequence, { sentAt: now(), resolve });
    }
  }

  private loseDelivers(): void {
    const lost = [...this.pendingDelivers.values(), ...this.deliverQueue.splice(0)];
    this.pendingDelivers.clear();
    for (const deliver of lost) {
      if ('sentAt' in deliver) this.counters.deliversLost += 1;
      deliver.resolve({ lost: true });
    }
  }

  // Writing.

  /** The request's response (or generic_nack when it has none); false when the connection cannot take it. */
  private respond(commandId: number, sequence: number, status: number, fields: PduFields = {}): boolean {
    return this.write(encodePdu(responseCommand(commandId), sequence, status, fields));
  }

  /** Writes are gathered until the next tick: a burst of responses leaves in one buffer. */
  private write(raw: Buffer): boolean {
    if (this.state === 'closed' || !this.socket.writable) return false;
    if (this.outbox.length === 0) process.nextTick(() => this.flush());
    this.outbox.push(raw);
    return true;
  }

  private flush(): void {
    if (this.outbox.length === 0) return;
    const out = this.outbox.splice(0);
    if (this.state === 'closed' || !this.socket.writable) return;
    const drained = this.socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
    if (!drained && this.writeBlockedAt === null) {
      // The ESME does not read what we write: stop reading it until it does (never an unbounded write buffer).
      this.writeBlockedAt = now();
      this.socket.once('drain', () => {
        this.writeBlockedAt = null;
        this.pump();
      });
      this.matchSocketToReading();
    }
  }

  private takeSequence(): number {
    let sequence = this.nextSequence;
    while (this.pendingDelivers.has(sequence) || this.enquire?.sequence === sequence) sequence = sequence >= MAX_SEQUENCE ? 1 : sequence + 1;
    this.nextSequence = sequence >= MAX_SEQUENCE ? 1 : sequence + 1;
    return sequence;
  }

  // Closing.

  /** What is written goes out first, then FIN; an ESME that does not close its side in time is cut. */
  private closeGracefully(reason: string): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.state = 'closing';
    this.log('info', { reason }, 'SMPP client session closing');
    this.flush();
    this.loseDelivers();
    this.socket.end();
    this.destroyTimer = setTimeout(() => this.socket.destroy(), CLOSE_WAIT_MS);
    this.destroyTimer.unref();
    this.matchSocketToReading();
  }

  private onClose(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearInterval(this.tickTimer);
    clearTimeout(this.destroyTimer);
    this.outbox = [];
    this.loseDelivers();
    this.smscUnbind?.answered();
    try {
      this.options.handlers.closed?.(this);
    } finally {
      this.resolveClosed();
    }
  }

  /** Timers: the bind's, a blocked writer's, the ESME's unbind, keep-alive, deliver_sm answers. */
  private tick(): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    const at = now();
    const { bindTimeoutMs, idleMs, responseTimeoutMs } = this.options.timers;
    if ((this.state === 'open' || this.state === 'binding') && at - this.openedAt >= bindTimeoutMs) {
      return this.closeGracefully(`not bound within ${bindTimeoutMs} ms`);
    }
    if (this.writeBlockedAt !== null && at - this.writeBlockedAt > responseTimeoutMs) {
      this.log('warn', {}, 'SMPP client reads nothing of what is written: cut');
      this.socket.destroy();
      return;
    }
    if (this.esmeUnbind && at - this.esmeUnbind.at > responseTimeoutMs) {
      this.log('warn', { unanswered: this.inFlight }, `submits still unanswered ${responseTimeoutMs} ms after unbind`);
      return this.finishUnbind();
    }
    // While the session does not read, whatever the ESME answered is unseen: no answer is overdue.
    if (this.socketPaused) return;
    if (this.enquire && at - this.enquire.sentAt > responseTimeoutMs) {
      return this.closeGracefully(`no enquire_link_resp within ${responseTimeoutMs} ms`);
    }
    for (const [sequence, pending] of this.pendingDelivers) {
      if (at - pending.sentAt <= responseTimeoutMs) break; // in send order: the rest are younger
      this.pendingDelivers.delete(sequence);
      this.counters.deliversLost += 1;
      pending.resolve({ lost: true });
    }
    this.pumpDelivers();
    if (this.state === 'bound' && !this.enquire && at - this.lastReceivedAt >= idleMs) {
      const sequence = this.takeSequence();
      this.enquire = { sequence, sentAt: at };
      this.write(encodePdu('enquire_link', sequence));
    }
  }

  private log(level: 'info' | 'warn', detail: object, message: string): void {
    this.options.logger?.[level]({ smppSession: this.id, systemId: this.systemId, remoteAddress: this.remoteAddress, ...detail }, message);
  }
}

/** Runs an async handler so that a synchronous throw becomes a rejection. */
function settle<T>(run: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
