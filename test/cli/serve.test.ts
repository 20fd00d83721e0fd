import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { SANDBOX_TOKEN } from '../../src/sandbox.js';
import { startServe, stopProcess } from '../support/serveProcess.js';
import { freshDatabase, runCli, STACK_LINE, tempDir } from './cliHarness.js';

/** `serve` as a new user tries it (issue 10 item 13). Each start is a real process on a free port. */

test('serve --sandbox on a database with accounts but no demo does not offer the demo key, and says how to make one', { timeout: 180_000 }, async () => {
  const { db, cli } = freshDatabase();
  assert.equal((await cli('accounts', 'create', 'acme', '--balance', '10')).code, 0);
  const { child, origin, banner } = await startServe(['--sandbox', '--db', db, '--port', '0']);
  try {
    assert.doesNotMatch(banner, new RegExp(SANDBOX_TOKEN.slice(0, 8)));
    assert.match(banner, /already has accounts \(acme\), so no "demo" account was created/);
    const command = /^TOKEN=\$\((direct-gateway tokens create --account acme --type 1 --db '[^']+')\)$/m.exec(banner);
    assert.ok(command, banner);
    // The demo key would have answered 4012; the command the banner gives makes a key that works.
    const demo = await fetch(`${origin}/api/v1/balance`, { headers: { Authorization: `Basic ${SANDBOX_TOKEN}` } });
    assert.equal(demo.status, 401);
    const made = await cli('tokens', 'create', '--account', 'acme', '--type', '1');
    const balance = await fetch(`${origin}/api/v1/balance`, { headers: { Authorization: `Basic ${made.stdout.trim()}` } });
    assert.equal(balance.status, 200);
  } finally {
    await stopProcess(child);
  }
});

test('serve --sandbox on an empty database still creates demo and prints its key, which works', { timeout: 180_000 }, async () => {
  const { db } = freshDatabase();
  const { child, origin, banner } = await startServe(['--sandbox', '--db', db, '--port', '0']);
  try {
    assert.match(banner, new RegExp(`created account "demo" \\(type-1 key: Basic ${SANDBOX_TOKEN}\\)`));
    const balance = await fetch(`${origin}/api/v1/balance`, { headers: { Authorization: `Basic ${SANDBOX_TOKEN}` } });
    assert.equal(balance.status, 200);
  } finally {
    await stopProcess(child);
  }
});

test('serve creates a missing database only at the default path or with --create (0600)', { timeout: 180_000 }, async () => {
  const dir = tempDir();
  const typo = join(dir, 'gatewya.db');
  const refused = await runCli(['serve', '--db', typo, '--port', '0']);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /no database at .*gatewya\.db \(a typo\?\)/);
  assert.equal(existsSync(typo), false);
  const created = await startServe(['--create', '--db', typo, '--port', '0']);
  await stopProcess(created.child);
  assert.equal(statSync(typo).mode & 0o777, 0o600);
});

test('port in use: one line naming the port and how to change it, exit 1, no stack trace', { timeout: 180_000 }, async () => {
  const { db } = freshDatabase();
  const holder = createServer().listen(0, '127.0.0.1');
  await once(holder, 'listening');
  const port = (holder.address() as { port: number }).port;
  try {
    const result = await runCli(['serve', '--db', db, '--port', String(port)]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`port ${port} is in use .*; use --port or DGW_HTTP_PORT`));
    assert.doesNotMatch(result.stderr, STACK_LINE);
  } finally {
    holder.close();
  }
});

test('serve --port abc (or 70000) is a usage error: exit 2', { timeout: 180_000 }, async () => {
  for (const port of ['abc', '70000', '-1', '80.5']) {
    const result = await runCli(['serve', '--port', port, '--db', join(tempDir(), 'never.db')]);
    assert.equal(result.code, 2, `${port}: ${result.stderr}`);
    assert.match(result.stderr, /--port/);
  }
});

test('smpp.smscs[].inboundAccount naming a missing account stops serve at start', { timeout: 180_000 }, async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  const config = join(tempDir(), 'config.json');
  const smsc = { name: 'main', host: '127.0.0.1', port: 1, systemId: 'gw', password: 'pw' };
  writeFileSync(config, JSON.stringify({ smpp: { smscs: [{ ...smsc, inboundAccount: 'acme' }, { ...smsc, name: 'backup', inboundAccount: 'ghost' }] } }));
  const result = await runCli(['serve', '--db', db, '--port', '0', '--config', config]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /smpp\.smscs\[1\]\.inboundAccount \(SMSC "backup"\) names account "ghost", which does not exist/);
  assert.doesNotMatch(result.stderr, STACK_LINE);
});

test('serve --help and --db help say the database may be a PostgreSQL URL', { timeout: 180_000 }, async () => {
  for (const command of [['serve'], ['accounts', 'list'], ['migrate']]) {
    const help = await runCli([...command, '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--db <\w+>\s+SQLite file path or postgres:\/\/ URL/);
  }
});
