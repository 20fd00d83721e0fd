import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { GatewayConfig } from '../config.js';
import { errors } from './apiError.js';
import { answerRaw, writeOnSocket } from './rawAnswer.js';

/**
 * During a drain, a kept-alive connection that has carried no request for this long is closed. A client
 * under load sends its next request sooner and gets it answered with `Connection: close` instead; closing
 * a connection at once races with a request already on its way (ECONNRESET, issue 10 item 11).
 */
export const DRAIN_IDLE_MS = 250;
const DRAIN_POLL_MS = 25;

interface ConnectionState {
  /** Over the connection cap: its first request gets 503. */
  refused: boolean;
  inFlight: number;
  idleSince: number;
  /** socket.bytesRead when it went idle: more means a request has begun that Node has not handed over yet. */
  bytesReadWhenIdle: number;
}

export interface ConnectionGate {
  /** Stops accepting connections, answers what arrives on open ones with `Connection: close`, and resolves when every connection has closed. */
  drain(): Promise<void>;
  openConnections(): number;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Everything about connections that Node's HTTP server decides before Fastify sees a request: the idle
 * timeout of a new connection, the connection cap, answers Node would write without the envelope (missing
 * Host, unknown Expect, CONNECT), and the drain at shutdown. Sits in front of Fastify's request listener.
 */
export function installConnectionGate(server: Server, http: GatewayConfig['http']): ConnectionGate {
  const connections = new Map<Socket, ConnectionState>();
  let admitted = 0;
  let draining = false;

  // Refused connections hold a socket until their first request: beyond twice the cap, Node drops them unanswered.
  server.maxConnections = 2 * http.maxConnections;
  server.on('connection', (socket: Socket) => {
    const refused = admitted >= http.maxConnections;
    if (!refused) admitted += 1;
    connections.set(socket, { refused, inFlight: 0, idleSince: Date.now(), bytesReadWhenIdle: 0 });
    // Node times a request's headers only from its first byte: a connection that never sends one would stay open forever.
    socket.setTimeout(http.headersTimeoutMs);
    socket.once('close', () => {
      connections.delete(socket);
      if (!refused) admitted -= 1;
    });
  });

  const handlers = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    socket.setTimeout(0); // the new-connection timeout is over; keep-alive and request timeouts take it from here
    const state = connections.get(socket);
    if (state) {
      state.inFlight += 1;
      res.once('close', () => {
        state.inFlight -= 1;
        state.idleSince = Date.now();
        state.bytesReadWhenIdle = socket.bytesRead;
      });
    }
    if (state?.refused) return answerRaw(res, errors.unavailable());
    // RFC 9112 §3.2: HTTP/1.1 needs Host (Node's own check answers without a body; it is turned off).
    if (req.httpVersion === '1.1' && req.headers.host === undefined) return answerRaw(res, errors.badRequest());
    if (draining) res.setHeader('Connection', 'close');
    for (const handler of handlers) handler(req, res);
  });
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => answerRaw(res, errors.expectationFailed()));
  // CONNECT is a method no route has (spec §2.1: 404); without this listener Node drops the connection.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => writeOnSocket(socket, errors.notFound()));

  return {
    openConnections: () => connections.size,
    async drain() {
      draining = true;
      // net.Server's close, not http.Server's: that one would also drop idle kept-alive connections at once.
      if (server.listening) NetServer.prototype.close.call(server);
      while (connections.size > 0) {
        const now = Date.now();
        for (const [socket, state] of connections) {
          const quiet = state.inFlight === 0 && socket.bytesRead === state.bytesReadWhenIdle && now - state.idleSince >= DRAIN_IDLE_MS;
          if (quiet) socket.destroy();
        }
        await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
      }
    },
  };
}
