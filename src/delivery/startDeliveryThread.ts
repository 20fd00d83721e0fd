import type { GatewayConfig } from '../config.js';
import type { SharedDatabase } from '../store/openStore.js';
import { startWorkerThread, type WorkerThread } from '../workerThread.js';

/** Stopping it stops the engine and the callback sender after their in-flight work, then the thread. */
export type DeliveryThread = WorkerThread;

/** Starts delivery in its own thread; a crash of that thread ends the process, loudly (nothing is lost: all state is in the store). */
export function startDeliveryThread(config: GatewayConfig, database: SharedDatabase, onCrash: (error: Error) => void): Promise<DeliveryThread> {
  return startWorkerThread('delivery', new URL('./deliveryThread.js', import.meta.url), { config, database }, onCrash);
}
