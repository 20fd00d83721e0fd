import type { PriceTable } from './domain/prices.js';

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
  };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}
