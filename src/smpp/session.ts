/**
 * One SMPP bind to an SMSC (SMPP 3.4), as a state machine: connect (TCP or TLS), bind, keep alive, reconnect.
 * The `smpp` library encodes our PDUs; the stream is framed by us (pduFraming.ts), so that every PDU's raw octets
 * are at hand and sequence numbers, windows and timeouts are ours. Each connection's PDU traffic is a PduDispatch
 * (pduDispatch.ts); submits go through the SubmitWindow (submitWindow.ts).
 *
 * idle → connecting → binding → bound; a refused bind, a lost connection or an SMSC unbind (→ unbinding) leads to
 * waiting, then connecting again after a backoff doubling from reconnectMinMs to reconnectMaxMs (back to the
 * minimum once bound); stop() → stopped, from any state.
 * - Keep-alive: an enquire_link when the SMSC has sent nothing for enquireLinkMs.
 * - No bind_resp, or no response to any request but unbind, within responseTimeoutMs → the connection is dropped
 *   and re-made (an unanswered submit's window slot cannot be reused while the SMSC may still hold it).
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import smpp from 'smpp';
import { COMMAND, ESME_ROK, RESPONSE_BIT } from './commandCodes.js';
import { CLOSE_WAIT_MS, PduDispatch, type InboundPdu } from './pduDispatch.js';
import { SubmitWindow, type SubmitResult } from './submitWindow.js';

export type SessionMode = 'transceiver' | 'transmitter' | 'receiver';
export type SessionState = 'idle' | 'connecting' | 'binding' | 'bound' | 'unbinding' | 'waiting' | 'stopped';

/** The part of a pino logger we use. */
export interface SmppLogger {
  info(detail: object, message: string): void;
  warn(detail: object, message: string): void;
}

/** What the session needs of an SMSC's settings (the connector's SmscConfig has these and more). */
export interface SessionSettings {
  host: string;
  port: number;
  tls: boolean;
  tlsCaFile: string | null;
  systemId: string;
  password: string;
  systemType: string;
  /** Outstanding submit_sm at most. */
  window: number;
  /** submit_sm per second; 0 = unlimited. */
  throughputPerBind: number;
  enquireLinkMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  responseTimeoutMs: number;
}

/** What the owner's table says of a command_status: whether it asks to slow down, and its name for logs. */
export interface CommandStatusRules {
  isThrottling(status: number): boolean;
  describe(status: number): string;
}

export interface SessionOptions {
  config: SessionSettings;
  mode: SessionMode;
  /** For logs, e.g. `smpp:main#1/transceiver`. */
  label: string;
  statuses: CommandStatusRules;
  /** A deliver_sm / data_sm; returns the command_status of its response (0 = ESME_ROK). */
  onDeliver(pdu: InboundPdu): number;
  /** Called each time the session becomes bound. */
  onBound?(): void;
  logger?: SmppLogger;
}

/** One TCP connection; a reconnect makes a new one, so late events of an old socket are recognised and ignored. */
interface Link {
  socket: net.Socket;
  pdus: PduDispatch;
  openedAt: number;
  enquiring: boolean;
  bound: boolean;
}

/** How long stop() waits for unbind_resp and then for the socket to close. */
const UNBIND_WAIT_MS = CLOSE_WAIT_MS;

const now = (): number => performance.now();

export class SmppSession {
  state: SessionState = 'idle';
  /** Connections opened so far (for tests and logs). */
  connectAttempts = 0;
  private link: Link | undefined;
  private readonly submits: SubmitWindow;
  private failedConnects = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private readonly tlsCa: Buffer | undefined;
  private closeWaiters: (() => void)[] = [];

  constructor(private readonly options: SessionOptions) {
    const { config, statuses } = options;
    this.submits = new SubmitWindow({
      rate: config.throughputPerBind,
      window: config.window,
      link: () => (this.link && this.state === 'bound' && this.options.mode !== 'receiver' ? this.link.pdus : undefined),
      isThrottling: (status) => statuses.isThrottling(status),
      // The SMSC does not see this connection as bound: bind again rather than submit into it.
      onNotBound: () => {
        if (this.link) this.drop(this.link, 'submit_sm answered ESME_RINVBNDSTS');
      },
    });
    this.tlsCa = config.tls && config.tlsCaFile ? readFileSync(config.tlsCaFile) : undefined;
  }

  get bound(): boolean {
    return this.state === 'bound';
  }

  get canSubmit(): boolean {
    return this.state === 'bound' && this.options.mode !== 'receiver';
  }

  /** Submits written and not yet answered. */
  get outstanding(): number {
    return this.link ? this.submits.outstanding : 0;
  }

