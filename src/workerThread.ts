import { once } from 'node:events';
import { parentPort, Worker } from 'node:worker_threads';

export interface WorkerThread {
  /** Asks the thread to finish its work and waits for it to say so, then ends it. */
  stop(): Promise<void>;
}

/**
 * Starts a thread of the gateway and waits for it to post 'started'. A crash of the thread goes to `onCrash`
 * (the process ends, loudly: all state is in the store). The thread answers the message 'stop' when it is done.
 */
export async function startWorkerThread(
  name: string,
  script: URL,
  workerData: unknown,
  onCrash: (error: Error) => void,
): Promise<WorkerThread> {
  const worker = new Worker(script, { workerData });
  worker.on('error', onCrash);
  const [first] = (await Promise.race([once(worker, 'message'), once(worker, 'exit').then(() => ['exited'])])) as unknown[];
  if (first !== 'started') throw new Error(`the ${name} thread failed to start`);
  return {
    async stop() {
      worker.postMessage('stop');
      await Promise.race([once(worker, 'message'), once(worker, 'exit')]);
      await worker.terminate();
    },
  };
}

/**
 * The thread's side of startWorkerThread, called by its script once it is running: says 'started', and on 'stop'
 * runs `stop` (finish the work, close what it opened) and says 'stopped'.
 */
export function serveAsWorkerThread(stop: () => void | Promise<void>): void {
  parentPort!.postMessage('started');
  parentPort!.once('message', async (message: unknown) => {
    if (message !== 'stop') return;
    await stop();
    parentPort!.postMessage('stopped');
  });
}
