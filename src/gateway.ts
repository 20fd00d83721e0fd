import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { createCallbackSender, type CallbackSender } from './callbacks/callbackSender.js';
import type { Clock } from './clock.js';
import type { GatewayConfig } from './config.js';
import { buildConnectors } from './engine/buildConnectors.js';
import { createEngine, type Engine } from './engine/engine.js';
import { buildApp } from './http/app.js';
import { openStore } from './store/openStore.js';
import type { Store } from './store/store.js';

export interface Gateway {
  app: FastifyInstance;
  store: Store;
  engine: Engine;
  callbacks: CallbackSender;
  /** Finishes in-flight requests, stops delivery and closes the database, in that order. */
  close(): Promise<void>;
}

export const USER_AGENT = `direct-gateway/${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}`;

/** The whole gateway in one process: HTTP API, delivery engine with its connectors, callback sender. */
export async function createGateway(config: GatewayConfig, clock: Clock, options: { run?: boolean } = {}): Promise<Gateway> {
  const store = await openStore(config.database);
  const app = await buildApp({ store, config, clock });
  const engine = createEngine({
    store,
    clock,
    connectors: buildConnectors(config, clock),
    prices: config.prices,
    ...config.engine,
    logger: app.log,
  });
  const callbacks = createCallbackSender({
    outbox: store.callbacks,
    clock,
    allowPrivateTargets: config.callbacks.allowPrivateTargets,
    userAgent: USER_AGENT,
    concurrency: config.callbacks.concurrency,
    batchWaitMs: config.callbacks.batchWaitMs,
    logger: app.log,
  });
  if (options.run ?? true) {
    await engine.start();
    callbacks.start();
  }
  return {
    app,
    store,
    engine,
    callbacks,
    async close() {
      await app.close();
      await engine.stop();
      await callbacks.stop();
      await store.close();
    },
  };
}
