import type { FastifyInstance } from 'fastify';
import type { Clock } from './clock.js';
import type { GatewayConfig } from './config.js';
import { createDelivery, type Delivery } from './delivery/delivery.js';
import { startDeliveryThread } from './delivery/startDeliveryThread.js';
import { buildApp, DEFAULT_SHORT_LINK_PATH } from './http/app.js';
import { openStore } from './store/openStore.js';
import { serveStore } from './store/servedStore.js';
import type { Store } from './store/store.js';
import { startSmppDoor, type SmppDoor } from './smppDoor/startSmppDoor.js';
import { SANDBOX_SMPP_PORT } from './smppDoor/smppServerSettings.js';
import { listeningOrigin } from './http/origin.js';

export interface Gateway {
  app: FastifyInstance;
  store: Store;
  /** The SMPP door for clients, when `smppServer.enabled`. */
  smpp: SmppDoor | null;
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
  const smpp = await startSmppDoorIfEnabled(config, store, clock, app);
  const delivery = await startDeliveryThread(config, database.shared, onCrash);
  return {
    app,
    store,
    smpp,
    async close() {
      await app.close();
      await smpp?.close();
      await delivery.stop();
      await database.close();
    },
  };
}

async function startSmppDoorIfEnabled(config: GatewayConfig, store: Store, clock: Clock, app: FastifyInstance): Promise<SmppDoor | null> {
  if (!config.smppServer.enabled) return null;
  const start = (port: number) =>
    startSmppDoor({
      store,
      settings: { ...config.smppServer, port },
      prices: config.prices,
      now: () => clock.now(),
      shortLinkBase: () => config.shortLinkBase ?? `${listeningOrigin(app, config)}${DEFAULT_SHORT_LINK_PATH}`,
      logger: app.log,
    });
  try {
    return await start(config.smppServer.port);
  } catch (error) {
    // Two sandboxes on one machine: the second takes any free port for SMPP (its banner says which) rather than not starting.
    const busy = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    if (!(busy && config.sandbox && config.smppServer.port === SANDBOX_SMPP_PORT)) throw error;
    app.log.warn({ port: SANDBOX_SMPP_PORT }, 'SMPP port 2775 is in use: the sandbox SMPP door listens on another port (see the banner)');
    return start(0);
  }
}

/**
 * Everything in one thread, delivery driven by the caller: tests run rounds by hand at an injected time
 * (`delivery.engine.runOnce()`, `delivery.callbacks.tick()`).
 */
export async function createInlineGateway(config: GatewayConfig, clock: Clock): Promise<Gateway & { delivery: Delivery }> {
  const store = await openStore(config.database);
  const app = await buildApp({ store, config, clock });
  const delivery = createDelivery(store, config, clock, app.log);
  const smpp = await startSmppDoorIfEnabled(config, store, clock, app);
  return {
    app,
    store,
    delivery,
    smpp,
    async close() {
      await app.close();
      await smpp?.close();
      await delivery.engine.stop();
      await delivery.callbacks.stop();
      await store.close();
    },
  };
}
