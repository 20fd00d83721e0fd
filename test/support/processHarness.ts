/** What the tests that run `serve` as a child process share: a free port, waiting for a condition, an API call. */
import { createServer } from 'node:net';
import { jsonOrUndefined } from './receivedRequest.js';

/** A port free on 127.0.0.1 now (a child is told it, so that a restart listens where the platforms call). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once `check` holds, looking every `everyMs`; fails naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** GET `path`, or POST `body` as JSON, with the API key: the status, the body as JSON (or undefined) and as text. */
export async function apiCall(origin: string, auth: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(origin + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: jsonOrUndefined(text), text };
}
