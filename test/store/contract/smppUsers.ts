/**
 * Contract: SMPP users (store/smppUsers.ts): create (system_id unique over every row, revoked ones too), lookup with
 * the hash, listing per account, revoke, a new password, partial changes of the limits, and apartness between
 * accounts. Every test uses accounts and system ids of its own, so the shared store's other users never show.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SmppUser } from '../../../src/domain/smppUser.js';
import type { NewSmppUser } from '../../../src/store/smppUsers.js';
import { HOUR, T0, newAccount, type SharedStore } from './support.js';

let counter = 0;
/** A system id no other test uses, within the 15 characters of SMPP 3.4. */
function systemId(): string {
  counter += 1;
  return `su${process.pid % 100_000}x${counter}`.slice(0, 15);
}

function newUser(accountId: number, overrides: Partial<NewSmppUser> = {}): NewSmppUser {
  return {
    systemId: systemId(),
    accountId,
    allowList: [],
    maxBinds: 2,
    throughput: 0,
    window: 100,
    messageIdFormat: 'uuid',
    callbackUrl: null,
    ...overrides,
  };
}

export function smppUsersContract(ctx: SharedStore): void {
  describe('SMPP users', () => {
    it('create returns the user with every field; bySystemId gives it back with its hash', async () => {
      const account = await newAccount(ctx.store);
      const input = newUser(account.id, {
        allowList: ['192.0.2.0/24', '2001:db8::/32'],
        maxBinds: 5,
        throughput: 50,
        window: 10,
        messageIdFormat: 'hex',
        callbackUrl: 'https://example.com/cb?x=1',
      });
      const created = await ctx.store.smppUsers.create(input, 'scrypt$32768$8$1$c2FsdA==$aGFzaA==', T0);
      assert.ok(created);
      const expected: SmppUser = { id: created.id, ...input, createdAt: T0, revokedAt: null };
      assert.deepEqual(created, expected);
      assert.equal(typeof created.id, 'number');
      assert.deepEqual(await ctx.store.smppUsers.bySystemId(input.systemId), { user: expected, passwordHash: 'scrypt$32768$8$1$c2FsdA==$aGFzaA==' });
      assert.equal(await ctx.store.smppUsers.bySystemId(systemId()), null);
    });

    it('system ids are exact: case and every printable character count', async () => {
      const account = await newAccount(ctx.store);
      const id = `${systemId().slice(0, 10)}Ab~!`;
      assert.ok(await ctx.store.smppUsers.create(newUser(account.id, { systemId: id }), 'h1', T0));
      assert.ok(await ctx.store.smppUsers.create(newUser(account.id, { systemId: id.toLowerCase() }), 'h2', T0));
      assert.equal((await ctx.store.smppUsers.bySystemId(id))?.passwordHash, 'h1');
      assert.equal((await ctx.store.smppUsers.bySystemId(id.toLowerCase()))?.passwordHash, 'h2');
      assert.equal(await ctx.store.smppUsers.bySystemId(id.toUpperCase()), null);
    });

    it('a system id is taken once, for any account, and stays taken after a revoke', async () => {
      const [first, second] = [await newAccount(ctx.store), await newAccount(ctx.store)];
      const user = newUser(first.id);
      assert.ok(await ctx.store.smppUsers.create(user, 'h', T0));
      assert.equal(await ctx.store.smppUsers.create({ ...user, accountId: second.id }, 'other', T0 + 1), null);
      assert.equal(await ctx.store.smppUsers.revoke(user.systemId, T0 + HOUR), true);
      assert.equal(await ctx.store.smppUsers.create({ ...user, accountId: second.id }, 'other', T0 + 2 * HOUR), null);
      const found = await ctx.store.smppUsers.bySystemId(user.systemId);
      assert.equal(found?.user.accountId, first.id);
      assert.equal(found?.passwordHash, 'h');
    });

    it('list: every user or an account\'s, in the order created, revoked ones too', async () => {
      const [first, second] = [await newAccount(ctx.store), await newAccount(ctx.store)];
      const a = (await ctx.store.smppUsers.create(newUser(first.id), 'h', T0))!;
      const b = (await ctx.store.smppUsers.create(newUser(second.id), 'h', T0))!;
      const c = (await ctx.store.smppUsers.create(newUser(first.id), 'h', T0 + 1))!;
      await ctx.store.smppUsers.revoke(c.systemId, T0 + 2);
      assert.deepEqual(await ctx.store.smppUsers.list(first.id), [a, { ...c, revokedAt: T0 + 2 }]);
      assert.deepEqual(await ctx.store.smppUsers.list(second.id), [b]);
      assert.deepEqual(await ctx.store.smppUsers.list((await newAccount(ctx.store)).id), []);
      const all = (await ctx.store.smppUsers.list()).filter((u) => [a.id, b.id, c.id].includes(u.id));
      assert.deepEqual(all.map((u) => u.systemId), [a.systemId, b.systemId, c.systemId]);
      assert.ok(!JSON.stringify(await ctx.store.smppUsers.list()).includes('"h"'), 'list never carries a hash');
    });

    it('revoke: once; the user is still found, with revokedAt; unknown ids give false', async () => {
      const account = await newAccount(ctx.store);
      const user = (await ctx.store.smppUsers.create(newUser(account.id), 'h', T0))!;
      assert.equal(await ctx.store.smppUsers.revoke(user.systemId, T0 + HOUR), true);
      assert.equal(await ctx.store.smppUsers.revoke(user.systemId, T0 + 2 * HOUR), false);
      assert.equal(await ctx.store.smppUsers.revoke(systemId(), T0), false);
      assert.deepEqual((await ctx.store.smppUsers.bySystemId(user.systemId))?.user, { ...user, revokedAt: T0 + HOUR });
    });

    it('setPassword replaces the hash of an active user only', async () => {
      const account = await newAccount(ctx.store);
      const user = (await ctx.store.smppUsers.create(newUser(account.id), 'old', T0))!;
      assert.equal(await ctx.store.smppUsers.setPassword(user.systemId, 'new'), true);
      assert.deepEqual(await ctx.store.smppUsers.bySystemId(user.systemId), { user, passwordHash: 'new' });
      assert.equal(await ctx.store.smppUsers.setPassword(systemId(), 'x'), false);
      await ctx.store.smppUsers.revoke(user.systemId, T0 + 1);
      assert.equal(await ctx.store.smppUsers.setPassword(user.systemId, 'after'), false);
      assert.equal((await ctx.store.smppUsers.bySystemId(user.systemId))?.passwordHash, 'new');
    });

    it('setLimits changes what is given and keeps the rest; callbackUrl null clears it; not on revoked or unknown users', async () => {
      const account = await newAccount(ctx.store);
      const user = (await ctx.store.smppUsers.create(newUser(account.id, { allowList: ['10.0.0.0/8'], callbackUrl: 'https://a.example/cb' }), 'h', T0))!;
      const windowOnly = await ctx.store.smppUsers.setLimits(user.systemId, { window: 7 });
      assert.deepEqual(windowOnly, { ...user, window: 7 });
      const many = await ctx.store.smppUsers.setLimits(user.systemId, {
        allowList: ['::1/128', '192.0.2.1/32'],
        maxBinds: 100,
        throughput: 100_000,
        messageIdFormat: 'decimal',
        callbackUrl: null,
        window: undefined,
      });
      const expected = { ...user, window: 7, allowList: ['::1/128', '192.0.2.1/32'], maxBinds: 100, throughput: 100_000, messageIdFormat: 'decimal' as const, callbackUrl: null };
      assert.deepEqual(many, expected);
      assert.deepEqual((await ctx.store.smppUsers.bySystemId(user.systemId))?.user, expected);
      assert.deepEqual(await ctx.store.smppUsers.setLimits(user.systemId, { allowList: [] }), { ...expected, allowList: [] });
      assert.deepEqual(await ctx.store.smppUsers.setLimits(user.systemId, {}), { ...expected, allowList: [] });
      assert.equal(await ctx.store.smppUsers.setLimits(systemId(), { window: 1 }), null);
      await ctx.store.smppUsers.revoke(user.systemId, T0 + 1);
      assert.equal(await ctx.store.smppUsers.setLimits(user.systemId, { window: 1 }), null);
      assert.equal((await ctx.store.smppUsers.bySystemId(user.systemId))?.user.window, 7);
    });

    it('another store on the same database sees the users', async () => {
      const account = await newAccount(ctx.store);
      const user = (await ctx.store.smppUsers.create(newUser(account.id), 'h', T0))!;
      const other = await ctx.another();
      try {
        assert.deepEqual(await other.smppUsers.bySystemId(user.systemId), { user, passwordHash: 'h' });
        assert.equal(await other.smppUsers.create(newUser(account.id, { systemId: user.systemId }), 'x', T0), null);
      } finally {
        await other.close();
      }
    });
  });
}
