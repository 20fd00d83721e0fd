import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { isSigningSecret } from '../../src/domain/signingSecret.js';
import { freshDatabase, inspect, runCli, STACK_LINE, tempDir } from './cliHarness.js';

test('accounts create stores name, balance, currency and billing', async () => {
  const { db, cli } = freshDatabase();
  const created = await cli('accounts', 'create', 'acme', '--balance', '1000.0125', '--currency', 'usd');
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /created account acme: 1000\.0125 USD, billing on/);
  assert.equal((await cli('accounts', 'create', 'free', '--no-billing')).code, 0);
  const [acme, free] = await inspect(db, async (store) => [await store.accounts.byName('acme'), await store.accounts.byName('free')]);
  assert.deepEqual(
    { balance: acme?.balance, currency: acme?.currency, billing: acme?.billingEnabled },
    { balance: 10_000_125, currency: 'USD', billing: true },
  );
  assert.deepEqual({ balance: free?.balance, currency: free?.currency, billing: free?.billingEnabled }, { balance: 0, currency: 'RUB', billing: false });
});

test('accounts create takes its default currency from the config file', async () => {
  const { db, cli } = freshDatabase();
  const config = join(tempDir(), 'config.json');
  writeFileSync(config, JSON.stringify({ defaultCurrency: 'EUR' }));
  assert.equal((await cli('accounts', 'create', 'euro', '--config', config)).code, 0);
  assert.equal((await inspect(db, (store) => store.accounts.byName('euro')))?.currency, 'EUR');
});

test('a duplicate account name fails with exit 1 and a message', async () => {
  const { cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  const again = await cli('accounts', 'create', 'acme');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /account "acme" already exists/);
  assert.doesNotMatch(again.stderr, STACK_LINE);
  assert.equal(again.stdout, '');
});

test('bad names, amounts and currencies are usage errors (exit 2)', async () => {
  const { cli } = freshDatabase();
  const tooLong = 'a'.repeat(65);
  for (const args of [
    ['accounts', 'create', 'has space'],
    ['accounts', 'create', tooLong],
    ['accounts', 'create', 'ok', '--balance', '1.00001'],
    ['accounts', 'create', 'ok', '--balance', '-1'],
    ['accounts', 'create', 'ok', '--balance', 'ten'],
    ['accounts', 'create', 'ok', '--currency', 'RUBLES'],
    ['accounts', 'create', 'ok', '--currency', 'XYZ'], // three letters, but not ISO 4217
    ['accounts', 'create', 'ok', '--currency', 'ABC'],
    ['accounts', 'create'],
  ]) {
    const result = await cli(...args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /error: /);
    assert.doesNotMatch(result.stderr, STACK_LINE);
  }
  assert.equal((await cli('accounts', 'create', 'a'.repeat(64))).code, 0);
  assert.equal((await cli('accounts', 'create', 'A-z_0.9')).code, 0);
});

test('accounts list prints a table with balance and available balance', async () => {
  const { cli } = freshDatabase();
  const empty = await cli('accounts', 'list');
  assert.equal(empty.code, 0);
  assert.equal(empty.stdout, '');
  await cli('accounts', 'create', 'acme', '--balance', '12.5');
  await cli('accounts', 'create', 'zeta', '--no-billing');
  const listed = await cli('accounts', 'list');
  assert.equal(listed.code, 0);
  const lines = listed.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^NAME\s+CURRENCY\s+BALANCE\s+AVAILABLE\s+BILLING\s+SUSPENDED/);
  assert.match(lines[1]!, /^acme\s+RUB\s+12\.50\s+12\.50\s+yes\s+no\s+4\s+-$/);
  assert.match(lines[2]!, /^zeta\s+RUB\s+0\.00\s+0\.00\s+no\s+no\s+4\s+-$/);
});

test('accounts suspend and resume', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  const suspended = await cli('accounts', 'suspend', 'acme');
  assert.equal(suspended.code, 0);
  assert.equal((await inspect(db, (store) => store.accounts.byName('acme')))?.suspended, true);
  assert.match((await cli('accounts', 'list')).stdout, /acme\s+RUB\s+0\.00\s+0\.00\s+yes\s+yes/);
  assert.equal((await cli('accounts', 'resume', 'acme')).code, 0);
  assert.equal((await inspect(db, (store) => store.accounts.byName('acme')))?.suspended, false);
  const unknown = await cli('accounts', 'suspend', 'ghost');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no account named "ghost"/);
});

test('accounts set-flashcall-code-lengths takes a subset of 4..6', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  assert.equal((await cli('accounts', 'set-flashcall-code-lengths', 'acme', '6,4,6')).code, 0);
  assert.deepEqual((await inspect(db, (store) => store.accounts.byName('acme')))?.flashcallCodeLengths, [4, 6]);
  for (const bad of ['3', '7', '4,,5', '', 'four']) {
    const result = await cli('accounts', 'set-flashcall-code-lengths', 'acme', bad);
    assert.equal(result.code, 2, `"${bad}"`);
    assert.match(result.stderr, /subset of 4,5,6/);
  }
  assert.equal((await cli('accounts', 'set-flashcall-code-lengths', 'ghost', '5')).code, 1);
});

test('accounts set-signing-secret prints a new whsec_ secret alone on stdout, stores it, and --clear removes it', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  const secretOf = () => {
    const sqlite = new Database(db, { readonly: true });
    try {
      return (sqlite.prepare("select signing_secret from accounts where name = 'acme'").get() as { signing_secret: string | null }).signing_secret;
    } finally {
      sqlite.close();
    }
  };
  const first = await cli('accounts', 'set-signing-secret', 'acme');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^whsec_[A-Za-z0-9+/]+=*\n$/);
  assert.ok(isSigningSecret(first.stdout.trim()));
  assert.equal(secretOf(), first.stdout.trim());
  const second = await cli('accounts', 'set-signing-secret', 'acme');
  assert.notEqual(second.stdout, first.stdout, 'every call generates a new secret');
  assert.equal((await cli('accounts', 'set-signing-secret', 'acme', '--clear')).stdout, '');
  assert.equal(secretOf(), null);
  assert.equal((await cli('accounts', 'set-signing-secret', 'ghost')).code, 1);
});

test('--currency accepts ISO 4217 codes (any case) and the defaultCurrency setting must be one too', async () => {
  const { db, cli } = freshDatabase();
  assert.equal((await cli('accounts', 'create', 'eu', '--currency', 'eur')).code, 0);
  assert.equal((await cli('accounts', 'create', 'kz', '--currency', 'KZT')).code, 0);
  const xyz = await cli('accounts', 'create', 'x', '--currency', 'XYZ');
  assert.match(xyz.stderr, /ISO 4217 currency code such as RUB, USD or EUR; "XYZ" is none/);
  const config = join(tempDir(), 'config.json');
  writeFileSync(config, JSON.stringify({ defaultCurrency: 'XYZ' }));
  const fromSetting = await runCli(['accounts', 'create', 'y', '--db', db, '--config', config]);
  assert.equal(fromSetting.code, 1, fromSetting.stderr);
  assert.match(fromSetting.stderr, /defaultCurrency must be a 3-letter ISO 4217 code/);
  assert.deepEqual((await inspect(db, (store) => store.accounts.list())).map((a) => [a.name, a.currency]), [['eu', 'EUR'], ['kz', 'KZT']]);
});
