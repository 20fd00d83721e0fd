/**
 * Contract: the sandbox's callback inbox (store/sandboxInbox.ts): the account an inbox names, with its signing
 * secret; entries kept as recorded (header lines in order, exact body bytes), newest first and paged by id; the
 * bound of `keep` per account, kept on every recording; clearing. Every test works on accounts of its own.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewInboxEntry } from '../../../src/store/sandboxInbox.js';
import { generateSigningSecret } from '../../../src/domain/signingSecret.js';
import { T0, newAccount, unique, type SharedStore } from './support.js';

function entry(accountId: number, n: number, overrides: Partial<NewInboxEntry> = {}): NewInboxEntry {
  return {
    accountId,
    receivedAt: T0 + n,
    headers: [{ name: 'Content-Type', value: 'application/json' }],
    body: Buffer.from(`[${n}]`),
    signature: 'unsigned',
    webhookId: null,
    ...overrides,
  };
}

export function sandboxInboxContract(ctx: SharedStore): void {
  describe('sandbox inbox', () => {
    it('names the account by its name, with its signing secret; null for an unknown name', async () => {
      const account = await newAccount(ctx.store);
      assert.deepEqual(await ctx.store.sandboxInbox.account(account.name), { accountId: account.id, signingSecret: null });
      const secret = generateSigningSecret();
      await ctx.store.accounts.setSigningSecret(account.id, secret);
      assert.deepEqual(await ctx.store.sandboxInbox.account(account.name), { accountId: account.id, signingSecret: secret });
      assert.equal(await ctx.store.sandboxInbox.account(unique('no-such-account')), null);
    });

    it('keeps an entry as recorded: header lines in order (repeated ones apart), the exact bytes, the check, the webhook-id', async () => {
      const account = await newAccount(ctx.store);
      const body = Buffer.from([0x5b, 0xff, 0x00, 0xc3, 0x28, 0x5d]);
      const headers = [
        { name: 'Host', value: '127.0.0.1' },
        { name: 'X-Twice', value: 'a' },
        { name: 'webhook-id', value: 'id-1' },
        { name: 'X-Twice', value: 'b' },
      ];
      const id = await ctx.store.sandboxInbox.record(entry(account.id, 7, { headers, body, signature: 'verified', webhookId: 'id-1' }), 10);
      const [got, ...rest] = await ctx.store.sandboxInbox.list(account.id, { limit: 10 });
      assert.deepEqual(rest, []);
      assert.equal(got!.id, id);
      assert.equal(got!.receivedAt, T0 + 7);
      assert.deepEqual(got!.headers, headers);
      assert.ok(Buffer.isBuffer(got!.body));
      assert.deepEqual([...got!.body], [...body]);
      assert.equal(got!.signature, 'verified');
      assert.equal(got!.webhookId, 'id-1');
    });

    it('lists newest first, paged by `before`, one account only', async () => {
      const [account, other] = [await newAccount(ctx.store), await newAccount(ctx.store)];
      const ids: number[] = [];
      for (let n = 0; n < 5; n++) {
        ids.push(await ctx.store.sandboxInbox.record(entry(account.id, n), 100));
        await ctx.store.sandboxInbox.record(entry(other.id, n), 100);
      }
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      const page = async (limit: number, before?: number) =>
        (await ctx.store.sandboxInbox.list(account.id, { limit, ...(before === undefined ? {} : { before }) })).map((e) => e.body.toString());
      assert.deepEqual(await page(2), ['[4]', '[3]']);
      assert.deepEqual(await page(2, ids[3]), ['[2]', '[1]']);
      assert.deepEqual(await page(2, ids[1]), ['[0]']);
      assert.deepEqual(await page(2, ids[0]), []);
      assert.deepEqual(await page(100), ['[4]', '[3]', '[2]', '[1]', '[0]']);
    });

    it('keeps only the newest `keep` of an account, whatever the others hold', async () => {
      const [account, other] = [await newAccount(ctx.store), await newAccount(ctx.store)];
      for (let n = 0; n < 3; n++) await ctx.store.sandboxInbox.record(entry(other.id, n), 3);
      for (let n = 0; n < 8; n++) await ctx.store.sandboxInbox.record(entry(account.id, n), 3);
      const bodies = async (accountId: number) => (await ctx.store.sandboxInbox.list(accountId, { limit: 100 })).map((e) => e.body.toString());
      assert.deepEqual(await bodies(account.id), ['[7]', '[6]', '[5]']);
      assert.deepEqual(await bodies(other.id), ['[2]', '[1]', '[0]']);
      // A lower bound later prunes down to it at the next recording.
      await ctx.store.sandboxInbox.record(entry(account.id, 8), 1);
      assert.deepEqual(await bodies(account.id), ['[8]']);
    });

    it('keeps the bound under recordings at once, from two stores on one database', async () => {
      const account = await newAccount(ctx.store);
      const another = await ctx.another();
      try {
        await Promise.all(
          Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? ctx.store : another).sandboxInbox.record(entry(account.id, n), 5)),
        );
        assert.equal((await ctx.store.sandboxInbox.list(account.id, { limit: 100 })).length, 5);
      } finally {
        await another.close();
      }
    });

    it("clears one account's inbox, and its ids are not given again", async () => {
      const [account, other] = [await newAccount(ctx.store), await newAccount(ctx.store)];
      const first = await ctx.store.sandboxInbox.record(entry(account.id, 0), 10);
      await ctx.store.sandboxInbox.record(entry(account.id, 1), 10);
      await ctx.store.sandboxInbox.record(entry(other.id, 0), 10);
      assert.equal(await ctx.store.sandboxInbox.clear(account.id), 2);
      assert.deepEqual(await ctx.store.sandboxInbox.list(account.id, { limit: 10 }), []);
      assert.equal((await ctx.store.sandboxInbox.list(other.id, { limit: 10 })).length, 1);
      assert.equal(await ctx.store.sandboxInbox.clear(account.id), 0);
      const next = await ctx.store.sandboxInbox.record(entry(account.id, 2), 10);
      assert.ok(next > first + 1);
    });
  });
}
