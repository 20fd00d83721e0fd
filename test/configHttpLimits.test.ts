/** The HTTP limits and the shutdown timeout are settings, checked like the others (issue 10 items 7, 11). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/configLoad.js';

const folder = mkdtempSync(join(tmpdir(), 'dgw-limits-'));
after(() => rmSync(folder, { recursive: true, force: true }));
let fileCount = 0;

function load(content: unknown) {
  const path = join(folder, `config-${++fileCount}.json`);
  writeFileSync(path, JSON.stringify(content));
  return loadConfig({ configFile: path }, {});
}

test('http timeouts, the connection cap and shutdownTimeoutMs are read from the file', () => {
  const config = load({ http: { headersTimeoutMs: 2000, requestTimeoutMs: 3000, keepAliveTimeoutMs: 4000, maxConnections: 50 }, shutdownTimeoutMs: 9000 });
  assert.equal(config.http.headersTimeoutMs, 2000);
  assert.equal(config.http.requestTimeoutMs, 3000);
  assert.equal(config.http.keepAliveTimeoutMs, 4000);
  assert.equal(config.http.maxConnections, 50);
  assert.equal(config.shutdownTimeoutMs, 9000);
});

test('out-of-range values are refused, naming the setting', () => {
  for (const [file, message] of [
    [{ http: { headersTimeoutMs: 5 } }, /http\.headersTimeoutMs must be an integer >= 10; got 5/],
    [{ http: { requestTimeoutMs: 'soon' } }, /http\.requestTimeoutMs must be an integer >= 10/],
    [{ http: { keepAliveTimeoutMs: 0 } }, /http\.keepAliveTimeoutMs must be an integer >= 1/],
    [{ http: { maxConnections: 0 } }, /http\.maxConnections must be an integer >= 1/],
    [{ http: { maxConnections: 1.5 } }, /http\.maxConnections must be an integer >= 1/],
    [{ shutdownTimeoutMs: 50 }, /shutdownTimeoutMs must be an integer >= 100; got 50/],
    [{ shutdownTimeoutMs: null }, /shutdownTimeoutMs must be an integer >= 100/],
  ] as const) {
    assert.throws(() => load(file), (error: Error) => error instanceof ConfigError && message.test(error.message), JSON.stringify(file));
  }
});

test('a headers timeout above the request timeout is refused (Node would throw at start)', () => {
  assert.throws(() => load({ http: { headersTimeoutMs: 5000, requestTimeoutMs: 1000 } }), /http\.headersTimeoutMs \(5000\) must not be above http\.requestTimeoutMs \(1000\)/);
  assert.throws(() => load({ http: { requestTimeoutMs: 1000 } }), /http\.headersTimeoutMs \(10000\) must not be above/);
});
