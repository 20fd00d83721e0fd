import type { FastifyInstance } from 'fastify';
import type { Clock } from './clock.js';
import type { GatewayConfig } from './config.js';
import { createDelivery, type Delivery } from './delivery/delivery.js';
import { startDeliveryThread } from './delivery/startDeliveryThread.js';
import { buildApp } from './http/app.js';
import { isPostgresUrl, openStore } from './store/openStore.js';
import { startCheckpointThread } from './store/sqlite/startCheckpointThread.js';
import { startSearchIndexThread } from './store/sqlite/startSearchIndexThread.js';
import { WriteLock } from './store/sqlite/writeLock.js';
import type { Store } from './store/store.js';

export interface Gateway {
  app: FastifyInstance;
  store: Store;
  /** Finishes in-flight requests, stops delivery and closes the database, in that order. */
  close(): Promise<void>;
}

/**
 * The gateway as `serve` runs it: the HTTP API in this thread, delivery in its own thread, and on SQLite
 * a third thread that checkpoints the WAL, so that neither writer stops to do it, and a fourth that adds new
 * messages to the search index of the list's content and tags filters, off the acceptance path.
 */
export async function startGateway(config: GatewayConfig, clock: Clock, onCrash: (error: Error) => void): Promise<Gateway> {
  const sqliteWriteLock = new SharedArrayBuffer(WriteLock.BYTES);
  const sqlite = !isPostgresUrl(config.database);
  const store = await openStore(config.database, { sqliteWriteLock, sqliteExternalCheckpoints: sqlite });
  const checkpoints = sqlite ? await startCheckpointThread(config.database, sqliteWriteLock, onCrash) : null;
  const searchIndex = sqlite ? await startSearchIndexThread(config.database, sqliteWriteLock, onCrash) : null;
  const app = await buildApp({ store, config, clock });
  const delivery = await startDeliveryThread(config, sqliteWriteLock, onCrash);
  return {
    app,
    store,
    async close() {
      await app.close();
      await delivery.stop();
      await searchIndex?.stop();
      await checkpoints?.stop();
      await store.close();
    },
  };
}

/**
 * Everything in one thread, delivery driven by the caller: tests run rounds by hand at an injected time
 * (`delivery.engine.runOnce()`, `delivery.callbacks.tick()`).
 */
export async function createInlineGateway(config: GatewayConfig, clock: Clock): Promise<Gateway & { delivery: Delivery }> {
  const store = await openStore(config.database);
  const app = await buildApp({ store, config, clock });
  const delivery = createDelivery(store, config, clock, app.log);
  return {
    app,
    store,
    delivery,
    async close() {
      await app.close();
      await delivery.engine.stop();
      await delivery.callbacks.stop();
      await store.close();
    },
  };
}
