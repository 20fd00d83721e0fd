/** `direct-gateway vk …`: the configured senders (secrets never printed), pauses, the daily count; the config checks. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { communitySender, providerSender, VK } from '../support/vkGateway.js';
import { freshDatabase, inspect, STACK_LINE, tempDir } from './cliHarness.js';

function configWith(vk: Record<string, unknown>): string {
  const file = join(tempDir(), 'config.json');
  writeFileSync(file, JSON.stringify({ channels: { VK: { connector: 'vk' } }, vk }));
  return file;
}

const PROVIDERS = { [VK.profile]: { baseUrl: 'http://127.0.0.1:9', authValue: 'Bearer provider-api-key-secret', callbackSecret: 'callback-secret-value' } };

test('senders list shows each sender, its adapter and state, never a secret; resume ends a pause', async () => {
  const { db, cli } = freshDatabase();
  const config = configWith({ providers: PROVIDERS, senders: [providerSender({ throughput: null }), communitySender({ communityToken: 'vk1.a.community-token-secret' })] });
  const listed = await cli('vk', 'senders', 'list', '--config', config);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`${VK.senderName}\\s+provider ${VK.profile} \\(service ${VK.senderName}\\)\\s+50\\s+set \\(30 chars\\)\\s+sending`));
  assert.match(listed.stdout, new RegExp(`${VK.communitySender}\\s+community ${VK.groupId}\\s+1000\\s+set \\(28 chars\\)\\s+sending`));
  for (const secret of ['provider-api-key', 'callback-secret', 'community-token', VK.communitySecret, VK.confirmationCode]) {
    assert.doesNotMatch(listed.stdout + listed.stderr, new RegExp(secret));
  }

  await inspect(db, (store) => store.vk.pauseSender(VK.senderName, 'provider notify: HTTP 401 unauthorized', Date.UTC(2026, 11, 1)));
  assert.match((await cli('vk', 'senders', 'list', '--config', config)).stdout, /PAUSED since 2026-12-01T00:00:00Z: provider notify: HTTP 401 unauthorized/);
  const resumed = await cli('vk', 'senders', 'resume', VK.senderName, '--config', config);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal((await inspect(db, (store) => store.vk.pausedSenders())).length, 0);
  const again = await cli('vk', 'senders', 'resume', VK.senderName, '--config', config);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /is not paused/);
  assert.doesNotMatch(again.stderr, STACK_LINE);
});

test('vk daily shows what a phone used of the daily limit', async () => {
  const { db, cli } = freshDatabase();
  const config = configWith({ providers: PROVIDERS, senders: [providerSender()] });
  const now = Date.now();
  await inspect(db, (store) =>
    store.vk.takeDailySlots(
      ['a', 'b', 'c'].map((n, i) => ({ uuid: `0190e0a0-0000-7000-8000-00000000000${i}`, senderName: VK.senderName, phone: '79001234567' })),
      now,
      5,
      86_400_000,
    ),
  );
  const shown = await cli('vk', 'daily', VK.senderName, '+79001234567', '--config', config);
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(shown.stdout, `${VK.senderName} → 79001234567: 3 of 5 in the last 24 hours\n`);
  const bad = await cli('vk', 'daily', VK.senderName, '12-34', '--config', config);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /not a phone number/);
});

test('the config checks: each adapter has what it needs, names are unique, no profile is called "community"', async () => {
  const { cli } = freshDatabase();
  const check = async (vk: Record<string, unknown>) => (await cli('vk', 'senders', 'list', '--config', configWith(vk))).stderr;
  assert.match(await check({ providers: PROVIDERS, senders: [providerSender({ provider: null })] }), /vk\.senders\[0\]\.provider must name a vk\.providers profile/);
  assert.match(await check({ providers: PROVIDERS, senders: [providerSender({ provider: 'other' })] }), /vk\.senders\[0\]\.provider is "other", but vk\.providers has no such profile/);
  assert.match(await check({ senders: [communitySender({ communityToken: null })] }), /vk\.senders\[0\]\.communityToken must be set \(adapter "community"\)/);
  assert.match(await check({ providers: PROVIDERS, senders: [providerSender(), providerSender()] }), /each senderName must be unique/);
  assert.match(await check({ providers: { community: PROVIDERS[VK.profile] } }), /"community" is the communities' webhook path/);
  assert.match(await check({ providers: { [VK.profile]: { baseUrl: 'http://x' } } }), /vk\.providers/);
  const carried = await cli('vk', 'senders', 'list', '--config', (() => {
    const file = join(tempDir(), 'config.json');
    writeFileSync(file, JSON.stringify({ channels: { SMS: { connector: 'vk' } } }));
    return file;
  })());
  assert.match(carried.stderr, /channels\.SMS\.connector is vk, which delivers only VK/);
});
