import type http from 'node:http';

/** A request a stand-in received, as tests read it back. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, e.g. `/cb/outcomes`. */
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  /** The parsed body (undefined when it was not JSON). */
  body: unknown;
  /** Real time it arrived (Date.now()). */
  receivedAt: number;
}

/** Reads the whole request, then hands it over with its body parsed as JSON when it is JSON. */
export function onReceived(req: http.IncomingMessage, done: (received: ReceivedRequest) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    done({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, body: jsonOrUndefined(raw), receivedAt: Date.now() });
  });
}

/** The text as JSON, or undefined when it is not JSON. */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
