import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, defaultConfig, loadConfig } from '../src/configLoad.js';
import { DEFAULT_PRICES } from '../src/domain/prices.js';

const folder = mkdtempSync(join(tmpdir(), 'dgw-config-'));
after(() => rmSync(folder, { recursive: true, force: true }));
let fileCount = 0;

function configFile(content: unknown): string {
  const path = join(folder, `config-${++fileCount}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

test('defaults: SQLite at ./data/gateway.db, 127.0.0.1:8080, 16 MiB, RUB, default prices, private callbacks off, info', () => {
  const config = loadConfig({}, {});
  assert.equal(config.database, './data/gateway.db');
  assert.deepEqual(config.http, {
    host: '127.0.0.1',
    port: 8080,
    bodyLimitBytes: 16 * 1024 * 1024,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 60_000,
    keepAliveTimeoutMs: 72_000,
    maxConnections: 10_000,
  });
  assert.equal(config.shutdownTimeoutMs, 25_000);
  assert.equal(config.sandbox, false);
  assert.equal(config.defaultCurrency, 'RUB');
  assert.deepEqual(config.prices, DEFAULT_PRICES);
  assert.equal(config.callbacks.allowPrivateTargets, false);
  assert.equal(config.logLevel, 'info');
  assert.deepEqual(defaultConfig(), config);
  assert.notEqual(config.prices, DEFAULT_PRICES, 'a copy: changing it cannot change the defaults');
});

test('the config file sets every key; amounts as strings or numbers; unlisted channels keep their price', () => {
  const path = configFile({
    database: '/var/lib/dgw/gateway.db',
    http: { host: '0.0.0.0', port: 9000, bodyLimitBytes: 1024, headersTimeoutMs: 500, requestTimeoutMs: 900, keepAliveTimeoutMs: 700, maxConnections: 5 },
    shutdownTimeoutMs: 1500,
    defaultCurrency: 'USD',
    prices: { SMS: '2.5', VOICECODE: 3.1234, VK: 0 },
    callbacks: { allowPrivateTargets: true, batchWaitMs: 0, concurrency: 8, perHostConcurrency: 2, perAccountConcurrency: 3 },
    channels: { SMS: { connector: 'simulator' } },
    engine: { leaseMs: 5000, batchSize: 10, idleMs: 5, maxConcurrentHandoffs: 3 },
    simulator: { deliveryDelayMs: 0, slowDelayMs: 100, readDelayMs: 7 },
    logLevel: 'debug',
  });
  const config = loadConfig({ configFile: path }, {});
  assert.equal(config.database, '/var/lib/dgw/gateway.db');
  assert.deepEqual(config.http, { host: '0.0.0.0', port: 9000, bodyLimitBytes: 1024, headersTimeoutMs: 500, requestTimeoutMs: 900, keepAliveTimeoutMs: 700, maxConnections: 5 });
  assert.equal(config.shutdownTimeoutMs, 1500);
  assert.equal(config.defaultCurrency, 'USD');
  assert.deepEqual(config.prices, { ...DEFAULT_PRICES, SMS: 25_000, VOICECODE: 31_234, VK: 0 });
  assert.deepEqual(config.callbacks, { allowPrivateTargets: true, batchWaitMs: 0, concurrency: 8, perHostConcurrency: 2, perAccountConcurrency: 3 });
  assert.equal(config.channels.SMS.connector, 'simulator');
  assert.deepEqual(config.engine, { leaseMs: 5000, batchSize: 10, idleMs: 5, maxConcurrentHandoffs: 3 });
  assert.deepEqual(config.simulator, { deliveryDelayMs: 0, slowDelayMs: 100, readDelayMs: 7 });
  assert.equal(config.logLevel, 'debug');
});

test('precedence: flags > env > file > defaults', () => {
  const path = configFile({ database: 'file.db', http: { host: 'file-host', port: 1001 }, logLevel: 'warn', callbacks: { allowPrivateTargets: false } });
  const env = { DGW_DATABASE_URL: 'env.db', DGW_HTTP_HOST: 'env-host', DGW_HTTP_PORT: '1002', DGW_LOG_LEVEL: 'error', DGW_CALLBACK_ALLOW_PRIVATE: '1' };
  const fileOnly = loadConfig({ configFile: path }, {});
  assert.deepEqual([fileOnly.database, fileOnly.http.host, fileOnly.http.port, fileOnly.logLevel], ['file.db', 'file-host', 1001, 'warn']);
  const withEnv = loadConfig({ configFile: path }, env);
  assert.deepEqual(
    [withEnv.database, withEnv.http.host, withEnv.http.port, withEnv.logLevel, withEnv.callbacks.allowPrivateTargets],
    ['env.db', 'env-host', 1002, 'error', true],
  );
  const withFlags = loadConfig({ configFile: path, db: 'flag.db', host: 'flag-host', port: 1003, sandbox: true }, env);
  assert.deepEqual([withFlags.database, withFlags.http.host, withFlags.http.port, withFlags.sandbox], ['flag.db', 'flag-host', 1003, true]);
});

test('env: empty variables count as unset; DGW_CALLBACK_ALLOW_PRIVATE takes 1/0/true/false', () => {
  const config = loadConfig({}, { DGW_DATABASE_URL: '', DGW_HTTP_PORT: '', DGW_LOG_LEVEL: '' });
  assert.equal(config.database, './data/gateway.db');
  assert.equal(config.http.port, 8080);
  for (const [value, expected] of [['1', true], ['true', true], ['0', false], ['false', false]] as const) {
    assert.equal(loadConfig({}, { DGW_CALLBACK_ALLOW_PRIVATE: value }).callbacks.allowPrivateTargets, expected);
  }
  assert.throws(() => loadConfig({}, { DGW_CALLBACK_ALLOW_PRIVATE: 'yes' }), /DGW_CALLBACK_ALLOW_PRIVATE must be 1 or 0/);
});

test('ports: 0 (any free port) to 65535 are accepted; 65536, fractions and junk are not, from any source', () => {
  assert.equal(loadConfig({ port: 0 }, {}).http.port, 0);
  assert.equal(loadConfig({ port: 1 }, {}).http.port, 1);
  assert.equal(loadConfig({}, { DGW_HTTP_PORT: '65535' }).http.port, 65535);
  assert.equal(loadConfig({ configFile: configFile({ http: { port: 0 } }) }, {}).http.port, 0);
  for (const port of [65536, 1.5, -1, Number.NaN]) {
    assert.throws(() => loadConfig({ port }, {}), (error: unknown) => error instanceof ConfigError && /--port must be a port number 0\.\.65535/.test(error.message));
  }
  for (const port of ['65536', '80a', '8080.0', ' 80', '-1']) {
    assert.throws(() => loadConfig({}, { DGW_HTTP_PORT: port }), /DGW_HTTP_PORT must be a port number/);
  }
  for (const port of [-1, 65536, '8080', 80.5]) {
    assert.throws(() => loadConfig({ configFile: configFile({ http: { port } }) }, {}), /http\.port must be a port number/);
  }
});

test('the config file: unknown keys are rejected by their full name', () => {
  for (const [content, key] of [
    [{ databse: 'x' }, 'databse'],
    [{ http: { prot: 1 } }, 'http.prot'],
    [{ prices: { SMSS: '1' } }, 'prices.SMSS'],
    [{ callbacks: { allowPrivate: true } }, 'callbacks.allowPrivate'],
    [{ sandbox: true }, 'sandbox'],
    [{ engine: { lease: 1 } }, 'engine.lease'],
    [{ simulator: { delay: 1 } }, 'simulator.delay'],
    [{ channels: { SMS: { driver: 'x' } } }, 'channels.SMS.driver'],
    [{ channels: { VIBER: {} } }, 'channels.VIBER'],
  ] as const) {
    assert.throws(() => loadConfig({ configFile: configFile(content) }, {}), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, new RegExp(`unknown key "${key.replace('.', '\\.')}"`));
      return true;
    });
  }
});

test('the config file: bad values name the key and the value', () => {
  const cases: [unknown, RegExp][] = [
    [{ prices: { SMS: '2.55555' } }, /prices\.SMS must be a non-negative amount with at most 4 decimals.*"2\.55555"/],
    [{ prices: { SMS: '-1' } }, /prices\.SMS must be a non-negative amount/],
    [{ prices: { SMS: 1e21 } }, /prices\.SMS must be/],
    [{ prices: { SMS: true } }, /prices\.SMS must be/],
    [{ prices: [] }, /prices must be a JSON object/],
    [{ http: { host: '' } }, /http\.host must be a non-empty string/],
    [{ http: { bodyLimitBytes: 0 } }, /http\.bodyLimitBytes must be a positive integer/],
    [{ http: 'localhost' }, /http must be a JSON object/],
    [{ defaultCurrency: 'rub' }, /defaultCurrency must be a 3-letter ISO 4217 code/],
    [{ callbacks: { allowPrivateTargets: 1 } }, /callbacks\.allowPrivateTargets must be true or false/],
    [{ logLevel: 'verbose' }, /logLevel must be one of fatal, error, warn, info, debug, trace, silent/],
    [{ database: 42 }, /database must be a non-empty string/],
    [[], /\(top level\) must be a JSON object/],
    [{ engine: { batchSize: 0 } }, /engine\.batchSize must be an integer >= 1; got 0/],
    [{ engine: { leaseMs: 999 } }, /engine\.leaseMs must be an integer >= 1000/],
    [{ simulator: { deliveryDelayMs: -1 } }, /simulator\.deliveryDelayMs must be an integer >= 0/],
    [{ callbacks: { concurrency: 0 } }, /callbacks\.concurrency must be an integer >= 1/],
    [{ callbacks: { perHostConcurrency: 0 } }, /callbacks\.perHostConcurrency must be an integer >= 1/],
    [{ callbacks: { perAccountConcurrency: 2.5 } }, /callbacks\.perAccountConcurrency must be an integer >= 1/],
    [{ callbacks: { batchWaitMs: 1.5 } }, /callbacks\.batchWaitMs must be an integer >= 0/],
    [{ channels: { SMS: { connector: 'smpp' } } }, /channels\.SMS\.connector must be one of simulator/],
  ];
  for (const [content, message] of cases) {
    const path = configFile(content);
    assert.throws(() => loadConfig({ configFile: path }, {}), (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(error.message, message);
      assert.ok(error.message.startsWith(`config file ${path}: `), error.message);
      return true;
    });
  }
});

test('a missing or malformed config file is a clear error', () => {
  assert.throws(() => loadConfig({ configFile: '/nonexistent/dgw.json' }, {}), /cannot read config file \/nonexistent\/dgw\.json/);
  assert.throws(() => loadConfig({ configFile: configFile('{"database": ') }, {}), /is not valid JSON/);
});

test('env and flag values are validated too', () => {
  assert.throws(() => loadConfig({}, { DGW_LOG_LEVEL: 'loud' }), /DGW_LOG_LEVEL must be one of/);
  assert.throws(() => loadConfig({ db: '' }, {}), /--db must be a non-empty string/);
  assert.throws(() => loadConfig({ host: ' ' }, {}), /--host must be a non-empty string/);
});

test('delivery settings from the file: engine, simulator, channels, callbacks, short links, sip, voice', () => {
  const config = loadConfig(
    {
      configFile: configFile({
        engine: { leaseMs: 5000, batchSize: 200, idleMs: 10, maxConcurrentHandoffs: 50 },
        simulator: { deliveryDelayMs: 0, slowDelayMs: 100, readDelayMs: 50 },
        channels: { VOICECODE: { connector: 'sip' }, FLASHCALL: { connector: 'sip' } },
        callbacks: { allowPrivateTargets: true, batchWaitMs: 0, concurrency: 8 },
        shortLinkBase: 'https://s.example.com/l/',
        sip: {
          trunkHost: 'sip.example.com',
          trunkPort: 5080,
          localAddress: '10.0.0.5',
          callerNumber: '74951112233',
          authUser: 'gw',
          authPassword: 'secret',
          codecs: ['PCMU'],
          ringTimeoutMs: 20000,
          flashcallNumberPattern: '749500XXXX',
        },
        voice: { voice: 'ru', rate: 130, repeat: 3 },
      }),
    },
    {},
  );
  assert.deepEqual(config.engine, { leaseMs: 5000, batchSize: 200, idleMs: 10, maxConcurrentHandoffs: 50 });
  assert.deepEqual(config.simulator, { deliveryDelayMs: 0, slowDelayMs: 100, readDelayMs: 50 });
  assert.equal(config.channels.VOICECODE.connector, 'sip');
  assert.equal(config.channels.SMS.connector, 'simulator');
  assert.deepEqual(config.callbacks, { allowPrivateTargets: true, batchWaitMs: 0, concurrency: 8, perHostConcurrency: 64, perAccountConcurrency: 96 });
  assert.equal(config.shortLinkBase, 'https://s.example.com/l');
  assert.equal(config.sip.trunkHost, 'sip.example.com');
  assert.equal(config.sip.trunkPort, 5080);
  assert.deepEqual([config.sip.authUser, config.sip.authPassword, config.sip.authRealm], ['gw', 'secret', null]);
  assert.deepEqual(config.sip.codecs, ['PCMU']);
  assert.equal(config.sip.flashcallNumberPattern, '749500XXXX');
  assert.equal(config.sip.maxConcurrentCalls, 200, 'unset keys keep their defaults');
  assert.deepEqual(config.voice, { voice: 'ru', rate: 130, repeat: 3 });
});

test('bad delivery settings are refused with the key named', () => {
  const bad: [unknown, RegExp][] = [
    [{ engine: { leaseMs: 10 } }, /engine\.leaseMs/],
    [{ engine: { batchsize: 10 } }, /unknown key "engine\.batchsize"/],
    [{ channels: { SMS: { connector: 'smtp' } } }, /channels\.SMS\.connector/],
    [{ channels: { VIBER: { connector: 'sip' } } }, /channels\.VIBER/],
    [{ sip: { codecs: ['G729'] } }, /sip\.codecs/],
    [{ sip: { codecs: [] } }, /sip\.codecs/],
    [{ sip: { flashcallNumberPattern: '7495123' } }, /sip\.flashcallNumberPattern/],
    [{ sip: { transport: 'tcp' } }, /sip\.transport/],
    [{ sip: { rtpPortMin: 30000, rtpPortMax: 20000 } }, /rtpPortMin/],
    [{ sip: { trunk: 'x' } }, /unknown key "sip\.trunk"/],
    [{ voice: { repeat: 0 } }, /voice\.repeat/],
    [{ shortLinkBase: 'ftp://x' }, /shortLinkBase/],
    [{ callbacks: { concurrency: 0 } }, /callbacks\.concurrency/],
  ];
  for (const [content, message] of bad) {
    assert.throws(() => loadConfig({ configFile: configFile(content) }, {}), (error: unknown) => error instanceof ConfigError && message.test(error.message), JSON.stringify(content));
  }
});
