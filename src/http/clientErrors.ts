import type { Socket } from 'node:net';
import { errors, type ApiError } from './apiError.js';
import { writeOnSocket } from './rawAnswer.js';

/** What Node's parser and timers report on a connection ('clientError'), as the API answers it (spec §2.1, §3.4). */
function answerFor(code: string | undefined): ApiError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return errors.requestTimeout(); // headers or body too slow
  if (code === 'HPE_HEADER_OVERFLOW') return errors.headersTooLarge(); // URL plus headers over 16 KiB
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return errors.payloadTooLarge();
  return errors.badRequest(); // bad request line, header syntax, framing (chunked + Content-Length, …)
}

/**
 * Replaces Fastify's handler, whose bodies are not the envelope. Like Node's own: nothing is written once an
 * answer has begun on the socket (that would corrupt it), and the connection is always closed.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answering = (socket as Socket & { _httpMessage?: { headersSent: boolean } | null })._httpMessage;
  if (socket.writable && !answering?.headersSent) writeOnSocket(socket, answerFor(error.code));
  else socket.destroy();
}