  /** Submits waiting for the window, the pacer or a throttling pause. */
  get queued(): number {
    return this.submits.queued;
  }

  /** Submits per second allowed now (Infinity = unlimited); below the configured rate after throttling. */
  get currentRate(): number {
    return this.submits.currentRate;
  }

  /** Unanswered submits allowed now; below the configured window after throttling. */
  get currentWindow(): number {
    return this.submits.currentWindow;
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
    return this.submits.submit(pdu, deadline);
  }

  /** Unbinds and closes; queued submits resolve `unsent`, unanswered ones `lost` if the SMSC does not answer in time. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const link = this.link;
    const wasBound = this.state === 'bound';
    this.state = 'stopped';
    clearTimeout(this.reconnectTimer);
    this.submits.stop();
    clearInterval(this.tickTimer);
    this.submits.failQueued('the connector is stopping');
    if (!link) return;
    const closed = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    if (wasBound) {
      const answered = new Promise<void>((resolve) => {
        link.pdus.request(new smpp.PDU('unbind', {}).toBuffer(), 'unbind', { onResponse: () => resolve(), onLost: () => resolve() });
      });
      await Promise.race([answered, delay(UNBIND_WAIT_MS)]);
      link.pdus.flush();
    }
    // A graceful close (FIN) whatever the state, a bind in flight included: destroying a socket that still has
    // unread bytes (a bind_resp on its way) would reset the SMSC's side.
    link.socket.end();
    await Promise.race([closed, delay(UNBIND_WAIT_MS)]);
    link.socket.destroy();
    await closed;
  }

  private connect(): void {
    this.state = 'connecting';
    this.connectAttempts += 1;
    const { host, port, tls: useTls } = this.options.config;
    const socket = useTls ? tls.connect({ host, port, ...(this.tlsCa ? { ca: this.tlsCa } : {}) }) : net.connect({ host, port });
    socket.setNoDelay(true);
    const pdus = new PduDispatch(socket, {
      onDeliver: (pdu) => this.options.onDeliver(pdu),
      onUnbind: () => {
        this.log('info', {}, 'SMPP unbind by the SMSC');
        if (this.state !== 'stopped') this.state = 'unbinding';
      },
      log: (level, detail, message) => this.log(level, detail, message),
    });
    const link: Link = { socket, pdus, openedAt: now(), enquiring: false, bound: false };
    this.link = link;
    socket.once(useTls ? 'secureConnect' : 'connect', () => this.bind(link));
    socket.on('data', (chunk: Buffer) => {
      if (this.link === link) pdus.receive(chunk);
    });
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
    link.pdus.request(raw, command, {
      onResponse: (_raw, header) => {
        if (this.link !== link || this.state === 'stopped') return;
        if (header.commandStatus !== ESME_ROK || header.commandId !== bindCommandId + RESPONSE_BIT) {
          const answer = header.commandId === COMMAND.generic_nack ? 'generic_nack' : `${command}_resp`;
          this.log('warn', { answer, status: this.options.statuses.describe(header.commandStatus) }, 'SMPP bind refused');
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
        this.submits.pump();
      },
      onLost: () => undefined,
    });
  }

  private onClose(link: Link): void {
    if (this.link !== link) return;
    this.link = undefined;
    this.submits.connectionClosed();
    link.pdus.connectionClosed();
    const waiters = this.closeWaiters.splice(0);
    for (const resolve of waiters) resolve();
    if (this.state === 'stopped') return;
    // Queued submits may go on another bind at once instead of waiting for this one to come back.
    this.submits.failQueued('the connection was lost before it was sent');
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

  /** Timers: deadlines of queued submits, the bind's and every request's response timeout, keep-alive. */
  private tick(): void {
    const at = now();
    this.submits.expireDue(at);
    const link = this.link;
    if (!link) return;
    const { responseTimeoutMs, enquireLinkMs } = this.options.config;
    if (!link.bound && at - link.openedAt > responseTimeoutMs) return this.drop(link, `not bound within ${responseTimeoutMs} ms`);
    const overdue = link.pdus.overdueRequest(at, responseTimeoutMs);
    if (overdue) return this.drop(link, `no ${overdue.command}_resp to sequence ${overdue.sequence} within ${responseTimeoutMs} ms`);
    if (link.bound && !link.enquiring && this.state === 'bound' && at - link.pdus.lastReceivedAt >= enquireLinkMs) {
      link.enquiring = true;
      link.pdus.request(new smpp.PDU('enquire_link', {}).toBuffer(), 'enquire_link', {
        onResponse: () => (link.enquiring = false),
        onLost: () => undefined,
      });
    }
  }

  private log(level: 'info' | 'warn', detail: object, message: string): void {
    this.options.logger?.[level]({ smsc: this.label, ...detail }, message);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
