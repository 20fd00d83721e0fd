/**
 * shutdownTimeoutMs bounds how long `serve` takes to stop (issue 10 item 11): a request that never completes
 * (its body dripped) holds the drain; after the timeout it is cut, a log line says so, and the exit code is 1.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { startServe } from '../support/serveProcess.js';
import { drip, openRaw } from '../support/rawSocket.js';
import { storeAccount } from '../support/storeAccount.js';
import { createdDatabase, tempDir } from './cliHarness.js';

const SHUTDOWN_MS = 1_000;

it(`a request still arriving at SIGTERM is cut after shutdownTimeoutMs (${SHUTDOWN_MS} ms): "shutdown timeout" logged, exit 1`, { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const database = createdDatabase(join(dir, 'gateway.db'));
  const settings = join(dir, 'settings.json');
  // The request timeout is far away: only the shutdown timeout can end this request.
  const { auth } = await storeAccount(database);
  writeFileSync(settings, JSON.stringify({ shutdownTimeoutMs: SHUTDOWN_MS, http: { requestTimeoutMs: 600_000 } }));
  const { child, origin } = await startServe(['--db', database, '--port', '0', '--config', settings], { DGW_LOG_LEVEL: 'info' });
  let log = '';
  child.stdout!.on('data', (chunk: string) => (log += chunk));
  const exited = once(child, 'exit');

  const { socket, closed } = await openRaw(origin, 60_000);
  socket.write(`POST /api/v1/message HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`);
  drip(socket, '['.repeat(1000), 100);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const signalledAt = Date.now();
  child.kill('SIGTERM');
  const [code] = await exited;
  const tookMs = Date.now() - signalledAt;
  const cut = await closed;

  assert.equal(code, 1, log.slice(-2000));
  assert.ok(tookMs >= SHUTDOWN_MS - 100, `exited after ${tookMs} ms, before the timeout`);
  assert.ok(tookMs < SHUTDOWN_MS + 10_000, `exited after ${tookMs} ms`);
  assert.ok(cut.closedByServer, 'the connection outlived the process');
  const lines = log.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg: string; openConnections?: number });
  const last = lines.at(-1);
  assert.match(last?.msg ?? '', /^shutdown timeout: not stopped within 1000 ms; cutting 1 open connection/, log.slice(-2000));
  assert.equal(last?.openConnections, 1);
});
