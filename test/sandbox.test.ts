import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { secretMatches } from '../src/auth/apiKeys.js';
import { ensureSandboxAccount, SANDBOX_TOKEN } from '../src/sandbox.js';
import { openStore } from '../src/store/openStore.js';

const folder = mkdtempSync(join(tmpdir(), 'dgw-sandbox-'));
after(() => rmSync(folder, { recursive: true, force: true }));
let storeCount = 0;

async function freshStore() {
  return openStore(join(folder, `gateway-${++storeCount}.db`));
}

test('on an empty database: demo with 1000.00 RUB, the example key, sms_promo for SMS and WHATSAPP', async () => {
  const store = await freshStore();
  try {
    const now = Date.parse('2024-05-01T10:00:00Z');
    assert.equal(await ensureSandboxAccount(store, now), true);
    const demo = await store.accounts.byName('demo');
    assert.ok(demo);
    assert.deepEqual([demo.currency, demo.balance, demo.reserved, demo.billingEnabled, demo.suspended], ['RUB', 1000_0000, 0, true, false]);

    const [keyId, secret] = Buffer.from(SANDBOX_TOKEN, 'base64').toString('utf8').split(':');
    assert.deepEqual([keyId, secret], ['Aladdin', 'open sesame']);
    const key = await store.keys.findActive('Aladdin');
    assert.ok(key);
    assert.deepEqual([key.type, key.accountId, key.trafficCenterId], [1, demo.id, 1]);
    assert.ok(secretMatches('open sesame', key.secretHash));

    const senders = await store.senders.list(demo.id);
    assert.deepEqual(senders.map((s) => [s.channel, s.name, s.startsAt]).sort(), [['SMS', 'sms_promo', now], ['WHATSAPP', 'sms_promo', now]]);
  } finally {
    await store.close();
  }
});

test('a database with accounts is never touched, and a second call creates nothing', async () => {
  const store = await freshStore();
  try {
    assert.equal(await ensureSandboxAccount(store, 1), true);
    assert.equal(await ensureSandboxAccount(store, 2), false);
    assert.equal((await store.accounts.list()).length, 1);
  } finally {
    await store.close();
  }
  const operators = await freshStore();
  try {
    await operators.accounts.create({ name: 'acme', currency: 'USD', balance: 0, billingEnabled: true }, 1);
    assert.equal(await ensureSandboxAccount(operators, 2), false);
    assert.equal(await operators.accounts.byName('demo'), null);
    assert.equal(await operators.keys.findActive('Aladdin'), null);
  } finally {
    await operators.close();
  }
});
