import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A callback receiver that counts events per (message, event); answers 204 to everything. */
export interface CountingReceiver {
  url: string;
  /** message uuid → callback_event → times received */
  seen: Map<string, Map<string, number>>;
  requests: number;
  events: number;
  close(): Promise<void>;
}

export async function startCountingReceiver(): Promise<CountingReceiver> {
  const seen = new Map<string, Map<string, number>>();
  const receiver = { seen, requests: 0, events: 0 } as CountingReceiver;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      receiver.requests++;
      const events = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message_uuid: string; callback_event: string }[];
      for (const event of events) {
        receiver.events++;
        const perMessage = seen.get(event.message_uuid) ?? new Map<string, number>();
        perMessage.set(event.callback_event, (perMessage.get(event.callback_event) ?? 0) + 1);
        seen.set(event.message_uuid, perMessage);
      }
      response.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}
