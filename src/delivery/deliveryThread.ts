import { workerData } from 'node:worker_threads';
import pino from 'pino';
import { systemClock } from '../clock.js';
import type { GatewayConfig } from '../config.js';
import { openStore, type SharedDatabase } from '../store/openStore.js';
import { serveAsWorkerThread } from '../workerThread.js';
import { createDelivery } from './delivery.js';

/**
 * The delivery worker thread: its own database connection, the engine and the callback sender, so that
 * delivery work never holds up the HTTP thread (two cores: one accepts, one delivers).
 */
const { config, database } = workerData as { config: GatewayConfig; database: SharedDatabase };
const logger = pino({ level: config.logLevel, base: { thread: 'delivery' } });
// Only `serve` starts this thread: the database is shared as serve runs it (store/servedStore.ts).
const store = await openStore(config.database, { shared: database });
const delivery = createDelivery(store, config, systemClock, logger);
await delivery.start();
serveAsWorkerThread(async () => {
  await delivery.stop();
  await store.close();
});
