import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createdDatabase, inspect, runCli, STACK_LINE, tempDir } from './cliHarness.js';

test('--help and --version exit 0; unknown commands and options exit 2', async () => {
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  for (const group of ['serve', 'accounts', 'tokens', 'balance', 'senders', 'channels', 'blocklist']) assert.match(help.stdout, new RegExp(`\\b${group}\\b`));
  const version = await runCli(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  for (const args of [['frobnicate'], ['accounts'], ['accounts', 'list', '--colour'], ['tokens', 'create', '--account']]) {
    const result = await runCli(args);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.stderr, /error|Usage/);
    assert.doesNotMatch(result.stderr, STACK_LINE);
  }
});

test('admin commands use DGW_DATABASE_URL, and --db wins over it', async () => {
  const dir = tempDir();
  const fromEnv = createdDatabase(join(dir, 'env.db'));
  const fromFlag = createdDatabase(join(dir, 'flag.db'));
  assert.equal((await runCli(['accounts', 'create', 'viaenv'], { DGW_DATABASE_URL: fromEnv })).code, 0);
  assert.equal((await runCli(['accounts', 'create', 'viaflag', '--db', fromFlag], { DGW_DATABASE_URL: fromEnv })).code, 0);
  assert.deepEqual((await inspect(fromEnv, (store) => store.accounts.list())).map((a) => a.name), ['viaenv']);
  assert.deepEqual((await inspect(fromFlag, (store) => store.accounts.list())).map((a) => a.name), ['viaflag']);
});

test('--config: the database setting of the file applies; env and --db beat it', async () => {
  const dir = tempDir();
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ database: createdDatabase(join(dir, 'file.db')) }));
  createdDatabase(join(dir, 'env.db'));
  assert.equal((await runCli(['accounts', 'create', 'viafile', '--config', config])).code, 0);
  assert.equal((await runCli(['accounts', 'create', 'viaenv', '--config', config], { DGW_DATABASE_URL: join(dir, 'env.db') })).code, 0);
  assert.deepEqual((await inspect(join(dir, 'file.db'), (store) => store.accounts.list())).map((a) => a.name), ['viafile']);
  assert.deepEqual((await inspect(join(dir, 'env.db'), (store) => store.accounts.list())).map((a) => a.name), ['viaenv']);
});

test('bad settings and unusable databases fail with exit 1 and a message, no stack trace', async () => {
  const dir = tempDir();
  const typo = join(dir, 'typo.json');
  writeFileSync(typo, JSON.stringify({ databse: 'x.db' }));
  const notJson = join(dir, 'bad.json');
  writeFileSync(notJson, '{');
  const aFile = join(dir, 'plain-file');
  writeFileSync(aFile, '');
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['accounts', 'list', '--config', typo], {}, /unknown key "databse"/],
    [['accounts', 'list', '--config', notJson], {}, /not valid JSON/],
    [['accounts', 'list', '--config', join(dir, 'missing.json')], {}, /cannot read config file/],
    [['accounts', 'list', '--db', join(dir, 'x.db')], { DGW_HTTP_PORT: '70000' }, /DGW_HTTP_PORT must be a port number/],
    [['accounts', 'list', '--db', join(aFile, 'x.db')], {}, /cannot open database/],
    [['accounts', 'list', '--db', 'postgres://localhost/db'], {}, /cannot open database postgres:/],
  ];
  for (const [args, env, message] of cases) {
    const result = await runCli(args, env);
    assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, STACK_LINE);
  }
});
