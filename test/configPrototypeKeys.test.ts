/** Issue 10 item 1 in the config file: a key named like an inherited property is an unknown key, never Object.prototype's. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/configLoad.js';

const folder = mkdtempSync(join(tmpdir(), 'dgw-config-proto-'));
after(() => rmSync(folder, { recursive: true, force: true }));
let fileCount = 0;

/** Raw text, so that `"__proto__"` is a key of the file (an object literal would set the prototype instead). */
function loadText(text: string) {
  const path = join(folder, `config-${++fileCount}.json`);
  writeFileSync(path, text);
  return loadConfig({ configFile: path }, {});
}

const GROUPS = ['engine', 'simulator', 'callbacks', 'voice', 'sip', 'http', 'channels', 'prices', 'smpp'];

test('every group refuses an inherited name as an unknown key (engine, simulator, callbacks, voice and sip took them)', () => {
  for (const group of GROUPS) {
    for (const key of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']) {
      assert.throws(
        () => loadText(`{"${group}":{"${key}":5}}`),
        (error: unknown) => error instanceof ConfigError && error.message.includes(`"${group}.${key}"`),
        `${group}.${key}`,
      );
    }
  }
});

test('at the top level too', () => {
  for (const key of ['constructor', '__proto__', 'toString']) {
    assert.throws(() => loadText(`{"${key}":{}}`), (error: unknown) => error instanceof ConfigError && error.message.includes(`"${key}"`));
  }
});

test('nothing reaches Object.prototype, and known keys still load', () => {
  assert.throws(() => loadText('{"engine":{"__proto__":{"polluted":1}}}'), ConfigError);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  const config = loadText('{"engine":{"batchSize":7},"sip":{"trunkPort":5070}}');
  assert.equal(config.engine.batchSize, 7);
  assert.equal(config.sip.trunkPort, 5070);
  assert.equal(Object.hasOwn(config.engine, 'constructor'), false);
});
