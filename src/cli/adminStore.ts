import type { Command } from 'commander';
import type { GatewayConfig } from '../config.js';
import { loadConfig } from '../configLoad.js';
import type { Account } from '../domain/account.js';
import { redactDatabasePassword } from '../store/databaseLocation.js';
import { openStore } from '../store/openStore.js';
import type { Store } from '../store/store.js';
import { CliError } from './cliError.js';

/** The options every admin command takes to find its database. */
export interface StoreOptions {
  db?: string;
  config?: string;
}

export function addStoreOptions(command: Command): Command {
  return command
    .option('--db <path>', 'SQLite file path or postgres:// URL; must exist (default: $DGW_DATABASE_URL, else ./data/gateway.db)')
    .option('--config <file>', 'JSON config file (README "Settings")');
}

/**
 * Opens the store the options point at, runs the work, and always closes the store after. A missing SQLite file is
 * refused, never created: a mistyped --db must not become a new empty database (serve and migrate create one).
 */
export async function withStore<T>(options: StoreOptions, work: (store: Store, config: GatewayConfig) => Promise<T>): Promise<T> {
  const config = loadConfig({ configFile: options.config, db: options.db });
  let store: Store;
  try {
    store = await openStore(config.database, { durable: true, create: false });
  } catch (error) {
    throw new CliError(`cannot open database ${redactDatabasePassword(config.database)}: ${(error as Error).message}`);
  }
  try {
    return await work(store, config);
  } finally {
    await store.close();
  }
}

export async function requireAccount(store: Store, name: string): Promise<Account> {
  const account = await store.accounts.byName(name);
  if (!account) throw new CliError(`no account named "${name}" (see: direct-gateway accounts list)`);
  return account;
}
