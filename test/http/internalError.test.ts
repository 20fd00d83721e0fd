/**
 * A 500 is the envelope even when what failed is the answer itself (spec §2.1, §3.4; issue 10 item 8): a route
 * whose header Node refuses (ERR_INVALID_CHAR, as short links once did). (A route that throws was already
 * answered in the envelope.) Test routes are added
 * to the real app before it listens; requests over a real socket.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { defaultConfig } from '../../src/configLoad.js';
import { buildApp } from '../../src/http/app.js';
import { openStore } from '../../src/store/openStore.js';
import type { Store } from '../../src/store/store.js';
import { ManualClock } from '../support/manualClock.js';
import { rawExchange } from '../support/rawSocket.js';

const dir = mkdtempSync(join(tmpdir(), 'dgw-500-'));
let store: Store;
let app: FastifyInstance;
let url: string;
before(async () => {
  const config = defaultConfig();
  config.database = join(dir, 'gateway.db');
  config.logLevel = 'silent';
  store = await openStore(config.database);
  app = await buildApp({ store, config, clock: new ManualClock() });
  app.get('/test/bad-header', async (_request, reply) => reply.header('x-link', 'http://x.example/\u0001').send({ ok: true }));
  app.get('/test/bad-redirect', async (_request, reply) => reply.redirect('http://x.example/\u0001', 302));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
after(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const path of ['/test/bad-header', '/test/bad-redirect']) {
  it(`${path} → 500 {"code":5000,"msg":"Internal error"}`, async () => {
    const answer = await rawExchange(url, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.match(answer.text, /^HTTP\/1\.1 500 Internal Server Error\r\n/, answer.text);
    assert.deepEqual(answer.body, { error: { code: 5000, msg: 'Internal error' } }, answer.text);
    assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(answer.headers.location, undefined);
  });
}
