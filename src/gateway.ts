import type { FastifyInstance } from 'fastify';
import type { Clock } from './clock.js';
import type { GatewayConfig } from './config.js';
import { createDelivery, type Delivery } from './delivery/delivery.js';
import { startDeliveryThread } from './delivery/startDeliveryThread.js';
import { buildApp } from './http/app.js';
import { openStore } from './store/openStore.js';
import { serveStore } from './store/servedStore.js';
import type { Store } from './store/store.js';

export interface Gateway {
  app: FastifyInstance;
  store: Store;
  /** Finishes in-flight requests, stops delivery and closes the database, in that order. */
  close(): Promise<void>;
}

/**
 * The gateway as `serve` runs it: the HTTP API in this thread, delivery in its own thread, and the database's
 * own threads, if it has any (store/servedStore.ts: on SQLite, WAL checkpoints and the search index).
 */
export async function startGateway(config: GatewayConfig, clock: Clock, onCrash: (error: Error) => void): Promise<Gateway> {
  const database = await serveStore(config.database, onCrash);
  const { store } = database;
  const app = await buildApp({ store, config, clock });
  const delivery = await startDeliveryThread(config, database.shared, onCrash);
  return {
    app,
    store,
    async close() {
      await app.close();
      await delivery.stop();
      await database.close();
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
