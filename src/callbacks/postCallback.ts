/**
 * The raw HTTP side of a callback: one POST of a body with its headers, within one deadline for connect plus
 * response, through keep-alive agents and the SSRF guard's lookup (targetGuard.ts). It knows nothing of
 * deliveries or retries; callbackAttempt.ts says what its result means.
 */
import { Buffer } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { guardedLookup, refuseLiteralHost, RefusedTargetError } from './targetGuard.js';

/** Keep-alive agents and the rules every POST follows; one per sender. */
export interface PostTransport {
  timeoutMs: number;
  allowPrivateTargets: boolean;
  lookup: ReturnType<typeof guardedLookup>;
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
}

export interface PostResult {
  httpStatus: number | null;
  error: string | null;
  latencyMs: number;
  /** No answer from the host (timeout, connection or TLS error): counts against the host, unlike a refused target. */
  hostFailed: boolean;
}

export function createPostTransport(timeoutMs: number, allowPrivateTargets: boolean): PostTransport {
  return {
    timeoutMs,
    allowPrivateTargets,
    lookup: guardedLookup(allowPrivateTargets),
    httpAgent: new http.Agent({ keepAlive: true }),
    httpsAgent: new https.Agent({ keepAlive: true }),
  };
}

/** Closes the kept-alive sockets. */
export function closePostTransport(transport: PostTransport): void {
  transport.httpAgent.destroy();
  transport.httpsAgent.destroy();
}

/** One POST; never rejects. A stale keep-alive socket reset before any answer is retried once on a fresh one. */
export async function postCallback(transport: PostTransport, url: string, headers: Record<string, string>, body: string): Promise<PostResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { httpStatus: null, error: 'invalid callback URL', latencyMs: 0, hostFailed: false };
  }
  const refusal = refuseLiteralHost(target.hostname, transport.allowPrivateTargets);
  if (refusal) return { httpStatus: null, error: refusal.message, latencyMs: latency(), hostFailed: false };
  const bytes = Buffer.from(body);
  const deadline = started + transport.timeoutMs;
  for (let tries = 0; ; tries++) {
    const answer = await postOnce(transport, target, { ...headers, 'Content-Length': String(bytes.length) }, bytes, deadline);
    if (answer.staleSocket && tries === 0) continue;
    return { httpStatus: answer.httpStatus, error: answer.error, latencyMs: latency(), hostFailed: answer.httpStatus === null && !answer.refused };
  }
}

function postOnce(
  transport: PostTransport,
  target: URL,
  headers: Record<string, string>,
  body: Buffer,
  deadline: number,
): Promise<{ httpStatus: number | null; error: string | null; staleSocket: boolean; refused: boolean }> {
  return new Promise((resolve) => {
    const secure = target.protocol === 'https:';
    const request = (secure ? https : http).request({
      method: 'POST',
      protocol: target.protocol,
      hostname: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port || undefined,
      path: `${target.pathname}${target.search}`,
      headers,
      agent: secure ? transport.httpsAgent : transport.httpAgent,
      lookup: transport.lookup,
    });
    let settled = false;
    const settle = (httpStatus: number | null, error: string | null, staleSocket = false, refused = false) => {
      if (settled) return;
      settled = true;
      resolve({ httpStatus, error, staleSocket, refused });
    };
    // One deadline for connect + response; it also bounds draining the ignored response body.
    const timer = setTimeout(
      () => request.destroy(Object.assign(new Error(`timeout after ${transport.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      Math.max(0, deadline - performance.now()),
    );
    request.on('close', () => clearTimeout(timer));
    request.on('response', (response) => {
      settle(response.statusCode ?? null, null);
      response.on('error', () => {});
      response.resume(); // drained, so the keep-alive socket can be reused
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      const refused = error instanceof RefusedTargetError;
      settle(null, error.message || error.code || 'request failed', request.reusedSocket && error.code === 'ECONNRESET', refused);
    });
    request.end(body);
  });
}
