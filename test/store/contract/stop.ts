/** Contract: stopping messages (spec §9): 200/202/403/404, refunds, the `delivered` callback, order and duplicates. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoSeconds } from '../../../src/domain/messageView.js';
import {
  HOUR,
  MINUTE,
  SECOND,
  SENDERS,
  T0,
  UNKNOWN_UUID,
  acceptOne,
  callbacksOf,
  draft,
  mustAccount,
  mustGet,
  newAccount,
  query,
  report,
  sorted,
  unique,
  type SharedStore,
} from './support.js';

export function stopContract(ctx: SharedStore): void {
  describe('messages.stop', () => {
    const later = { schedule: { sendAfter: T0 + HOUR } };

    it('a sending message nobody has claimed: 200, unsent 606 at once, its reservation released, never charged nor priced', async () => {
      const account = await newAccount(ctx.store, { balance: 100_000, senders: SENDERS });
      const uuid = await acceptOne(ctx.store, account.id, draft(), T0, { price: 25_000, ...later });
      assert.equal((await mustAccount(ctx.store, account.id)).reserved, 25_000);
      assert.deepEqual(await ctx.store.messages.stop(account.id, [uuid], T0 + SECOND), [200]);
      const message = await mustGet(ctx.store, account.id, uuid);
      assert.deepEqual(
        [message.status, message.errorCode, message.statusAt, message.reserved, message.price, message.sentAt],
        ['unsent', 606, T0 + SECOND, 0, null, null],
      );
      assert.deepEqual(await mustAccount(ctx.store, account.id), { ...account, balance: 100_000, reserved: 0 });
      const timeline = await ctx.store.messages.timeline(account.id, uuid);
      const last = timeline!.at(-1)!;
      assert.equal(last.kind, 'unsent');
      assert.equal(last.at, T0 + SECOND);
      assert.equal(last.detail?.source, 'api');
      assert.equal(last.detail?.errorCode, 606);
    });

    it('an unsent message: 200 again, nothing changes', async () => {
      const account = await newAccount(ctx.store, { senders: SENDERS });
      const uuid = await acceptOne(ctx.store, account.id, draft(), T0, later);
      await ctx.store.messages.stop(account.id, [uuid], T0 + SECOND);
      const before = await mustGet(ctx.store, account.id, uuid);
      const money = await mustAccount(ctx.store, account.id);
      assert.deepEqual(await ctx.store.messages.stop(account.id, [uuid], T0 + 2 * SECOND), [200]);
      assert.deepEqual(await mustGet(ctx.store, account.id, uuid), before);
      assert.deepEqual(await mustAccount(ctx.store, account.id), money);
    });

    it('a claimed message: 202 while the lease holds, it stays sending and is flagged; once the lease ended, 200', async () => {
      const account = await newAccount(ctx.store, { senders: SENDERS });
      const uuid = await acceptOne(ctx.store, account.id, draft(), T0);
      const claimed = await ctx.store.engine.claimDue('stop-test', T0, MINUTE, 100_000);
      assert.ok(claimed.some((c) => c.uuid === uuid));
      assert.deepEqual(await ctx.store.messages.stop(account.id, [uuid], T0 + SECOND), [202]);
      assert.equal((await mustGet(ctx.store, account.id, uuid)).status, 'sending');
      assert.deepEqual([...(await ctx.store.engine.stopRequested([uuid]))], [uuid]);
      assert.deepEqual(await ctx.store.messages.stop(account.id, [uuid], T0 + MINUTE - 1), [202]);
      assert.deepEqual(await ctx.store.messages.stop(account.id, [uuid], T0 + MINUTE), [200]);
      const message = await mustGet(ctx.store, account.id, uuid);
      assert.deepEqual([message.status, message.errorCode, message.reserved], ['unsent', 606, 0]);
      assert.equal((await mustAccount(ctx.store, account.id)).reserved, 0);
    });

    it('403 once handed off: sent, delivered, undelivered, read, unread; nothing changes', async () => {
      const account = await newAccount(ctx.store, { senders: SENDERS });
      const cases: [string, (uuid: string) => Promise<void>][] = [
        ['sent', async () => {}],
        ['delivered', async (u) => ctx.store.engine.apply([report.of(u, { kind: 'delivered', at: T0 + 2 * SECOND })], T0 + 2 * SECOND)],
        ['undelivered', async (u) => ctx.store.engine.apply([report.of(u, { kind: 'undelivered', at: T0 + 2 * SECOND, errorCode: 5 })], T0 + 2 * SECOND)],
        ['read', async (u) => ctx.store.engine.apply([report.of(u, { kind: 'read', at: T0 + 2 * SECOND })], T0 + 2 * SECOND)],
        ['unread', async (u) => ctx.store.engine.apply([report.of(u, { kind: 'unread', at: T0 + 2 * SECOND })], T0 + 2 * SECOND)],
      ];
      for (const [status, reach] of cases) {
        const uuid = await acceptOne(ctx.store, account.id, draft({ channelType: 'WHATSAPP' }), T0, later);
        await ctx.store.engine.apply([report.sent(uuid, T0 + SECOND, 12_000)], T0 + SECOND);
        await reach(uuid);
        const before = await mustGet(ctx.store, account.id, uuid);
        assert.equal(before.status, status);
        assert.deepEqual(await ctx.store.messages.stop(account.id, [uuid], T0 + 3 * SECOND), [403], status);
        assert.deepEqual(await mustGet(ctx.store, account.id, uuid), before, status);
      }
    });

    it('404 for an unknown uuid, another account\'s message (left alone) and a non-UUID', async () => {
      const account = await newAccount(ctx.store, { senders: SENDERS });
      const other = await newAccount(ctx.store, { senders: SENDERS });
      const theirs = await acceptOne(ctx.store, other.id, draft(), T0, later);
      assert.deepEqual(await ctx.store.messages.stop(account.id, [UNKNOWN_UUID, theirs, 'abc', '', `${theirs}x`], T0 + SECOND), [404, 404, 404, 404, 404]);
      assert.equal((await mustGet(ctx.store, other.id, theirs)).status, 'sending');
    });

    it('one code per uuid in order, duplicates repeated (and refunded once); uuids match case-insensitively', async () => {
      const account = await newAccount(ctx.store, { balance: 100_000, senders: SENDERS });
      const a = await acceptOne(ctx.store, account.id, draft(), T0, { price: 10_000, ...later });
      const b = await acceptOne(ctx.store, account.id, draft(), T0, { price: 20_000, ...later });
      await ctx.store.engine.apply([report.sent(b, T0 + SECOND, 20_000)], T0 + SECOND);
      assert.deepEqual(
        await ctx.store.messages.stop(account.id, [a, a, UNKNOWN_UUID, b, a.toUpperCase(), 'nope'], T0 + 2 * SECOND),
        [200, 200, 404, 403, 200, 404],
      );
      // a: refunded once; b: charged at hand-off.
      assert.deepEqual(await mustAccount(ctx.store, account.id), { ...account, balance: 80_000, reserved: 0 });
      assert.deepEqual(await ctx.store.messages.stop(account.id, [b.toUpperCase()], T0 + 3 * SECOND), [403]);
    });

    it('a stopped message with a callback URL puts its `delivered` event (status unsent, error 606) in the outbox', async () => {
      const account = await newAccount(ctx.store, { senders: SENDERS });
      const callbackUrl = `https://example.com/${unique('stop')}`;
      const uuid = await acceptOne(ctx.store, account.id, draft({ callbackUrl, callbackEvents: ['delivered', 'sent', 'price'] }), T0, later);
      assert.deepEqual(await ctx.store.messages.stop(account.id, [uuid], T0 + 1500), [200]);
      assert.deepEqual(await callbacksOf(ctx.store, uuid), [
        {
          message_uuid: uuid,
          channel_type: 'SMS',
          callback_event: 'delivered',
          status: 'unsent',
          status_time: isoSeconds(T0 + 1500),
          error_code: 606,
        },
      ]);
    });

    it('ready_to_stop lists exactly the messages a stop answers with 200', async () => {
      const account = await newAccount(ctx.store, { senders: SENDERS });
      const idle = await acceptOne(ctx.store, account.id, draft(), T0, later);
      const leased = await acceptOne(ctx.store, account.id, draft(), T0);
      const unsent = await acceptOne(ctx.store, account.id, draft(), T0, later);
      const sent = await acceptOne(ctx.store, account.id, draft(), T0, later);
      const claimed = await ctx.store.engine.claimDue('stop-test', T0 + SECOND, MINUTE, 100_000);
      assert.ok(claimed.some((c) => c.uuid === leased));
      assert.ok(!claimed.some((c) => [idle, unsent, sent].includes(c.uuid)));
      await ctx.store.messages.stop(account.id, [unsent], T0 + SECOND);
      await ctx.store.engine.apply([report.sent(sent, T0 + SECOND, 25_000)], T0 + SECOND);
      const now = T0 + 2 * SECOND;
      const { filter, page } = query({ ready_to_stop: 'true' });
      const ready = (await ctx.store.messages.list(account.id, filter, page, now)).messages.map((x) => x.uuid);
      assert.deepEqual(sorted(ready), sorted([idle, unsent]));
      assert.deepEqual(await ctx.store.messages.stop(account.id, [idle, leased, unsent, sent], now), [200, 202, 200, 403]);
    });
  });
}
