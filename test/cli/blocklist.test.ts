import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freshDatabase, inspect } from './cliHarness.js';

test('blocklist add, list and remove on the gateway-wide list and per account', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  assert.equal((await cli('blocklist', 'add', '+79261234567')).code, 0);
  assert.equal((await cli('blocklist', 'add', '14085553911', '--account', 'acme')).code, 0);
  assert.equal((await cli('blocklist', 'add', '14085553911', '--account', 'acme')).code, 0, 'adding twice is harmless');

  assert.equal((await cli('blocklist', 'list')).stdout, '79261234567\n', 'stored without "+"');
  assert.equal((await cli('blocklist', 'list', '--account', 'acme')).stdout, '14085553911\n');
  const stored = await inspect(db, async (store) => [await store.blocklist.list(null), await store.blocklist.list((await store.accounts.byName('acme'))!.id)]);
  assert.deepEqual(stored, [['79261234567'], ['14085553911']]);

  assert.equal((await cli('blocklist', 'remove', '79261234567')).code, 0);
  const missing = await cli('blocklist', 'remove', '79261234567');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /not on the gateway-wide blocklist/);
  const empty = await cli('blocklist', 'list');
  assert.equal(empty.stdout, '');
  assert.match(empty.stderr, /empty/);
  assert.equal((await cli('blocklist', 'remove', '+14085553911', '--account', 'acme')).code, 0);
});

test('blocklist validates numbers as spec §2.3 and needs a known account', async () => {
  const { cli } = freshDatabase();
  for (const number of ['123456789', '0123456789', '1234567890123456', '8 926 123 45 67', '++79261234567', '7926-1234567']) {
    const result = await cli('blocklist', 'add', number);
    assert.equal(result.code, 2, number);
    assert.match(result.stderr, /10–15 digits/);
  }
  assert.equal((await cli('blocklist', 'add', '1234567890')).code, 0);
  assert.equal((await cli('blocklist', 'add', '123456789012345')).code, 0);
  const unknown = await cli('blocklist', 'add', '1234567890', '--account', 'ghost');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no account named "ghost"/);
});
