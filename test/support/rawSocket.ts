/** A TCP connection to the gateway driven byte by byte (node:net): slow or malformed clients, exact answers. */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

export interface RawExchange {
  socket: Socket;
  /** Resolves when the server has closed the connection (or `giveUpMs` passed: then `closedByServer` is false). */
  closed: Promise<RawClose>;
}

export interface RawClose {
  closedByServer: boolean;
  afterMs: number;
  /** Everything the server wrote, parsed when it is one HTTP answer. */
  text: string;
  status: number | null;
  headers: Record<string, string>;
  body: unknown;
}

export async function openRaw(url: string, giveUpMs = 20_000): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  const started = Date.now();
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {}); // a reset after the answer still leaves the answer to check
  const closed = new Promise<RawClose>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(parse(false, Date.now() - started, Buffer.concat(chunks).toString('utf8')));
    }, giveUpMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(parse(true, Date.now() - started, Buffer.concat(chunks).toString('utf8')));
    });
  });
  return { socket, closed };
}

/** Writes `text` one character every `everyMs` while the connection is open. */
export function drip(socket: Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (i >= text.length || socket.destroyed || !socket.writable) return clearInterval(timer);
    socket.write(text[i++]!);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

/** Sends `bytes` on a new connection and waits for the server to close it. */
export async function rawExchange(url: string, bytes: string | Buffer, giveUpMs = 20_000): Promise<RawClose> {
  const { socket, closed } = await openRaw(url, giveUpMs);
  socket.write(bytes);
  return closed;
}

function parse(closedByServer: boolean, afterMs: number, text: string): RawClose {
  const head = /^HTTP\/1\.1 (\d{3}) [^\r\n]*\r\n((?:[^\r\n]+\r\n)*)\r\n/.exec(text);
  const headers: Record<string, string> = {};
  let body: unknown;
  if (head) {
    for (const line of head[2]!.split('\r\n').filter(Boolean)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    try {
      body = JSON.parse(text.slice(head[0].length));
    } catch {
      body = undefined;
    }
  }
  return { closedByServer, afterMs, text, status: head ? Number(head[1]) : null, headers, body };
}
