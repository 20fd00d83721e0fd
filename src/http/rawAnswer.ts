import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiError } from './apiError.js';

/** The same Content-Type as Fastify's answers (spec §2.1). */
const JSON_TYPE = 'application/json; charset=utf-8';
/** A socket whose peer does not read our last answer is not kept waiting for it longer than this. */
const LAST_WRITE_MS = 1_000;

/**
 * An error answered below Fastify, on Node's response object (missing Host, Expect, connection cap, drain):
 * still the error envelope (spec §2.1), and the connection is closed after it.
 */
export function answerRaw(res: ServerResponse, error: ApiError): void {
  const body = JSON.stringify(error.body());
  res.writeHead(error.status, {
    ...error.headers,
    'Content-Type': JSON_TYPE,
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  });
  res.end(body);
}

/**
 * An error written straight on the socket, where Node's parser gave up (bad syntax, headers too large,
 * a request too slow) and no response object can be trusted: the envelope, then the connection ends.
 */
export function writeOnSocket(socket: Duplex, error: ApiError): void {
  const body = JSON.stringify(error.body());
  const extra = Object.entries(error.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\n${extra}Content-Type: ${JSON_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), LAST_WRITE_MS).unref();
}
