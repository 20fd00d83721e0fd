/**
 * Inbound messages reach exactly one account or the operator's unmatched list (issue 10 item 6): a sender name two
 * accounts share used to go silently to the lower account id. The same tests on SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { InboundMessage } from '../../src/connectors/connector.js';
import type { MessageFilter } from '../../src/domain/listQuery.js';
import { openStore } from '../../src/store/openStore.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from '../support/postgresDatabase.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const INBOUND: MessageFilter = {
  messageUuids: [], destinations: [], statuses: [], channelTypes: [], senderNames: [], tags: [], trafficTypes: [],
  sendingMethods: [], trafficCenterIds: [], countryCodes: [], direction: ['inbound'], timeFrom: null, timeTo: null,
  content: null, contentNor: null, readyToStop: null, matchesNothing: false,
};

function sms(to: string, text: string, accountName: string | null = null, at = T0): InboundMessage {
  return { channelType: 'SMS', from: '79031234567', to, text, at, accountName };
}

async function inboundCount(store: Store, accountId: number): Promise<number> {
  return (await store.messages.list(accountId, INBOUND, { sort: 'created_time', offset: 0, limit: 100 }, T0)).total;
}

function routingTests(open: () => Promise<{ store: Store; close(): Promise<void> }>): void {
  it('a sender name two accounts share: the message goes to neither, but to the unmatched list with both names', async () => {
    const { store, close } = await open();
    try {
      const a = await store.accounts.create({ name: 'alpha', currency: 'RUB', balance: 0, billingEnabled: true }, T0);
      const b = await store.accounts.create({ name: 'beta', currency: 'RUB', balance: 0, billingEnabled: true }, T0);
      // Approved straight in the store: databases from before the CLI refused it may hold such pairs.
      for (const account of [b, a]) await store.senders.approve({ accountId: account.id, channel: 'SMS', name: 'shop', trafficType: null, startsAt: 0 });
      assert.equal(await store.messages.storeInbound(sms('shop', 'STOP')), null);
      assert.equal(await inboundCount(store, a.id), 0, 'not the lower account id');
      assert.equal(await inboundCount(store, b.id), 0);
      const [unmatched] = await store.messages.unmatchedInbound(10);
      assert.deepEqual(
        { ...unmatched, id: undefined },
        { id: undefined, channelType: 'SMS', from: '79031234567', to: 'shop', text: 'STOP', receivedAt: T0, reason: 'shared-sender', candidates: ['alpha', 'beta'] },
      );
      // The SMSC's inboundAccount settles it.
      const named = await store.messages.storeInbound(sms('shop', 'STOP', 'beta'));
      assert.ok(named);
      assert.equal(await inboundCount(store, b.id), 1);
      assert.equal(await inboundCount(store, a.id), 0);
    } finally {
      await close();
    }
  });

  it('one owner gets it; no owner, or a named account that does not exist, is kept as unmatched, newest first', async () => {
    const { store, close } = await open();
    try {
      const a = await store.accounts.create({ name: 'alpha', currency: 'RUB', balance: 0, billingEnabled: true }, T0);
      await store.senders.approve({ accountId: a.id, channel: 'SMS', name: 'alpha_sms', trafficType: null, startsAt: 0 });
      await store.senders.approve({ accountId: a.id, channel: 'WHATSAPP', name: 'wa_only', trafficType: null, startsAt: 0 });
      assert.ok(await store.messages.storeInbound(sms('alpha_sms', 'hi')));
      assert.equal(await inboundCount(store, a.id), 1);
      assert.equal(await store.messages.storeInbound(sms('nobody', 'one', null, T0 + 1)), null);
      assert.equal(await store.messages.storeInbound(sms('wa_only', 'two', null, T0 + 2)), null);
      assert.equal(await store.messages.storeInbound(sms('alpha_sms', 'three', 'ghost', T0 + 3)), null);
      const unmatched = await store.messages.unmatchedInbound(10);
      assert.deepEqual(
        unmatched.map((m) => [m.text, m.reason, m.candidates, m.receivedAt]),
        [['three', 'unknown-account', ['ghost'], T0 + 3], ['two', 'no-sender', [], T0 + 2], ['one', 'no-sender', [], T0 + 1]],
      );
      assert.deepEqual((await store.messages.unmatchedInbound(1)).map((m) => m.text), ['three']);
      assert.equal(await inboundCount(store, a.id), 1);
    } finally {
      await close();
    }
  });
}

describe('inbound routing on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-inbound-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  routingTests(async () => {
    const store = await openStore(join(dir, `gateway-${++n}.db`));
    return { store, close: () => store.close() };
  });
});

describe('inbound routing on PostgreSQL', { skip: SKIP_WITHOUT_POSTGRES }, () => {
  routingTests(async () => {
    const database = await createTestDatabase('dgw_inbound');
    const store = await openStore(database.url);
    return {
      store,
      async close() {
        await store.close();
        await database.drop();
      },
    };
  });
});
