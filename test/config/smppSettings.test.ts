/** connectors/smpp/smppSettings.ts: an SMSC row checked by its schema on its own, every problem listed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { SMPP_DEFAULTS, parseSmscConfig } from '../../src/connectors/smpp/smppSettings.js';

const MINIMAL = { name: 'main', host: 'smsc.example', systemId: 'gw', password: 'pw' };

test('the defaults come from the schema, and parsing does not touch the value it is given', () => {
  assert.deepEqual(SMPP_DEFAULTS, {
    port: 2775,
    tls: false,
    tlsCaFile: null,
    systemType: '',
    bindMode: 'transceiver',
    binds: 1,
    window: 100,
    throughputPerBind: 0,
    enquireLinkMs: 30_000,
    reconnectMinMs: 1_000,
    reconnectMaxMs: 60_000,
    responseTimeoutMs: 10_000,
    segmentation: 'udh',
    receiptIds: 'auto',
    inboundAccount: null,
  });
  const given = { ...MINIMAL };
  assert.deepEqual(parseSmscConfig(given, 'x'), { ...SMPP_DEFAULTS, ...MINIMAL });
  assert.deepEqual(given, MINIMAL);
});

test('every problem of a row at once, under the row\'s path', () => {
  assert.throws(
    () => parseSmscConfig({ name: 'bad name', host: '', systemId: 'gw', window: 0, windw: 1 }, 'smpp.smscs[3]'),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.message.split('\n'), [
        'smpp.smscs[3].password must be a string of printable ASCII of 0–8 characters; it is missing',
        'unknown key "smpp.smscs[3].windw" (keys: name, host, port, tls, tlsCaFile, systemId, password, systemType, bindMode, binds, window, throughputPerBind, enquireLinkMs, reconnectMinMs, reconnectMaxMs, responseTimeoutMs, segmentation, receiptIds, inboundAccount; see README "Settings")',
        'smpp.smscs[3].name must be a string matching /^[A-Za-z0-9_.-]+$/ of 1–64 characters; got "bad name"',
        'smpp.smscs[3].host must be a string of 1–255 characters; got ""',
        'smpp.smscs[3].window must be an integer from 1 to 10000; got 0',
      ]);
      return true;
    },
  );
});

test('nullable keys take null or a valid value', () => {
  assert.equal(parseSmscConfig({ ...MINIMAL, inboundAccount: 'acme', tlsCaFile: null }, 'x').inboundAccount, 'acme');
  assert.throws(() => parseSmscConfig({ ...MINIMAL, inboundAccount: '' }, 'x'), /x\.inboundAccount must be null or a string of 1–255 characters; got ""/);
});
