/**
 * http.maxConnections bounds the open connections (issue 10 item 7): one beyond gets 503 in the envelope
 * (spec §2.1) with Retry-After and is closed; a place freed is taken again. Twice the cap is a hard limit.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { call, startGateway, type TestGateway } from '../support/gateway.js';
import { openRaw, rawExchange } from '../support/rawSocket.js';

const CAP = 3;

let gateway: TestGateway;
let auth: string;
before(async () => {
  gateway = await startGateway((config) => {
    config.http.maxConnections = CAP;
  });
  ({ auth } = await gateway.account('capped'));
});
after(() => gateway.close());

const PING = (key: string) => `GET /api/v1/ping HTTP/1.1\r\nHost: x\r\nAuthorization: ${key}\r\nConnection: close\r\n\r\n`;

it(`with ${CAP} connections open, the next gets 503 {"code":5030} and is closed; once one closes, a new one is served`, async () => {
  const held = await Promise.all(Array.from({ length: CAP }, () => openRaw(gateway.url)));
  try {
    const refused = await rawExchange(gateway.url, PING(auth), 8_000);
    assert.ok(refused.closedByServer, 'the connection over the cap was kept open');
    assert.equal(refused.status, 503, refused.text);
    assert.deepEqual(refused.body, { error: { code: 5030, msg: 'Service unavailable' } });
    assert.equal(refused.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(refused.headers.connection, 'close');
    // The held connections are served as usual.
    held[0]!.socket.write(PING(auth));
    const served = await held[0]!.closed;
    assert.equal(served.status, 200, served.text);
    // Its place is free again (the server counts it closed on its own 'close' event: give it a moment).
    let again = await rawExchange(gateway.url, PING(auth));
    for (let i = 0; i < 20 && again.status === 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      again = await rawExchange(gateway.url, PING(auth));
    }
    assert.equal(again.status, 200, again.text);
  } finally {
    for (const { socket } of held) socket.destroy();
  }
  // fetch's pooled connections count too; they are under the cap now.
  assert.equal((await call(gateway, 'GET', '/api/v1/ping', { auth })).status, 200);
});

it(`beyond twice the cap (${2 * CAP} connections, refused ones waiting for their first request), a connection is closed unanswered`, async () => {
  const held = await Promise.all(Array.from({ length: 2 * CAP }, () => openRaw(gateway.url)));
  try {
    const dropped = await openRaw(gateway.url, 8_000);
    const answer = await dropped.closed;
    assert.ok(answer.closedByServer, 'a connection beyond twice the cap was kept open');
    assert.equal(answer.text, '');
  } finally {
    for (const { socket } of held) socket.destroy();
  }
});
