import type { Logger } from 'pino';
import { createCallbackSender, type CallbackSender } from '../callbacks/callbackSender.js';
import type { Clock } from '../clock.js';
import type { GatewayConfig } from '../config.js';
import { buildConnectors } from '../engine/buildConnectors.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { USER_AGENT } from '../userAgent.js';
import type { Store } from '../store/store.js';

export interface Delivery {
  engine: Engine;
  callbacks: CallbackSender;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The delivery side of the gateway on a store: the engine with its connectors, and the callback sender. */
export function createDelivery(store: Store, config: GatewayConfig, clock: Clock, logger: Pick<Logger, 'info' | 'warn' | 'error'>): Delivery {
  const engine = createEngine({
    store,
    clock,
    connectors: buildConnectors(config, clock, logger, { whatsapp: store.whatsapp, vk: store.vk }),
    prices: config.prices,
    ...config.engine,
    logger,
  });
  const callbacks = createCallbackSender({
    outbox: store.callbacks,
    clock,
    allowPrivateTargets: config.callbacks.allowPrivateTargets,
    userAgent: USER_AGENT,
    concurrency: config.callbacks.concurrency,
    perHostConcurrency: config.callbacks.perHostConcurrency,
    perAccountConcurrency: config.callbacks.perAccountConcurrency,
    batchWaitMs: config.callbacks.batchWaitMs,
    logger,
  });
  return {
    engine,
    callbacks,
    async start() {
      await engine.start();
      callbacks.start();
    },
    async stop() {
      await engine.stop();
      await callbacks.stop();
    },
  };
}
