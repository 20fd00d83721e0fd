import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../config.js';

/** `http://host:port` of a listening app; the port is the real one when the setting was 0. */
export function listeningOrigin(app: FastifyInstance, config: GatewayConfig): string {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
  return `http://${host}:${port}`;
}
