/**
 * Contract: operations running at the same time (several requests, several engine workers, several nodes on one
 * database): no over-reservation, no lost balance update, no message leased twice, and a stop answered 200 is
 * never claimed. On SQLite the calls serialize; on PostgreSQL they really overlap.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MINUTE,
  SECOND,
  SENDERS,
  acceptAll,
  candidate,
  draft,
  earlierWindow,
  mustAccount,
  mustGet,
  newAccount,
  report,
  type SharedStore,
} from './support.js';

export function concurrencyContract(ctx: SharedStore): void {
  describe('concurrent operations', () => {
    it('parallel accepts on one account never reserve more than the balance', async () => {
      const base = earlierWindow();
      const account = await newAccount(ctx.store, { balance: 50_000, senders: SENDERS });
      const results = await Promise.all(
        Array.from({ length: 12 }, () =>
          ctx.store.messages.accept({ accountId: account.id, trafficCenterId: 1, candidates: [candidate(draft(), base, { price: 10_000 })] }, base),
        ),
      );
      assert.equal(results.flat().filter((r) => r.accepted).length, 5);
      assert.deepEqual(await mustAccount(ctx.store, account.id), { ...account, balance: 50_000, reserved: 50_000 });
    });

    it('parallel hand-offs on one account charge every message exactly once (no lost update)', async () => {
      const base = earlierWindow();
      const account = await newAccount(ctx.store, { balance: 1_000_000, senders: SENDERS });
      const uuids = await acceptAll(ctx.store, account.id, Array.from({ length: 20 }, () => candidate(draft(), base, { price: 2_000 })), base);
      // Each message reported twice, by separate calls: the second report changes nothing.
      await Promise.all([...uuids, ...uuids].map((u, i) => ctx.store.engine.apply([report.sent(u, base + SECOND, 1_000 + (i % 20))], base + SECOND)));
      const account2 = await mustAccount(ctx.store, account.id);
      const charged = (await Promise.all(uuids.map((u) => mustGet(ctx.store, account.id, u)))).reduce((sum, m) => sum + m.price!.totalPrice, 0);
      // Both reports of a message carry the same price: 1000 + its index.
      assert.equal(charged, 20 * 1_000 + 190);
      assert.deepEqual([account2.balance, account2.reserved], [1_000_000 - charged, 0]);
    });

    it('parallel stops of one message refund it once', async () => {
      const base = earlierWindow();
      const account = await newAccount(ctx.store, { balance: 100_000, senders: SENDERS });
      const [uuid] = await acceptAll(ctx.store, account.id, [candidate(draft(), base, { price: 30_000, schedule: { sendAfter: base + MINUTE } })], base);
      const codes = await Promise.all(Array.from({ length: 6 }, () => ctx.store.messages.stop(account.id, [uuid!], base + SECOND)));
      assert.deepEqual(codes.flat(), [200, 200, 200, 200, 200, 200]);
      assert.deepEqual(await mustAccount(ctx.store, account.id), { ...account, balance: 100_000, reserved: 0 });
    });

    it('parallel claims by several owners never lease one message twice', async () => {
      const base = earlierWindow();
      const account = await newAccount(ctx.store, { senders: SENDERS });
      const uuids = await acceptAll(ctx.store, account.id, Array.from({ length: 40 }, () => candidate(draft(), base)), base);
      const claims = await Promise.all(['n1', 'n2', 'n3', 'n4'].map((owner) => ctx.store.engine.claimDue(owner, base, MINUTE, 15)));
      const claimed = claims.flat().map((c) => c.uuid);
      assert.equal(new Set(claimed).size, claimed.length, 'a message leased to two owners');
      for (const c of claims) assert.ok(c.length <= 15);
      const rest = await ctx.store.engine.claimDue('n5', base, MINUTE, 100);
      assert.deepEqual([...claimed, ...rest.map((c) => c.uuid)].sort(), [...uuids].sort());
    });

    it('a stop racing a claim: a message answered 200 is never claimed, a claimed one is answered 202', async () => {
      for (let round = 0; round < 3; round++) {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const uuids = await acceptAll(ctx.store, account.id, Array.from({ length: 20 }, () => candidate(draft(), base)), base);
        const [claimed, codes] = await Promise.all([
          ctx.store.engine.claimDue(`racer-${round}`, base + SECOND, MINUTE, 100),
          ctx.store.messages.stop(account.id, uuids, base + SECOND),
        ]);
        const leased = new Set(claimed.map((c) => c.uuid));
        uuids.forEach((uuid, i) => {
          if (leased.has(uuid)) assert.equal(codes[i], 202, `claimed ${uuid} answered ${codes[i]}`);
          else assert.equal(codes[i], 200, `unclaimed ${uuid} answered ${codes[i]}`);
        });
        for (const uuid of uuids) {
          const m = await mustGet(ctx.store, account.id, uuid);
          assert.equal(m.status, leased.has(uuid) ? 'sending' : 'unsent');
        }
      }
    });
  });
}
