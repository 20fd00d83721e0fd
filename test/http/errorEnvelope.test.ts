/**
 * Every error answer is the envelope, whatever layer writes it (spec §2.1, §3.3; issue 10 item 8): Node's
 * parser and its own checks answer below Fastify, on the socket. Raw bytes over node:net, so that nothing
 * in a client library tidies the request or the answer. (Fastify's own answers — unknown path or method 404,
 * 413, bad JSON 400, no 415 — were already the envelope: badInput.test.ts.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { rawExchange } from '../support/rawSocket.js';

let gateway: TestGateway;
before(async () => {
  gateway = await startGateway();
});
after(() => gateway.close());

const KIB = 1024;
const JSON_TYPE = 'application/json; charset=utf-8';

function assertEnvelope(answer: Awaited<ReturnType<typeof rawExchange>>, status: number, msg: string): void {
  assert.equal(answer.status, status, answer.text);
  assert.deepEqual(answer.body, { error: { code: status * 10, msg } }, answer.text);
  assert.equal(answer.headers['content-type'], JSON_TYPE, answer.text);
  assert.equal(Number(answer.headers['content-length']), Buffer.byteLength(answer.text.slice(answer.text.indexOf('\r\n\r\n') + 4)));
}

describe('answers Node writes itself, in the envelope', () => {
  it('headers over 16 KiB → 431 {"code":4310}', async () => {
    const answer = await rawExchange(gateway.url, `GET /api/v1/ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * KIB)}\r\n\r\n`);
    assertEnvelope(answer, 431, 'Request header fields too large');
  });

  it('a URL over 16 KiB → 431', async () => {
    const answer = await rawExchange(gateway.url, `GET /api/v1/message?${'a'.repeat(17 * KIB)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assertEnvelope(answer, 431, 'Request header fields too large');
  });

  it('not HTTP, a malformed request line, a bad Content-Length, chunked with Content-Length, a bad chunk → 400 {"code":4000}', async () => {
    for (const bytes of [
      'hello\r\n\r\n',
      'GET /api/v1/ping HTTP/9.9\r\nHost: x\r\n\r\n',
      'FOO\x01 /api/v1/ping HTTP/1.1\r\nHost: x\r\n\r\n',
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      'POST /api/v1/message HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      'POST /api/v1/message HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
      'POST /api/v1/message HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'GET /api/v1/ping HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n',
    ]) {
      assertEnvelope(await rawExchange(gateway.url, bytes), 400, 'Bad request');
    }
  });

  it('HTTP/1.1 without Host → 400 in the envelope (Node answers it with no body)', async () => {
    assertEnvelope(await rawExchange(gateway.url, 'GET /api/v1/ping HTTP/1.1\r\n\r\n'), 400, 'Bad request');
  });

  it('an Expect other than 100-continue → 417 {"code":4170}', async () => {
    const answer = await rawExchange(gateway.url, 'POST /api/v1/message HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n[]');
    assertEnvelope(answer, 417, 'Expectation failed');
  });

  it('CONNECT → 404 like any method no route has (Node would drop the connection)', async () => {
    const answer = await rawExchange(gateway.url, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    assertEnvelope(answer, 404, 'Not found');
  });
});
