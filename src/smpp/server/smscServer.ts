/**
 * The gateway's SMPP listener for client ESMEs (`smpp-interface.md` §1): a TCP or TLS server, one SmscSession per
 * connection. Plain node:net / node:tls servers rather than the `smpp` library's createServer, whose sessions are
 * the library's own (see smscSession.ts for why we frame the stream ourselves).
 */
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { SmscSession } from './smscSession.js';
import { DEFAULT_SMSC_TIMERS, type SessionInfo, type SmppLogger, type SmscTimers } from './smscTypes.js';
import type { SmscHandlers } from './smscSession.js';

export interface SmscTlsOptions {
  /** PEM text (the caller reads the configured files). */
  cert: string | Buffer;
  key: string | Buffer;
}

export interface SmscServerOptions {
  host: string;
  /** 0 = any free port (see `port` of the result). */
  port: number;
  tls?: SmscTlsOptions | null;
  /** The gateway's system_id in every bind_resp (spec §1: default `direct-gateway`, the caller's config). */
  systemId: string;
  handlers: SmscHandlers;
  timers?: Partial<SmscTimers>;
  logger?: SmppLogger;
}

export interface SmscServer {
  /** The port listened on. */
  readonly port: number;
  readonly tls: boolean;
  /** Stops listening, ends every session (bound ones are sent unbind first) and resolves once all are closed. */
  close(): Promise<void>;
  sessions(): SessionInfo[];
  /** The live sessions themselves (the door delivers through them). */
  liveSessions(): SmscSession[];
}

export async function startSmscServer(options: SmscServerOptions): Promise<SmscServer> {
  const timers: SmscTimers = { ...DEFAULT_SMSC_TIMERS, ...options.timers };
  const useTls = Boolean(options.tls);
  const live = new Set<SmscSession>();
  let nextId = 1;
  let closing = false;

  const accept = (socket: net.Socket): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    const session = new SmscSession(socket, {
      id: nextId++,
      systemId: options.systemId,
      handlers: options.handlers,
      timers,
      tls: useTls,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    live.add(session);
    void session.closed.then(() => live.delete(session));
  };

  const server: net.Server = options.tls
    ? tls.createServer({ cert: options.tls.cert, key: options.tls.key }, accept)
    : net.createServer(accept);
  if (options.tls) {
    server.on('tlsClientError', (error: Error, socket: tls.TLSSocket) => {
      options.logger?.warn({ err: error.message, remoteAddress: socket.remoteAddress }, 'SMPP TLS handshake failed');
    });
  }
  server.listen(options.port, options.host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw error;
    }),
  ]);
  server.on('error', (error: Error) => options.logger?.warn({ err: error.message }, 'SMPP listener error'));
  const address = server.address() as net.AddressInfo;
  options.logger?.info({ host: options.host, port: address.port, tls: useTls }, 'SMPP listener started');

  let closed: Promise<void> | undefined;
  return {
    port: address.port,
    tls: useTls,
    sessions: () => [...live].map((session) => session.info()),
    liveSessions: () => [...live],
    close: () => {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all([...live].map((session) => session.shutdown()));
        await stopped;
      })();
      return closed;
    },
  };
}
