import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freshDatabase, inspect } from './cliHarness.js';

test('balance topup adds exact decimals and prints the new balance', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme', '--balance', '0.1');
  const first = await cli('balance', 'topup', 'acme', '0.2');
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, 'acme: balance 0.30 RUB, available 0.30 RUB\n');
  assert.equal((await cli('balance', 'topup', 'acme', '1000.0001')).code, 0);
  assert.equal((await inspect(db, (store) => store.accounts.byName('acme')))?.balance, 10_003_001);
});

test('a negative topup is a correction, refused when it would make the available balance negative', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme', '--balance', '10');
  const corrected = await cli('balance', 'topup', 'acme', '-2.5');
  assert.equal(corrected.code, 0, corrected.stderr);
  assert.match(corrected.stdout, /balance 7\.50 RUB/);
  const tooMuch = await cli('balance', 'topup', 'acme', '-7.5001');
  assert.equal(tooMuch.code, 1);
  assert.match(tooMuch.stderr, /only 7\.50 is available/);
  assert.equal((await cli('balance', 'topup', 'acme', '-7.5')).code, 0);
  assert.equal((await inspect(db, (store) => store.accounts.byName('acme')))?.balance, 0);
});

test('balance topup rejects bad amounts (exit 2) and unknown accounts (exit 1)', async () => {
  const { cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  for (const amount of ['0', '0.00', '1.23456', '1e3', 'ten', '1,5', '']) {
    const result = await cli('balance', 'topup', 'acme', amount);
    assert.equal(result.code, 2, `"${amount}": ${result.stderr}`);
    assert.match(result.stderr, /amount/);
  }
  assert.equal((await cli('balance', 'topup', 'acme')).code, 2);
  const unknown = await cli('balance', 'topup', 'ghost', '5');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no account named "ghost"/);
});
