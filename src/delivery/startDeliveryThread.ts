import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { GatewayConfig } from '../config.js';

export interface DeliveryThread {
  /** Stops the engine and the callback sender after their in-flight work, then the thread. */
  stop(): Promise<void>;
}

/** Starts delivery in its own thread; a crash of that thread ends the process, loudly (nothing is lost: all state is in the store). */
export async function startDeliveryThread(
  config: GatewayConfig,
  sqliteWriteLock: SharedArrayBuffer,
  onCrash: (error: Error) => void,
): Promise<DeliveryThread> {
  const worker = new Worker(new URL('./deliveryThread.js', import.meta.url), { workerData: { config, sqliteWriteLock } });
  worker.on('error', onCrash);
  const [first] = (await Promise.race([once(worker, 'message'), once(worker, 'exit').then(() => ['exited'])])) as unknown[];
  if (first !== 'started') throw new Error('the delivery thread failed to start');
  return {
    async stop() {
      worker.postMessage('stop');
      await Promise.race([once(worker, 'message'), once(worker, 'exit')]);
      await worker.terminate();
    },
  };
}
