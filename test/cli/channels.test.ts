import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freshDatabase, inspect } from './cliHarness.js';

test('channels disable and enable change the account', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  assert.equal((await cli('channels', 'disable', 'SMS', '--account', 'acme')).code, 0);
  assert.equal((await cli('channels', 'disable', 'vk', '--account', 'acme')).code, 0);
  const disabled = async () => (await inspect(db, (store) => store.accounts.byName('acme')))?.disabledChannels;
  assert.deepEqual(await disabled(), ['SMS', 'VK']);
  assert.match((await cli('accounts', 'list')).stdout, /SMS,VK$/m);
  const enabled = await cli('channels', 'enable', 'SMS', '--account', 'acme');
  assert.equal(enabled.code, 0);
  assert.equal(enabled.stdout, 'enabled SMS for account acme\n');
  assert.deepEqual(await disabled(), ['VK']);
});

test('channels rejects unknown channels, missing --account and unknown accounts', async () => {
  const { cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  const badChannel = await cli('channels', 'disable', 'VIBER', '--account', 'acme');
  assert.equal(badChannel.code, 2);
  assert.match(badChannel.stderr, /VOICECODE, FLASHCALL, SMS, WHATSAPP, VK/);
  assert.equal((await cli('channels', 'disable', 'SMS')).code, 2);
  assert.equal((await cli('channels', 'pause', 'SMS', '--account', 'acme')).code, 2);
  assert.equal((await cli('channels', 'enable', 'SMS', '--account', 'ghost')).code, 1);
});
