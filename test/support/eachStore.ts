import { after, before, describe } from 'node:test';
import type { GatewayConfig } from '../../src/config.js';
import { startGateway, type AccountOptions, type TestGateway } from './gateway.js';
import type { ManualClock } from './manualClock.js';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from './postgresDatabase.js';
import { uniqueName } from './http.js';

/** The gateway of a block and its account, set before the block's first test. */
export interface GatewayOnStore {
  gateway: TestGateway;
  auth: string;
}

export interface EachStoreOptions {
  /** The account every test of the block uses (default: 1000 RUB, nothing approved). */
  account?: AccountOptions;
  /** Settings of the block's gateway beyond the test defaults (the database is set after them). */
  configure?: (config: GatewayConfig) => void;
  /** The block's clock (default: a ManualClock at its default time). */
  clock?: () => ManualClock;
}

/**
 * Runs `suite` twice over real HTTP: on a gateway on SQLite, and on one on a fresh PostgreSQL database (`prefix`
 * names it) when DGW_TEST_POSTGRES_URL is set, skipped saying so otherwise. Each block has its gateway and an account,
 * opened before its first test and closed, database dropped, after its last. `suite` reads `ctx` inside hooks and tests.
 */
export function describeOnEachStore(title: string, prefix: string, suite: (ctx: GatewayOnStore) => void, options: EachStoreOptions = {}): void {
  block(`${title} on SQLite`, null, suite, options);
  describe('PostgreSQL', { skip: SKIP_WITHOUT_POSTGRES }, () => block(`${title} on PostgreSQL`, prefix, suite, options));
}

function block(title: string, postgresPrefix: string | null, suite: (ctx: GatewayOnStore) => void, options: EachStoreOptions): void {
  describe(title, () => {
    const ctx = {} as GatewayOnStore;
    let drop = async () => {};
    before(async () => {
      const database = postgresPrefix === null ? null : await createTestDatabase(postgresPrefix);
      if (database) drop = database.drop;
      ctx.gateway = await startGateway((config: GatewayConfig) => {
        options.configure?.(config);
        if (database) config.database = database.url;
      }, options.clock?.());
      ({ auth: ctx.auth } = await ctx.gateway.account(uniqueName(postgresPrefix ?? 'sqlite'), options.account));
    });
    after(async () => {
      await ctx.gateway?.close();
      await drop();
    });
    suite(ctx);
  });
}
