import type { Channel } from './domain/channels.js';
import type { PriceTable } from './domain/prices.js';

export const CONNECTOR_NAMES = ['simulator'] as const;
export type ConnectorName = (typeof CONNECTOR_NAMES)[number];

/** Every setting of the gateway; see README "Settings" for the file format, env names and flags. */
export interface GatewayConfig {
  /** A file path (SQLite) or, later, a postgres:// URL. */
  database: string;
  http: {
    host: string;
    port: number;
    /** Request bodies above this get 413 (spec §2.1: 16 MiB). */
    bodyLimitBytes: number;
  };
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
