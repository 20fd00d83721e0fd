import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freshDatabase, inspect } from './cliHarness.js';

test('senders approve stores channel, traffic type and start; senders list shows them', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  await cli('accounts', 'create', 'beta');
  const before = Date.now();
  const sms = await cli('senders', 'approve', 'shop', '--account', 'acme', '--channel', 'SMS');
  assert.equal(sms.code, 0, sms.stderr);
  const wa = await cli('senders', 'approve', 'shop', '--account', 'acme', '--channel', 'whatsapp', '--traffic-type', 'promo', '--start', '2030-01-02T03:04:05+03:00');
  assert.equal(wa.code, 0, wa.stderr);
  assert.equal((await cli('senders', 'approve', 'Бета', '--account', 'beta', '--channel', 'VK', '--traffic-type', 'TRANSACT')).code, 0);

  const acme = await inspect(db, async (store) => store.senders.list((await store.accounts.byName('acme'))!.id));
  assert.equal(acme.length, 2);
  const [smsSender, waSender] = [acme.find((s) => s.channel === 'SMS')!, acme.find((s) => s.channel === 'WHATSAPP')!];
  assert.equal(smsSender.name, 'shop');
  assert.equal(smsSender.trafficType, null);
  assert.ok(smsSender.startsAt >= before - 1000 && smsSender.startsAt <= Date.now());
  assert.equal(waSender.trafficType, 'PROMO');
  assert.equal(waSender.startsAt, Date.parse('2030-01-02T00:04:05Z'));

  const all = await cli('senders', 'list');
  assert.equal(all.code, 0);
  assert.match(all.stdout, /^ACCOUNT\s+CHANNEL\s+SENDER\s+TRAFFIC TYPE\s+STARTS$/m);
  assert.match(all.stdout, /^acme\s+WHATSAPP\s+shop\s+PROMO\s+2030-01-02T00:04:05Z$/m);
  assert.match(all.stdout, /^beta\s+VK\s+Бета\s+TRANSACT\s+/m);
  const onlyBeta = await cli('senders', 'list', '--account', 'beta');
  assert.doesNotMatch(onlyBeta.stdout, /acme/);
  assert.match(onlyBeta.stdout, /Бета/);
});

test('approving again updates the traffic type', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  await cli('senders', 'approve', 'shop', '--account', 'acme', '--channel', 'SMS', '--traffic-type', 'PROMO');
  await cli('senders', 'approve', 'shop', '--account', 'acme', '--channel', 'SMS', '--traffic-type', 'SERVICE');
  const senders = await inspect(db, (store) => store.senders.list());
  assert.deepEqual(senders.map((s) => s.trafficType), ['SERVICE']);
});

test('senders approve rejects bad channels, traffic types, times and names', async () => {
  const { cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  const base = ['senders', 'approve', 'shop', '--account', 'acme'];
  for (const extra of [
    ['--channel', 'VIBER'],
    ['--channel', 'SMS', '--traffic-type', 'SPAM'],
    ['--channel', 'SMS', '--start', '2024-05-01 10:00:00'],
    ['--channel', 'SMS', '--start', '2024-05-01T10:00:00'],
    ['--channel', 'SMS', '--start', '2024-02-30'],
    ['--channel', 'SMS', '--start', 'tomorrow'],
    [],
  ]) {
    const result = await cli(...base, ...extra);
    assert.equal(result.code, 2, `${extra.join(' ')}: ${result.stderr}`);
  }
  const longName = await cli('senders', 'approve', 'x'.repeat(65), '--account', 'acme', '--channel', 'SMS');
  assert.equal(longName.code, 2, longName.stderr);
  assert.match(longName.stderr, /1–64 characters/);
  assert.equal((await cli('senders', 'approve', 'x'.repeat(64), '--account', 'acme', '--channel', 'SMS', '--start', '2024-02-29')).code, 0);
  const unknown = await cli('senders', 'approve', 'shop', '--account', 'ghost', '--channel', 'SMS');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no account named "ghost"/);
  assert.equal((await cli('senders', 'list', '--account', 'ghost')).code, 1);
});
