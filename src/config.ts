import type { Channel } from './domain/channels.js';
import type { PriceTable } from './domain/prices.js';
import type { SmscConfig } from './connectors/smpp/smppConfig.js';

/** Built-in connectors; an SMSC of `smpp.smscs` is the connector `smpp:<its name>`. */
export const CONNECTOR_NAMES = ['simulator', 'sip'] as const;
export type ConnectorName = (typeof CONNECTOR_NAMES)[number] | `smpp:${string}`;

/** Every setting of the gateway; see README "Settings" for the file format, env names and flags. */
export interface GatewayConfig {
  /** A file path (SQLite) or, later, a postgres:// URL. */
  database: string;
  http: {
    host: string;
    port: number;
    /** Request bodies above this get 413 (spec §2.1: 16 MiB). */
    bodyLimitBytes: number;
    /** From the connection (or a request's first byte) to the end of its headers; later → 408, or a silent close if nothing came. */
    headersTimeoutMs: number;
    /** From a request's first byte to the end of its body (a dripped body) → 408. Not the time to answer. */
    requestTimeoutMs: number;
    /** An idle kept-alive connection is closed after this. */
    keepAliveTimeoutMs: number;
    /** Open connections at once; a connection beyond gets 503 and is closed. */
    maxConnections: number;
  };
  /** SIGTERM/SIGINT: after this, what is still open is cut and the process exits 1. */
  shutdownTimeoutMs: number;
  /** `serve --sandbox`: demo account, loopback only. */
  sandbox: boolean;
  /** Currency of accounts created without --currency. */
  defaultCurrency: string;
  /** Per channel; SMS per part. Units of 1/10000 of the account's currency. */
  prices: PriceTable;
  callbacks: {
    /** Allow callback targets on loopback/private/link-local addresses (spec §5.10). */
    allowPrivateTargets: boolean;
    /** How long an event may wait for others to the same URL to fill a batch (spec §11.1: ≤ 1 s). */
    batchWaitMs: number;
    /** Callback POSTs in flight at once. */
    concurrency: number;
    /** Callback POSTs in flight to one host (scheme, host, port) at once, on this node. */
    perHostConcurrency: number;
    /** Callback POSTs in flight for one account at once, on this node. */
    perAccountConcurrency: number;
  };
  /** Short links (spec §5.11): null = `http://{http.host}:{http.port}/s`. */
  shortLinkBase: string | null;
  /** Which connector delivers each channel (issue 3: only the simulator). */
  channels: Record<Channel, { connector: ConnectorName }>;
  engine: {
    /** A claim protects a message from other workers this long; longer than any hand-off. */
    leaseMs: number;
    /** Messages claimed per round. */
    batchSize: number;
    /** Pause when a round finds nothing to do. */
    idleMs: number;
    maxConcurrentHandoffs: number;
  };
  /** The SIP connector (VOICECODE and FLASHCALL through a SIP trunk). */
  sip: {
    trunkHost: string;
    trunkPort: number;
    transport: 'udp';
    /** Address our SIP and RTP sockets bind to and announce (Via, Contact, SDP). */
    localAddress: string;
    /** 0 = any free port. */
    localPort: number;
    /** Caller ID (From user) of VOICECODE calls. */
    callerNumber: string;
    authUser: string | null;
    authPassword: string | null;
    authRealm: string | null;
    rtpPortMin: number;
    rtpPortMax: number;
    /** Offered in this order. */
    codecs: ('PCMA' | 'PCMU')[];
    maxConcurrentCalls: number;
    /** No answer within this time → CANCEL, error 602. */
    ringTimeoutMs: number;
    /** Calls per message (spec §6.1.3: one, no automatic redial). */
    callAttempts: number;
    /** FLASHCALL caller IDs: the X's are replaced by the code, e.g. `7495123XXXX`. */
    flashcallNumberPattern: string;
    /** How long a FLASHCALL rings before it is cancelled. */
    flashcallRingMs: number;
  };
  /** SMSCs the SMPP connector binds to (SMS; issue 5). */
  smpp: { smscs: SmscConfig[] };
  voice: {
    /** espeak-ng voice. */
    voice: string;
    /** Words per minute. */
    rate: number;
    /** How many times the code is read. */
    repeat: number;
  };
  simulator: {
    /** Hand-off to final status for ordinary numbers. */
    deliveryDelayMs: number;
    /** For the "slow" magic number. */
    slowDelayMs: number;
    /** Delivered to read, for the "read" magic number. */
    readDelayMs: number;
  };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}
