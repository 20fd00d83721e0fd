import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseJsonBody } from './jsonDepth.js';

/**
 * The platforms sign the exact bytes of their webhooks: a webhook door (a plugin of its own) keeps them as a Buffer,
 * instead of the app's JSON parser, whatever the content type, up to `bodyLimit`.
 */
export function keepRawBodies(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, raw: Buffer, done) => done(null, raw));
}

/** The bytes kept by keepRawBodies (none for a request without a body). */
export function rawBodyOf(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

/** The JSON of kept bytes, read with the API's bounds (parseJsonBody), or undefined when they are not such JSON. */
export function jsonOfRawBody(raw: Buffer): unknown {
  try {
    return parseJsonBody(raw);
  } catch {
    return undefined;
  }
}
