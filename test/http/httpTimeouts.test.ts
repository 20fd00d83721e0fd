/**
 * Slow and idle clients are cut by the http.* timeouts (issue 10 item 7), with 408 in the envelope where a
 * request had begun (spec §2.1). Short timeouts through the settings; bounds generous for a loaded machine.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { call, startGateway, type TestGateway } from '../support/gateway.js';
import { drip, openRaw, type RawClose } from '../support/rawSocket.js';

const HEADERS_MS = 400;
const REQUEST_MS = 800;
const KEEP_ALIVE_MS = 500;
/** Well past every timeout above plus Node's checking interval, on a loaded machine: without the limits, nothing is cut by then. */
const LATE_MS = 8_000;

let gateway: TestGateway;
let auth: string;
before(async () => {
  gateway = await startGateway((config) => {
    config.http.headersTimeoutMs = HEADERS_MS;
    config.http.requestTimeoutMs = REQUEST_MS;
    config.http.keepAliveTimeoutMs = KEEP_ALIVE_MS;
  });
  ({ auth } = await gateway.account('slow'));
});
after(() => gateway.close());

function assertRequestTimeout(answer: RawClose): void {
  assert.equal(answer.status, 408, answer.text);
  assert.deepEqual(answer.body, { error: { code: 4080, msg: 'Request timeout' } });
  assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(answer.headers.connection, 'close');
}

async function assertPingAnswers(): Promise<void> {
  const ping = await call(gateway, 'GET', '/api/v1/ping', { auth });
  assert.equal(ping.status, 200);
}

it('a connection that never sends a byte is closed after http.headersTimeoutMs, silently', async () => {
  const { closed } = await openRaw(gateway.url, LATE_MS);
  const answer = await closed;
  assert.ok(answer.closedByServer, 'still open: idle connections are never closed');
  assert.ok(answer.afterMs >= HEADERS_MS - 50, `closed after ${answer.afterMs} ms`);
  assert.equal(answer.text, '');
});

it('headers dripped one byte every 100 ms → 408 after http.headersTimeoutMs', async () => {
  const { socket, closed } = await openRaw(gateway.url, LATE_MS);
  drip(socket, `GET /api/v1/ping HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`, 100);
  const answer = await closed;
  assert.ok(answer.closedByServer, 'slow headers are not cut');
  assertRequestTimeout(answer);
  assert.ok(answer.afterMs >= HEADERS_MS - 50, `cut after ${answer.afterMs} ms`);
  await assertPingAnswers();
});

it('a body dripped one byte every 200 ms → 408 after http.requestTimeoutMs, the API answering meanwhile', async () => {
  const { socket, closed } = await openRaw(gateway.url, LATE_MS);
  const body = '['.repeat(100);
  socket.write(`POST /api/v1/message HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
  drip(socket, body, 200);
  await assertPingAnswers();
  const answer = await closed;
  assert.ok(answer.closedByServer, 'a dripped body is never cut');
  assertRequestTimeout(answer);
  assert.ok(answer.afterMs >= REQUEST_MS - 50, `cut after ${answer.afterMs} ms`);
});

it('a kept-alive connection idle after its answer is closed after http.keepAliveTimeoutMs', async () => {
  const { socket, closed } = await openRaw(gateway.url, LATE_MS);
  socket.write(`GET /api/v1/ping HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\n\r\n`);
  const answer = await closed;
  assert.ok(answer.closedByServer, 'kept open');
  assert.equal(answer.status, 200, answer.text);
  assert.ok(answer.afterMs >= KEEP_ALIVE_MS - 50, `closed after ${answer.afterMs} ms`);
});
