/**
 * A real callback receiver for end-to-end tests: node:http on 127.0.0.1, port 0. It records the method, path,
 * headers, raw body and parsed JSON body of every request, and answers with the status the test chooses.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { onReceived, type ReceivedRequest } from './receivedRequest.js';

export type ReceivedCallback = ReceivedRequest;

/** One event object of a callback body (spec §11.4). */
export type CallbackEventBody = Record<string, unknown> & { message_uuid: string; callback_event: string };

/** The status code for the n-th request (0-based, counted over all paths), or `hang` to never answer. */
export type ReceiverAnswer = (index: number, request: ReceivedCallback) => number | 'hang';

export interface CallbackReceiver {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `origin + path`, for use as a callbackUrl. */
  url(path?: string): string;
  /** Every request, in arrival order. */
  readonly requests: ReceivedCallback[];
  /** The POSTs whose body carries at least one event of this message. */
  requestsFor(messageUuid: string): ReceivedCallback[];
  /** Every event object of every POST body, flattened in arrival order. */
  events(): CallbackEventBody[];
  /** The events of one message, in arrival order. */
  eventsFor(messageUuid: string): CallbackEventBody[];
  /** Changes how the following requests are answered. */
  answerWith(answer: ReceiverAnswer): void;
  close(): Promise<void>;
}

export async function startCallbackReceiver(answer: ReceiverAnswer = () => 200): Promise<CallbackReceiver> {
  const requests: ReceivedCallback[] = [];
  let current = answer;
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    onReceived(req, (received) => {
      requests.push(received);
      const decision = current(requests.length - 1, received);
      if (decision === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(decision, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const eventsOf = (request: ReceivedCallback): CallbackEventBody[] =>
    Array.isArray(request.body) ? (request.body as CallbackEventBody[]) : [];
  return {
    origin,
    url: (path = '/callback') => origin + path,
    requests,
    requestsFor: (uuid) => requests.filter((r) => eventsOf(r).some((e) => e.message_uuid === uuid)),
    events: () => requests.flatMap(eventsOf),
    eventsFor: (uuid) => requests.flatMap(eventsOf).filter((e) => e.message_uuid === uuid),
    answerWith(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
