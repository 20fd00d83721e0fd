import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/openStore.js';
import { freshDatabase, inspect, runCli, STACK_LINE, tempDir } from './cliHarness.js';

const SMSC = { name: 'main', host: '127.0.0.1', port: 2775, systemId: 'gw', password: 'pw' };

function configWith(smscs: object[]): string {
  const file = join(tempDir(), 'config.json');
  writeFileSync(file, JSON.stringify({ smpp: { smscs } }));
  return file;
}

test('a second account cannot approve an SMS sender name another account has: exit 1, nothing stored', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  await cli('accounts', 'create', 'beta');
  assert.equal((await cli('senders', 'approve', 'shop', '--account', 'acme', '--channel', 'SMS')).code, 0);
  const second = await cli('senders', 'approve', 'shop', '--account', 'beta', '--channel', 'SMS');
  assert.equal(second.code, 1, second.stderr);
  assert.match(second.stderr, /SMS sender "shop" is already approved for account acme: inbound SMS sent to it would have no single owner.*inboundAccount/);
  assert.doesNotMatch(second.stderr, STACK_LINE);
  // The owner may approve it again (traffic type), other channels and other names stay free.
  assert.equal((await cli('senders', 'approve', 'shop', '--account', 'acme', '--channel', 'SMS', '--traffic-type', 'PROMO')).code, 0);
  assert.equal((await cli('senders', 'approve', 'shop', '--account', 'beta', '--channel', 'WHATSAPP')).code, 0);
  assert.equal((await cli('senders', 'approve', 'Shop', '--account', 'beta', '--channel', 'SMS')).code, 0);
  assert.equal((await cli('senders', 'approve', 'shop', '--account', 'acme', '--channel', 'VK')).code, 0, 'VK has no inbound messages');
  const senders = await inspect(db, (store) => store.senders.list());
  assert.deepEqual(senders.map((s) => [s.accountId, s.channel, s.name, s.trafficType]), [
    [1, 'SMS', 'shop', 'PROMO'],
    [1, 'VK', 'shop', null],
    [2, 'SMS', 'Shop', null],
    [2, 'WHATSAPP', 'shop', null],
  ]);
});

test('a shared SMS sender is allowed when every SMSC names its inboundAccount, not when one leaves it to the sender', async () => {
  const { cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  await cli('accounts', 'create', 'beta');
  await cli('senders', 'approve', 'shop', '--account', 'acme', '--channel', 'SMS');
  const mixed = configWith([{ ...SMSC, inboundAccount: 'acme' }, { ...SMSC, name: 'other' }]);
  assert.equal((await cli('senders', 'approve', 'shop', '--account', 'beta', '--channel', 'SMS', '--config', mixed)).code, 1);
  const settled = configWith([{ ...SMSC, inboundAccount: 'acme' }, { ...SMSC, name: 'other', inboundAccount: 'beta' }]);
  const allowed = await cli('senders', 'approve', 'shop', '--account', 'beta', '--channel', 'SMS', '--config', settled);
  assert.equal(allowed.code, 0, allowed.stderr);
});

test('a WHATSAPP sender name has one owner too, unless its number names its inboundAccount', async () => {
  const { cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  await cli('accounts', 'create', 'beta');
  await cli('senders', 'approve', 'ShopBot', '--account', 'acme', '--channel', 'WHATSAPP');
  const shared = await cli('senders', 'approve', 'ShopBot', '--account', 'beta', '--channel', 'WHATSAPP');
  assert.equal(shared.code, 1);
  assert.match(shared.stderr, /WHATSAPP sender "ShopBot" is already approved for account acme.*whatsapp\.senders\[\]\.inboundAccount/);
  const number = { senderName: 'ShopBot', phoneNumberId: '1', wabaId: '2', accessToken: 't', appSecret: 's', verifyToken: 'v' };
  const file = join(tempDir(), 'config.json');
  writeFileSync(file, JSON.stringify({ whatsapp: { senders: [{ ...number, inboundAccount: 'acme' }] } }));
  const allowed = await cli('senders', 'approve', 'ShopBot', '--account', 'beta', '--channel', 'WHATSAPP', '--config', file);
  assert.equal(allowed.code, 0, allowed.stderr);
});

test('inbound unmatched lists what reached no account, newest first', async () => {
  const { db, cli } = freshDatabase();
  const empty = await cli('inbound', 'unmatched');
  assert.equal(empty.code, 0);
  assert.match(empty.stderr, /no unmatched inbound messages/);
  const store = await openStore(db);
  try {
    const a = await store.accounts.create({ name: 'acme', currency: 'RUB', balance: 0, billingEnabled: true }, 1);
    const b = await store.accounts.create({ name: 'beta', currency: 'RUB', balance: 0, billingEnabled: true }, 1);
    for (const account of [a, b]) await store.senders.approve({ accountId: account.id, channel: 'SMS', name: 'shop', trafficType: null, startsAt: 0 });
    const at = Date.parse('2026-03-01T10:00:00Z');
    await store.messages.storeInbound({ channelType: 'SMS', from: '79031234567', to: 'shop', text: 'STOP\nplease', at, accountName: null });
    await store.messages.storeInbound({ channelType: 'SMS', from: '79031234568', to: 'nobody', text: 'hi', at: at + 1000, accountName: null });
  } finally {
    await store.close();
  }
  const listed = await cli('inbound', 'unmatched');
  assert.equal(listed.code, 0, listed.stderr);
  const lines = listed.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^RECEIVED\s+CHANNEL\s+FROM\s+TO\s+REASON\s+ACCOUNTS\s+TEXT$/);
  assert.match(lines[1]!, /^2026-03-01T10:00:01Z\s+SMS\s+79031234568\s+nobody\s+no-sender\s+-\s+hi$/);
  assert.match(lines[2]!, /^2026-03-01T10:00:00Z\s+SMS\s+79031234567\s+shop\s+shared-sender\s+acme,beta\s+STOP\\nplease$/);
  assert.equal((await cli('inbound', 'unmatched', '--limit', '1')).stdout.trimEnd().split('\n').length, 2);
  assert.equal((await runCli(['inbound', 'unmatched', '--limit', '0', '--db', db])).code, 2);
});
