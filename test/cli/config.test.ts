/** `direct-gateway config schema`: the config file's JSON Schema, for editors and other validators. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { runCli, STACK_LINE } from './cliHarness.js';

/** The README's example config file, plus an SMSC, a SIP trunk and a channel on each. */
const SAMPLE = {
  database: '/var/lib/direct-gateway/gateway.db',
  http: { host: '0.0.0.0', port: 8080 },
  defaultCurrency: 'USD',
  prices: { SMS: '0.0450', VOICECODE: 0.12 },
  callbacks: { concurrency: 128 },
  channels: { SMS: { connector: 'smpp:main' }, VOICECODE: { connector: 'sip' } },
  sip: { trunkHost: 'sip.example.com', codecs: ['PCMU'], authUser: null },
  smpp: { smscs: [{ name: 'main', host: 'smsc.example.com', systemId: 'gw', password: 'secret', bindMode: 'transmitter+receiver' }] },
  shortLinkBase: 'https://go.example.com/s',
  logLevel: 'warn',
};

async function printedSchema(): Promise<Record<string, any>> {
  const result = await runCli(['config', 'schema']);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, STACK_LINE);
  return JSON.parse(result.stdout) as Record<string, any>;
}

test('config schema prints a draft-07 JSON Schema with a title, descriptions and defaults', async () => {
  const schema = await printedSchema();
  assert.equal(schema['$schema'], 'http://json-schema.org/draft-07/schema#');
  assert.equal(typeof schema['title'], 'string');
  assert.equal(schema['additionalProperties'], false);
  assert.equal(schema['required'], undefined, 'every top-level key may be left out');
  const port = schema['properties'].http.properties.port;
  assert.deepEqual([port.type, port.minimum, port.maximum, port.default], ['integer', 0, 65535, 8080]);
  assert.match(port.description, /HTTP port/);
  assert.equal(schema['properties'].prices.properties.SMS.default, '2.50');
  assert.deepEqual(schema['properties'].smpp.properties.smscs.items.required, ['name', 'host', 'systemId', 'password']);
  assert.doesNotMatch(JSON.stringify(schema), /errorMessage|docType/, 'none of our own keywords');
});

test('the printed schema, in a plain Ajv, accepts a sample config file and rejects an unknown key or a bad value', async () => {
  const validate = new Ajv({ strict: true, strictTypes: false }).compile(await printedSchema());
  assert.ok(validate(structuredClone(SAMPLE)), JSON.stringify(validate.errors));
  assert.ok(validate({}), 'an empty file is a valid one');
  assert.equal(validate({ ...SAMPLE, databse: 'x.db' }), false);
  assert.equal(validate.errors?.[0]?.keyword, 'additionalProperties');
  assert.equal(validate({ http: { port: 70000 } }), false);
  assert.equal(validate({ smpp: { smscs: [{ name: 'main' }] } }), false, 'an SMSC needs its host, system id and password');
  assert.equal(validate({ channels: { SMS: { connector: 'smtp' } } }), false);
});
