/** Contract: accounts, API keys, approved senders and block lists. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { T0, newAccount, sorted, unique, type SharedStore } from './support.js';

export function accountContract(ctx: SharedStore): void {
  describe('accounts, keys, senders, block lists', () => {
    describe('accounts', () => {
      it('create returns the account with its defaults; byId and byName return the same; unknown ones are null', async () => {
        const name = unique('acme');
        const created = await ctx.store.accounts.create({ name, currency: 'USD', balance: 12_345, billingEnabled: true }, T0);
        assert.equal(typeof created.id, 'number');
        assert.deepEqual(created, {
          id: created.id,
          name,
          currency: 'USD',
          balance: 12_345,
          reserved: 0,
          billingEnabled: true,
          suspended: false,
          flashcallCodeLengths: [4],
          disabledChannels: [],
        });
        assert.deepEqual(await ctx.store.accounts.byId(created.id), created);
        assert.deepEqual(await ctx.store.accounts.byName(name), created);
        assert.equal(await ctx.store.accounts.byName(unique('nobody')), null);
        assert.equal(await ctx.store.accounts.byId(created.id + 100_000), null);
      });

      it('an account created with billing disabled says so', async () => {
        const account = await newAccount(ctx.store, { billingEnabled: false, balance: 0 });
        assert.equal(account.billingEnabled, false);
        assert.equal(account.balance, 0);
      });

      it('account names are unique', async () => {
        const name = unique('twice');
        await ctx.store.accounts.create({ name, currency: 'RUB', balance: 0, billingEnabled: true }, T0);
        await assert.rejects(ctx.store.accounts.create({ name, currency: 'EUR', balance: 5, billingEnabled: false }, T0));
        assert.equal((await ctx.store.accounts.byName(name))?.currency, 'RUB');
      });

      it('list contains every account', async () => {
        const a = await newAccount(ctx.store);
        const b = await newAccount(ctx.store);
        const listed = await ctx.store.accounts.list();
        assert.deepEqual(listed.find((x) => x.id === a.id), a);
        assert.deepEqual(listed.find((x) => x.id === b.id), b);
      });

      it('topUp adds and, negative, removes booked balance exactly; returns the updated account', async () => {
        const account = await newAccount(ctx.store, { balance: 10_000 });
        const up = await ctx.store.accounts.topUp(account.id, 25_001);
        assert.deepEqual(up, { ...account, balance: 35_001 });
        const down = await ctx.store.accounts.topUp(account.id, -35_002);
        assert.equal(down.balance, -1);
        assert.equal((await ctx.store.accounts.byId(account.id))?.balance, -1);
      });

      it('balances beyond 32 bits come back as exact numbers', async () => {
        // 900 billion of a currency is 9·10^15 units: within Number.MAX_SAFE_INTEGER, far beyond int4.
        const big = 9_000_000_000_000_000;
        const account = await newAccount(ctx.store, { balance: big - 7 });
        assert.strictEqual(account.balance, big - 7);
        const up = await ctx.store.accounts.topUp(account.id, 7);
        assert.strictEqual(up.balance, big);
        assert.strictEqual((await ctx.store.accounts.byId(account.id))!.balance, big);
      });

      it('setSuspended flips the flag, seen on the account and by findActive', async () => {
        const account = await newAccount(ctx.store);
        const keyId = unique('key');
        await ctx.store.keys.create({ keyId, secretHash: Buffer.from('h'), type: 1, accountId: account.id, trafficCenterId: 1 }, T0);
        await ctx.store.accounts.setSuspended(account.id, true);
        assert.equal((await ctx.store.accounts.byId(account.id))?.suspended, true);
        assert.equal((await ctx.store.keys.findActive(keyId))?.accountSuspended, true);
        await ctx.store.accounts.setSuspended(account.id, false);
        assert.equal((await ctx.store.accounts.byId(account.id))?.suspended, false);
        assert.equal((await ctx.store.keys.findActive(keyId))?.accountSuspended, false);
      });

      it('setChannelEnabled disables and re-enables channels, each listed once', async () => {
        const account = await newAccount(ctx.store);
        await ctx.store.accounts.setChannelEnabled(account.id, 'WHATSAPP', false);
        await ctx.store.accounts.setChannelEnabled(account.id, 'VK', false);
        await ctx.store.accounts.setChannelEnabled(account.id, 'VK', false);
        assert.deepEqual(sorted((await ctx.store.accounts.byId(account.id))!.disabledChannels), ['VK', 'WHATSAPP']);
        await ctx.store.accounts.setChannelEnabled(account.id, 'WHATSAPP', true);
        await ctx.store.accounts.setChannelEnabled(account.id, 'SMS', true);
        assert.deepEqual((await ctx.store.accounts.byId(account.id))!.disabledChannels, ['VK']);
      });

      it('setFlashcallCodeLengths, setBillingEnabled change only their own field', async () => {
        const account = await newAccount(ctx.store);
        await ctx.store.accounts.setFlashcallCodeLengths(account.id, [4, 6]);
        assert.deepEqual(await ctx.store.accounts.byId(account.id), { ...account, flashcallCodeLengths: [4, 6] });
        await ctx.store.accounts.setBillingEnabled(account.id, false);
        assert.deepEqual(await ctx.store.accounts.byId(account.id), { ...account, flashcallCodeLengths: [4, 6], billingEnabled: false });
        await ctx.store.accounts.setBillingEnabled(account.id, true);
        assert.equal((await ctx.store.accounts.byId(account.id))?.billingEnabled, true);
      });

      it('one account\'s settings never touch another\'s', async () => {
        const a = await newAccount(ctx.store);
        const b = await newAccount(ctx.store);
        await ctx.store.accounts.setChannelEnabled(a.id, 'SMS', false);
        await ctx.store.accounts.setSuspended(a.id, true);
        await ctx.store.accounts.topUp(a.id, 5);
        assert.deepEqual(await ctx.store.accounts.byId(b.id), b);
      });
    });

    describe('API keys', () => {
      const hash = Buffer.from([0, 1, 2, 0xfe, 0xff, 0, 42]);

      it('create returns the record; findActive finds it by keyId with the suspension flag; unknown keyId is null', async () => {
        const account = await newAccount(ctx.store);
        const keyId = unique('key');
        const key = await ctx.store.keys.create(
          { keyId, secretHash: hash, type: 2, accountId: account.id, trafficCenterId: 7, name: 'billing robot' },
          T0 + 5,
        );
        assert.equal(typeof key.id, 'number');
        assert.ok(Buffer.isBuffer(key.secretHash));
        assert.deepEqual(
          { ...key, secretHash: [...key.secretHash] },
          {
            id: key.id,
            keyId,
            secretHash: [...hash],
            type: 2,
            accountId: account.id,
            trafficCenterId: 7,
            name: 'billing robot',
            createdAt: T0 + 5,
            revokedAt: null,
          },
        );
        const found = await ctx.store.keys.findActive(keyId);
        assert.ok(found);
        assert.ok(Buffer.isBuffer(found.secretHash));
        assert.deepEqual({ ...found, secretHash: [...found.secretHash] }, { ...key, secretHash: [...hash], accountSuspended: false });
        assert.equal(await ctx.store.keys.findActive(unique('nokey')), null);
      });

      it('a key without a name has name null', async () => {
        const account = await newAccount(ctx.store);
        const key = await ctx.store.keys.create({ keyId: unique('key'), secretHash: hash, type: 1, accountId: account.id, trafficCenterId: 1 }, T0);
        assert.equal(key.name, null);
      });

      it('keyIds are unique', async () => {
        const account = await newAccount(ctx.store);
        const keyId = unique('key');
        await ctx.store.keys.create({ keyId, secretHash: hash, type: 1, accountId: account.id, trafficCenterId: 1 }, T0);
        await assert.rejects(ctx.store.keys.create({ keyId, secretHash: hash, type: 3, accountId: account.id, trafficCenterId: 1 }, T0));
      });

      it('revoke: true once, then false; a revoked key is not active but still listed with revokedAt', async () => {
        const account = await newAccount(ctx.store);
        const key = await ctx.store.keys.create({ keyId: unique('key'), secretHash: hash, type: 1, accountId: account.id, trafficCenterId: 1 }, T0);
        assert.equal(await ctx.store.keys.revoke(key.id, T0 + 1000), true);
        assert.equal(await ctx.store.keys.revoke(key.id, T0 + 2000), false);
        assert.equal(await ctx.store.keys.revoke(key.id + 100_000, T0), false);
        assert.equal(await ctx.store.keys.findActive(key.keyId), null);
        const [listed] = await ctx.store.keys.listForAccount(account.id);
        assert.equal(listed?.id, key.id);
        assert.equal(listed?.revokedAt, T0 + 1000);
      });

      it('listForAccount: the account\'s keys in creation order, nobody else\'s', async () => {
        const account = await newAccount(ctx.store);
        const other = await newAccount(ctx.store);
        const ids: number[] = [];
        for (const type of [1, 4, 2] as const) {
          ids.push((await ctx.store.keys.create({ keyId: unique('key'), secretHash: hash, type, accountId: account.id, trafficCenterId: 1 }, T0)).id);
          await ctx.store.keys.create({ keyId: unique('other'), secretHash: hash, type, accountId: other.id, trafficCenterId: 1 }, T0);
        }
        const listed = await ctx.store.keys.listForAccount(account.id);
        assert.deepEqual(listed.map((k) => k.id), ids);
        assert.deepEqual(listed.map((k) => k.type), [1, 4, 2]);
        assert.ok(listed.every((k) => k.accountId === account.id));
      });
    });

    describe('approved senders', () => {
      it('approve then list; approving the same (account, channel, name) again updates it in place', async () => {
        const account = await newAccount(ctx.store);
        await ctx.store.senders.approve({ accountId: account.id, channel: 'SMS', name: 'shop', trafficType: null, startsAt: T0 });
        await ctx.store.senders.approve({ accountId: account.id, channel: 'WHATSAPP', name: 'shop', trafficType: 'SERVICE', startsAt: 0 });
        await ctx.store.senders.approve({ accountId: account.id, channel: 'SMS', name: 'shop', trafficType: 'PROMO', startsAt: T0 + 1 });
        const listed = await ctx.store.senders.list(account.id);
        const key = (s: { channel: string; name: string }) => `${s.channel}/${s.name}`;
        assert.deepEqual(
          [...listed].sort((a, b) => key(a).localeCompare(key(b))),
          [
            { accountId: account.id, channel: 'SMS', name: 'shop', trafficType: 'PROMO', startsAt: T0 + 1 },
            { accountId: account.id, channel: 'WHATSAPP', name: 'shop', trafficType: 'SERVICE', startsAt: 0 },
          ],
        );
      });

      it('list(accountId) holds only that account\'s senders; list() holds everyone\'s', async () => {
        const a = await newAccount(ctx.store);
        const b = await newAccount(ctx.store);
        await ctx.store.senders.approve({ accountId: a.id, channel: 'SMS', name: 'alpha', trafficType: null, startsAt: 0 });
        await ctx.store.senders.approve({ accountId: b.id, channel: 'SMS', name: 'beta', trafficType: 'TRANSACT', startsAt: 0 });
        assert.deepEqual((await ctx.store.senders.list(a.id)).map((s) => s.name), ['alpha']);
        const all = await ctx.store.senders.list();
        assert.ok(all.some((s) => s.accountId === a.id && s.name === 'alpha'));
        assert.ok(all.some((s) => s.accountId === b.id && s.name === 'beta' && s.trafficType === 'TRANSACT'));
      });

      it('an exclusive approval is refused when another account has the name on the channel, and names it', async () => {
        const a = await newAccount(ctx.store);
        const b = await newAccount(ctx.store);
        const name = unique('shared');
        const sender = (accountId: number, channel: 'SMS' | 'WHATSAPP' = 'SMS') => ({ accountId, channel, name, trafficType: null, startsAt: 0 });
        assert.deepEqual(await ctx.store.senders.approve(sender(a.id), { exclusive: true }), { approved: true });
        assert.deepEqual(await ctx.store.senders.approve(sender(b.id), { exclusive: true }), { approved: false, sharedWith: [a.name] });
        assert.deepEqual(await ctx.store.senders.list(b.id), [], 'nothing approved for b');
        // Approving again for the owner updates in place; another channel, or a non-exclusive approval, is allowed.
        assert.deepEqual(await ctx.store.senders.approve({ ...sender(a.id), trafficType: 'PROMO' }, { exclusive: true }), { approved: true });
        assert.deepEqual(await ctx.store.senders.approve(sender(b.id, 'WHATSAPP'), { exclusive: true }), { approved: true });
        assert.deepEqual(await ctx.store.senders.approve(sender(b.id)), { approved: true });
      });

      it('two exclusive approvals of one name for two accounts at once, through two stores: exactly one passes', async () => {
        const other = await ctx.another();
        try {
          for (let round = 0; round < 10; round++) {
            const a = await newAccount(ctx.store);
            const b = await newAccount(ctx.store);
            const name = unique('race');
            const outcomes = await Promise.all([
              ctx.store.senders.approve({ accountId: a.id, channel: 'SMS', name, trafficType: null, startsAt: 0 }, { exclusive: true }),
              other.senders.approve({ accountId: b.id, channel: 'SMS', name, trafficType: null, startsAt: 0 }, { exclusive: true }),
            ]);
            assert.equal(outcomes.filter((o) => o.approved).length, 1, `round ${round}: ${JSON.stringify(outcomes)}`);
            assert.equal((await ctx.store.senders.list()).filter((s) => s.name === name).length, 1);
          }
        } finally {
          await other.close();
        }
      });
    });

    describe('block lists', () => {
      it('an account\'s list: add (twice is once), list, remove (true, then false)', async () => {
        const account = await newAccount(ctx.store);
        await ctx.store.blocklist.add(account.id, '79260000002');
        await ctx.store.blocklist.add(account.id, '79260000001');
        await ctx.store.blocklist.add(account.id, '79260000001');
        assert.deepEqual(sorted(await ctx.store.blocklist.list(account.id)), ['79260000001', '79260000002']);
        assert.equal(await ctx.store.blocklist.remove(account.id, '79260000001'), true);
        assert.equal(await ctx.store.blocklist.remove(account.id, '79260000001'), false);
        assert.deepEqual(await ctx.store.blocklist.list(account.id), ['79260000002']);
      });

      it('the gateway-wide list (null) and the accounts\' lists are separate', async () => {
        const a = await newAccount(ctx.store);
        const b = await newAccount(ctx.store);
        await ctx.store.blocklist.add(null, '79269999999');
        await ctx.store.blocklist.add(a.id, '79268888888');
        assert.ok((await ctx.store.blocklist.list(null)).includes('79269999999'));
        assert.ok(!(await ctx.store.blocklist.list(null)).includes('79268888888'));
        assert.deepEqual(await ctx.store.blocklist.list(a.id), ['79268888888']);
        assert.deepEqual(await ctx.store.blocklist.list(b.id), []);
        assert.equal(await ctx.store.blocklist.remove(b.id, '79268888888'), false);
        assert.equal(await ctx.store.blocklist.remove(a.id, '79269999999'), false);
        assert.equal(await ctx.store.blocklist.remove(null, '79269999999'), true);
        assert.ok(!(await ctx.store.blocklist.list(null)).includes('79269999999'));
      });
    });
  });
}
