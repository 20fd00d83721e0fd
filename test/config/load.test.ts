/** config/load.ts: one schema, every problem reported at once; precedence and the shape of what is loaded. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { defaultConfig, loadConfig } from '../../src/config/load.js';
import { CONFIG_FILE_SCHEMA } from '../../src/config/schema.js';

const folder = mkdtempSync(join(tmpdir(), 'dgw-config-load-'));
after(() => rmSync(folder, { recursive: true, force: true }));
let fileCount = 0;

function configFile(content: unknown): string {
  const path = join(folder, `config-${++fileCount}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

function messageOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

test('a bad file reports every problem in one ConfigError, one line each, with the key path', () => {
  const path = configFile({
    http: { port: 70000, prot: 1 },
    prices: { SMS: '2.55555' },
    sip: { rtpPortMin: 30000, rtpPortMax: 20000, codecs: ['G729'] },
    smpp: { smscs: [{ name: 'a', host: 'h', systemId: 'gw', password: 'pw', window: 0 }] },
    logLevel: 'loud',
  });
  const lines = messageOf(() => loadConfig({ configFile: path }, {})).split('\n');
  assert.equal(lines.length, 7, lines.join('\n'));
  assert.ok(lines.every((line) => line.startsWith(`config file ${path}: `)));
  for (const expected of [
    'unknown key "http.prot"',
    'http.port must be a port number 0..65535; got 70000',
    'prices.SMS must be a non-negative amount with at most 4 decimals, e.g. "2.50"; got "2.55555"',
    'sip.codecs[0] must be "PCMA" or "PCMU"; got "G729"',
    'sip.rtpPortMin must not be above sip.rtpPortMax',
    'smpp.smscs[0].window must be an integer from 1 to 10000; got 0',
    'logLevel must be one of fatal, error, warn, info, debug, trace, silent; got "loud"',
  ]) {
    assert.ok(lines.some((line) => line.includes(expected)), expected);
  }
});

test('env and flag problems join the file\'s, named by the variable or flag', () => {
  const path = configFile({ engine: { batchSize: 0 } });
  const message = messageOf(() => loadConfig({ configFile: path, port: 65536 }, { DGW_LOG_LEVEL: 'loud', DGW_HTTP_PORT: '80a' }));
  assert.deepEqual(message.split('\n'), [
    `config file ${path}: engine.batchSize must be an integer >= 1; got 0`,
    'DGW_HTTP_PORT must be a port number 0..65535; got "80a"',
    'DGW_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "loud"',
    '--port must be a port number 0..65535; got 65536',
  ]);
});

test('a cross-key check reads only keys that passed the schema (no second error for one mistake)', () => {
  const message = messageOf(() => loadConfig({ configFile: configFile({ sip: { rtpPortMin: 'low', rtpPortMax: 20000 } }) }, {}));
  assert.match(message, /sip\.rtpPortMin must be an integer >= 1024; got "low"/);
  assert.doesNotMatch(message, /must not be above/);
});

test('channels naming an SMSC need it in smpp.smscs; SMSC names are unique; min <= max per SMSC', () => {
  const smsc = { name: 'main', host: 'h', systemId: 'gw', password: 'pw' };
  assert.match(
    messageOf(() => loadConfig({ configFile: configFile({ channels: { SMS: { connector: 'smpp:other' } }, smpp: { smscs: [smsc] } }) }, {})),
    /channels\.SMS\.connector is smpp:other, but smpp\.smscs has no SMSC named "other"/,
  );
  assert.match(messageOf(() => loadConfig({ configFile: configFile({ smpp: { smscs: [smsc, smsc] } }) }, {})), /smpp\.smscs names must be unique; got main, main/);
  assert.match(
    messageOf(() => loadConfig({ configFile: configFile({ smpp: { smscs: [{ ...smsc, reconnectMinMs: 500, reconnectMaxMs: 100 }] } }) }, {})),
    /smpp\.smscs\[0\]\.reconnectMinMs must not be above smpp\.smscs\[0\]\.reconnectMaxMs/,
  );
  const config = loadConfig({ configFile: configFile({ channels: { SMS: { connector: 'smpp:main' } }, smpp: { smscs: [smsc] } }) }, {});
  assert.equal(config.channels.SMS.connector, 'smpp:main');
  assert.equal(config.smpp.smscs[0]!.window, 100, 'an SMSC row gets its defaults too');
});

test('what is loaded: amounts in units, short link base without trailing slashes, sandbox from the flag only', () => {
  const config = loadConfig({ configFile: configFile({ prices: { SMS: '0.0450', VK: 1 }, shortLinkBase: 'https://s.example//' }), sandbox: true }, {});
  assert.equal(config.prices.SMS, 450);
  assert.equal(config.prices.VK, 10_000);
  assert.equal(config.shortLinkBase, 'https://s.example');
  assert.equal(config.sandbox, true);
  assert.equal(loadConfig({ configFile: configFile({ shortLinkBase: null }) }, {}).shortLinkBase, null);
});

test('each load is a fresh object: changing one cannot change the defaults', () => {
  const first = defaultConfig();
  first.sip.codecs.push('PCMA');
  first.smpp.smscs.push({} as never);
  first.http.port = 1;
  const second = defaultConfig();
  assert.deepEqual(second.sip.codecs, ['PCMA', 'PCMU']);
  assert.deepEqual(second.smpp.smscs, []);
  assert.equal(second.http.port, 8080);
});

test('every setting of the file has a description and (but for the required keys of an SMSC, a WhatsApp sender or a VK sender) a default', () => {
  const visit = (schema: Record<string, any>, path: string): void => {
    for (const [key, property] of Object.entries<Record<string, any>>(schema['properties'] ?? {})) {
      const at = `${path}${key}`;
      assert.equal(typeof property['description'], 'string', `${at} has a description`);
      if (!(schema['required'] ?? []).includes(key) || !['smpp.smscs[].', 'whatsapp.senders[].', 'vk.senders[].'].includes(path)) assert.ok('default' in property, `${at} has a default`);
      if (property['type'] === 'object') visit(property, `${at}.`);
      if (property['items']?.['type'] === 'object') visit(property['items'], `${at}[].`);
    }
  };
  visit(CONFIG_FILE_SCHEMA, '');
});
