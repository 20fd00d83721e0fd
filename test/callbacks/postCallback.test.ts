/** The raw POST alone: what it sends, and how each kind of failure comes back (it never rejects). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closePostTransport, createPostTransport, postCallback } from '../../src/callbacks/postCallback.js';

async function server(handler: http.RequestListener): Promise<{ origin: string; close(): Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { s.closeAllConnections(); s.close(() => resolve()); }),
  };
}

test('a POST carries the body, its length and the headers given; the status comes back', async () => {
  let seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string } | undefined;
  const target = await server((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen = { method: request.method, url: request.url, headers: request.headers, body };
      response.writeHead(204).end();
    });
  });
  const transport = createPostTransport(2_000, true);
  try {
    const result = await postCallback(transport, `${target.origin}/hook?x=1`, { 'x-test': 'yes' }, '[{"a":"é"}]');
    assert.equal(result.httpStatus, 204);
    assert.equal(result.error, null);
    assert.equal(result.hostFailed, false);
    assert.ok(result.latencyMs >= 0);
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.url, '/hook?x=1');
    assert.equal(seen?.headers['x-test'], 'yes');
    assert.equal(seen?.headers['content-length'], String(Buffer.byteLength('[{"a":"é"}]')));
    assert.equal(seen?.body, '[{"a":"é"}]');
  } finally {
    closePostTransport(transport);
    await target.close();
  }
});

test('a non-2xx answer is an answer: its status, no host failure', async () => {
  const target = await server((_request, response) => response.writeHead(503).end('busy'));
  const transport = createPostTransport(2_000, true);
  try {
    const result = await postCallback(transport, target.origin, {}, '[]');
    assert.deepEqual({ status: result.httpStatus, error: result.error, hostFailed: result.hostFailed }, { status: 503, error: null, hostFailed: false });
  } finally {
    closePostTransport(transport);
    await target.close();
  }
});

test('no answer within the timeout: no status, the error says so, and the host counts as failed', async () => {
  const target = await server(() => undefined); // never answers
  const transport = createPostTransport(100, true);
  try {
    const result = await postCallback(transport, target.origin, {}, '[]');
    assert.equal(result.httpStatus, null);
    assert.match(result.error ?? '', /timeout after 100 ms/);
    assert.equal(result.hostFailed, true);
  } finally {
    closePostTransport(transport);
    await target.close();
  }
});

test('an invalid URL and a private literal address are refused without a request and without blaming a host', async () => {
  const transport = createPostTransport(1_000, false);
  try {
    const invalid = await postCallback(transport, 'not a url', {}, '[]');
    assert.deepEqual(invalid, { httpStatus: null, error: 'invalid callback URL', latencyMs: 0, hostFailed: false });
    const loopback = await postCallback(transport, 'http://127.0.0.1:9/hook', {}, '[]');
    assert.equal(loopback.httpStatus, null);
    assert.ok(loopback.error);
    assert.equal(loopback.hostFailed, false);
  } finally {
    closePostTransport(transport);
  }
});

test('a refused connection: no status, the host counts as failed', async () => {
  const target = await server(() => undefined);
  const origin = target.origin;
  await target.close();
  const transport = createPostTransport(1_000, true);
  try {
    const result = await postCallback(transport, origin, {}, '[]');
    assert.equal(result.httpStatus, null);
    assert.match(result.error ?? '', /ECONNREFUSED/);
    assert.equal(result.hostFailed, true);
  } finally {
    closePostTransport(transport);
  }
});
