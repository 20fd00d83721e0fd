/**
 * Contract: the callback outbox (spec §11.1): events grouped into deliveries of at most 100 per account and URL,
 * leased claims, attempts recorded only under the lease held, retries, drops, and a timeline row per attempt.
 * The outbox sees the whole store: the tests share one, each in its own time window from `earlierWindow()` (earlier
 * than every window before it, so earlier tests' events and deliveries are never old enough or due in it), and
 * pendingCount is read as a change from the start of the test.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Account } from '../../../src/domain/account.js';
import { isoSeconds } from '../../../src/domain/messageView.js';
import type { CallbackAttemptOutcome, CallbackAttemptRecord, ClaimedDelivery } from '../../../src/store/callbackOutbox.js';
import type { Store } from '../../../src/store/store.js';
import { SECOND, acceptAll, candidate, draft, earlierWindow, newAccount, report, sorted, type SharedStore } from './support.js';

const FORM = { maxEvents: 100, fillWaitMs: 1000 };
const LEASE = 10 * SECOND;

/** `count` VK messages asking for the `sent` event at `url`, handed off at `at` in order: one outbox event each. */
export async function sentEvents(store: Store, account: Account, url: string, count: number, at: number): Promise<string[]> {
  const uuids = await acceptAll(
    store,
    account.id,
    Array.from({ length: count }, () => candidate(draft({ channelType: 'VK', callbackUrl: url, callbackEvents: ['sent'] }), at, { price: 1 })),
    at,
  );
  await store.engine.apply(uuids.map((u) => report.sent(u, at, 1)), at);
  return uuids;
}

const uuidsIn = (delivery: ClaimedDelivery): string[] => (JSON.parse(delivery.body) as { message_uuid: string }[]).map((e) => e.message_uuid);

function attempt(delivery: ClaimedDelivery, outcome: CallbackAttemptOutcome, at: number, nextAttemptAt: number | null = null, leaseUntil = delivery.leaseUntil): CallbackAttemptRecord {
  return {
    leaseUntil,
    at,
    nextAttemptAt,
    detail: {
      webhookId: delivery.id,
      url: delivery.url,
      attempt: delivery.attempts + 1,
      httpStatus: outcome === 'delivered' ? 204 : 503,
      error: outcome === 'delivered' ? null : 'Service Unavailable',
      latencyMs: 12,
      outcome,
    },
  };
}

export function callbackOutboxContract(ctx: SharedStore): void {
  describe('callback outbox', () => {
    let T0 = 0;
    let before = { unbatchedEvents: 0, pendingDeliveries: 0 };
    /** pendingCount as a change since the start of the test. */
    const pending = async () => {
      const now = await ctx.store.callbacks.pendingCount();
      return { unbatchedEvents: now.unbatchedEvents - before.unbatchedEvents, pendingDeliveries: now.pendingDeliveries - before.pendingDeliveries };
    };
    beforeEach(async () => {
      T0 = earlierWindow();
      before = await ctx.store.callbacks.pendingCount();
    });

    it('a lone event waits for the fill time, then goes alone; pendingCount follows it', async () => {
      const account = await newAccount(ctx.store);
      assert.deepEqual(await pending(), { unbatchedEvents: 0, pendingDeliveries: 0 });
      await sentEvents(ctx.store, account, 'https://example.com/cb', 1, T0);
      assert.deepEqual(await pending(), { unbatchedEvents: 1, pendingDeliveries: 0 });
      assert.equal(await ctx.store.callbacks.formDeliveries(T0 + 999, FORM), 0);
      assert.deepEqual(await pending(), { unbatchedEvents: 1, pendingDeliveries: 0 });
      assert.equal(await ctx.store.callbacks.formDeliveries(T0 + 1000, FORM), 1);
      assert.deepEqual(await pending(), { unbatchedEvents: 0, pendingDeliveries: 1 });
      assert.equal(await ctx.store.callbacks.formDeliveries(T0 + 5000, FORM), 0, 'an event goes into one delivery only');
    });

    it('full batches of 100 go at once, in event order; the young rest waits for the fill time', async () => {
      const account = await newAccount(ctx.store);
      const uuids = await sentEvents(ctx.store, account, 'https://example.com/cb', 250, T0);
      // At the latest here: a store may already form full deliveries in the transaction that writes their events.
      await ctx.store.callbacks.formDeliveries(T0, FORM);
      assert.deepEqual(await pending(), { unbatchedEvents: 50, pendingDeliveries: 2 });
      const full = await ctx.store.callbacks.claimDue(T0, LEASE, 10);
      assert.deepEqual(
        full.map(uuidsIn).sort((a, b) => a[0]!.localeCompare(b[0]!)),
        [uuids.slice(0, 100), uuids.slice(100, 200)],
      );
      for (const d of full) assert.deepEqual(d.messageUuids, uuidsIn(d));
      assert.equal(await ctx.store.callbacks.formDeliveries(T0 + 999, FORM), 0);
      assert.equal(await ctx.store.callbacks.formDeliveries(T0 + 1000, FORM), 1);
      const [rest] = await ctx.store.callbacks.claimDue(T0 + 1000, LEASE, 10);
      assert.deepEqual(uuidsIn(rest!), uuids.slice(200));
    });

    it('the events of one message and their payloads go in order, the message listed once', async () => {
      const account = await newAccount(ctx.store);
      const [uuid] = await acceptAll(
        ctx.store,
        account.id,
        [candidate(draft({ channelType: 'VK', callbackUrl: 'https://example.com/cb', callbackEvents: ['sent', 'price', 'delivered'] }), T0)],
        T0,
      );
      await ctx.store.engine.apply([report.sent(uuid!, T0, 5_000), report.of(uuid!, { kind: 'delivered', at: T0 + SECOND })], T0 + SECOND);
      assert.equal(await ctx.store.callbacks.formDeliveries(T0 + 2 * SECOND, FORM), 1);
      const [delivery] = await ctx.store.callbacks.claimDue(T0 + 2 * SECOND, LEASE, 10);
      const body = JSON.parse(delivery!.body) as Record<string, unknown>[];
      assert.deepEqual(body.map((e) => e.callback_event), ['sent', 'price', 'delivered', 'price']);
      assert.deepEqual(delivery!.messageUuids, [uuid]);
    });

    it('two accounts or two URLs never share a delivery', async () => {
      const a = await newAccount(ctx.store);
      const b = await newAccount(ctx.store);
      await sentEvents(ctx.store, a, 'https://example.com/one', 2, T0);
      await sentEvents(ctx.store, a, 'https://example.com/two', 1, T0);
      await sentEvents(ctx.store, b, 'https://example.com/one', 1, T0);
      assert.equal(await ctx.store.callbacks.formDeliveries(T0 + 1000, FORM), 3);
      const claimed = await ctx.store.callbacks.claimDue(T0 + 1000, LEASE, 10);
      assert.deepEqual(
        sorted(claimed.map((d) => `${d.accountId} ${d.url} ${uuidsIn(d).length}`)),
        sorted([`${a.id} https://example.com/one 2`, `${a.id} https://example.com/two 1`, `${b.id} https://example.com/one 1`]),
      );
    });

    it('claimDue leases a delivery: what it holds; nobody else gets it while the lease holds; the same body and id after it', async () => {
      const account = await newAccount(ctx.store);
      const url = 'https://login:p%40ss@example.com/cb?x=1';
      const uuids = await sentEvents(ctx.store, account, url, 2, T0);
      await ctx.store.callbacks.formDeliveries(T0 + 1000, FORM);
      const now = T0 + 2000;
      const [first, ...none] = await ctx.store.callbacks.claimDue(now, LEASE, 10);
      assert.deepEqual(none, []);
      assert.ok(first);
      assert.match(first.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'the webhook-id is a UUID');
      assert.deepEqual(
        { ...first, body: JSON.parse(first.body) as unknown },
        {
          id: first.id,
          accountId: account.id,
          url,
          body: uuids.map((u) => ({ message_uuid: u, channel_type: 'VK', callback_event: 'sent', status: 'sent', status_time: isoSeconds(T0) })),
          attempts: 0,
          firstAttemptAt: null,
          messageUuids: uuids,
          signingSecret: null,
          leaseUntil: now + LEASE,
        },
      );
      assert.deepEqual(await ctx.store.callbacks.claimDue(now + 1, LEASE, 10), []);
      assert.deepEqual(await ctx.store.callbacks.claimDue(now + LEASE - 1, LEASE, 10), []);
      const [again] = await ctx.store.callbacks.claimDue(now + LEASE, LEASE, 10);
      assert.deepEqual([again?.id, again?.body, again?.attempts, again?.leaseUntil], [first.id, first.body, 0, now + 2 * LEASE]);
    });

    it('claimDue: at most `limit`; not before the delivery is due', async () => {
      const account = await newAccount(ctx.store);
      for (const path of ['a', 'b', 'c']) await sentEvents(ctx.store, account, `https://example.com/${path}`, 1, T0);
      assert.equal(await ctx.store.callbacks.formDeliveries(T0 + 1000, FORM), 3);
      assert.deepEqual(await ctx.store.callbacks.claimDue(T0 + 999, LEASE, 10), [], 'formed at T0+1000, due from then');
      assert.equal((await ctx.store.callbacks.claimDue(T0 + 1000, LEASE, 2)).length, 2);
      assert.equal((await ctx.store.callbacks.claimDue(T0 + 1000, LEASE, 2)).length, 1);
    });

    it('an attempt recorded with a lease that is no longer held changes nothing; the holder\'s is recorded once', async () => {
      const account = await newAccount(ctx.store);
      const [uuid] = await sentEvents(ctx.store, account, 'https://example.com/cb', 1, T0);
      await ctx.store.callbacks.formDeliveries(T0 + 1000, FORM);
      const stale = (await ctx.store.callbacks.claimDue(T0 + 1000, LEASE, 10))[0]!;
      const current = (await ctx.store.callbacks.claimDue(T0 + 1000 + LEASE, LEASE, 10))[0]!;
      assert.equal(current.id, stale.id);
      assert.notEqual(current.leaseUntil, stale.leaseUntil);
      assert.equal(await ctx.store.callbacks.recordAttempts([attempt(stale, 'delivered', T0 + 1500)]), 0);
      assert.deepEqual(await pending(), { unbatchedEvents: 0, pendingDeliveries: 1 });
      assert.ok(!(await ctx.store.messages.timeline(account.id, uuid!))!.some((e) => e.kind === 'callback_attempt'));
      assert.deepEqual(await ctx.store.callbacks.claimDue(T0 + 1000 + LEASE + 1, LEASE, 10), [], 'the current lease still holds');

      assert.equal(await ctx.store.callbacks.recordAttempts([attempt(current, 'delivered', T0 + 1000 + LEASE)]), 1);
      assert.equal(await ctx.store.callbacks.recordAttempts([attempt(current, 'delivered', T0 + 1000 + LEASE)]), 0, 'the lease ended with the attempt');
      assert.deepEqual(await pending(), { unbatchedEvents: 0, pendingDeliveries: 0 });
      assert.deepEqual(await ctx.store.callbacks.claimDue(T0 + 100 * LEASE, LEASE, 10), []);
      assert.equal((await ctx.store.messages.timeline(account.id, uuid!))!.filter((e) => e.kind === 'callback_attempt').length, 1);
    });

    it('retry: due again at nextAttemptAt with the same id and body, attempts counted, the first attempt time kept; dropped ends it', async () => {
      const account = await newAccount(ctx.store);
      await sentEvents(ctx.store, account, 'https://example.com/cb', 1, T0);
      await ctx.store.callbacks.formDeliveries(T0 + 1000, FORM);
      const first = (await ctx.store.callbacks.claimDue(T0 + 1000, LEASE, 10))[0]!;
      assert.equal(await ctx.store.callbacks.recordAttempts([attempt(first, 'retry', T0 + 1010, T0 + 6000)]), 1);
      assert.deepEqual(await pending(), { unbatchedEvents: 0, pendingDeliveries: 1 });
      assert.deepEqual(await ctx.store.callbacks.claimDue(T0 + 5999, LEASE, 10), []);
      const second = (await ctx.store.callbacks.claimDue(T0 + 6000, LEASE, 10))[0]!;
      assert.deepEqual([second.id, second.body, second.attempts, second.firstAttemptAt], [first.id, first.body, 1, T0 + 1010]);
      assert.equal(await ctx.store.callbacks.recordAttempts([attempt(second, 'retry', T0 + 6000, T0 + 36_000)]), 1);
      const third = (await ctx.store.callbacks.claimDue(T0 + 36_000, LEASE, 10))[0]!;
      assert.deepEqual([third.attempts, third.firstAttemptAt], [2, T0 + 1010]);
      assert.equal(await ctx.store.callbacks.recordAttempts([attempt(third, 'dropped', T0 + 36_000)]), 1);
      assert.deepEqual(await pending(), { unbatchedEvents: 0, pendingDeliveries: 0 });
      assert.deepEqual(await ctx.store.callbacks.claimDue(T0 + 10_000_000, LEASE, 10), []);
    });

    it('every recorded attempt adds a `callback_attempt` row to the timeline of each message of the batch', async () => {
      const account = await newAccount(ctx.store);
      const uuids = await sentEvents(ctx.store, account, 'https://example.com/cb', 2, T0);
      await ctx.store.callbacks.formDeliveries(T0 + 1000, FORM);
      const first = (await ctx.store.callbacks.claimDue(T0 + 1000, LEASE, 10))[0]!;
      const failed = attempt(first, 'retry', T0 + 1000, T0 + 6000);
      await ctx.store.callbacks.recordAttempts([failed]);
      const second = (await ctx.store.callbacks.claimDue(T0 + 6000, LEASE, 10))[0]!;
      const ok = attempt(second, 'delivered', T0 + 6000);
      await ctx.store.callbacks.recordAttempts([ok]);
      for (const uuid of uuids) {
        const rows = (await ctx.store.messages.timeline(account.id, uuid))!.filter((e) => e.kind === 'callback_attempt');
        assert.deepEqual(
          rows.map((e) => [e.at, e.detail]),
          [
            [T0 + 1000, failed.detail],
            [T0 + 6000, ok.detail],
          ],
        );
      }
      assert.deepEqual([failed.detail.attempt, ok.detail.attempt], [1, 2]);
    });

    it('several attempts in one call: each recorded under its own lease', async () => {
      const account = await newAccount(ctx.store);
      await sentEvents(ctx.store, account, 'https://example.com/one', 1, T0);
      await sentEvents(ctx.store, account, 'https://example.com/two', 1, T0);
      await ctx.store.callbacks.formDeliveries(T0 + 1000, FORM);
      const [a, b] = await ctx.store.callbacks.claimDue(T0 + 1000, LEASE, 10);
      assert.equal(
        await ctx.store.callbacks.recordAttempts([attempt(a!, 'delivered', T0 + 1100), attempt(b!, 'retry', T0 + 1100, T0 + 9000), attempt(b!, 'delivered', T0 + 1100, null, 1)]),
        2,
      );
      assert.deepEqual(await pending(), { unbatchedEvents: 0, pendingDeliveries: 1 });
      assert.deepEqual((await ctx.store.callbacks.claimDue(T0 + 9000, LEASE, 10)).map((d) => d.id), [b!.id]);
      assert.equal(await ctx.store.callbacks.recordAttempts([]), 0);
    });

    it('the account\'s signing secret comes with the claim, as it is when claimed', async () => {
      const account = await newAccount(ctx.store);
      const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
      await ctx.store.accounts.setSigningSecret(account.id, secret);
      await sentEvents(ctx.store, account, 'https://example.com/signed', 1, T0);
      await ctx.store.callbacks.formDeliveries(T0 + 1000, FORM);
      const [signed] = await ctx.store.callbacks.claimDue(T0 + 1000, LEASE, 10);
      assert.equal(signed?.signingSecret, secret);
      await ctx.store.accounts.setSigningSecret(account.id, null);
      const [unsigned] = await ctx.store.callbacks.claimDue(T0 + 1000 + LEASE, LEASE, 10);
      assert.deepEqual([unsigned?.id, unsigned?.signingSecret], [signed?.id, null]);
    });

    it('limitEvents bounds one round; the next round forms the rest', async () => {
      const account = await newAccount(ctx.store);
      for (const url of ['https://example.com/a', 'https://example.com/b', 'https://example.com/c']) await sentEvents(ctx.store, account, url, 90, T0);
      const first = await ctx.store.callbacks.formDeliveries(T0 + 1000, { ...FORM, limitEvents: 100 });
      assert.ok(first >= 1 && first < 3, `formed ${first}`);
      const rest = await ctx.store.callbacks.formDeliveries(T0 + 1000, FORM);
      assert.equal(first + rest, 3);
      assert.deepEqual(await pending(), { unbatchedEvents: 0, pendingDeliveries: 3 });
    });

    it('exchange: records the attempts, claims what is due, forms deliveries when fewer than the limit are due', async () => {
      const account = await newAccount(ctx.store);
      await sentEvents(ctx.store, account, 'https://example.com/x1', 1, T0);
      await sentEvents(ctx.store, account, 'https://example.com/x2', 1, T0);
      await ctx.store.callbacks.formDeliveries(T0 + 1000, FORM);
      const exchange = (records: CallbackAttemptRecord[], now: number, limit: number) =>
        ctx.store.callbacks.exchange(records, now, { leaseMs: LEASE, limit, form: FORM });
      const [one] = await exchange([], T0 + 1000, 1);
      assert.deepEqual(await pending(), { unbatchedEvents: 0, pendingDeliveries: 2 });
      // One event young, one old enough: only the old one is formed, and claimed with what was due.
      await sentEvents(ctx.store, account, 'https://example.com/x3', 1, T0 + 500);
      await sentEvents(ctx.store, account, 'https://example.com/x4', 1, T0 + 1500);
      const claimed = await exchange([attempt(one!, 'delivered', T0 + 1500)], T0 + 1500, 5);
      assert.deepEqual(sorted(claimed.map((d) => d.url)), ['https://example.com/x2', 'https://example.com/x3']);
      assert.deepEqual(await pending(), { unbatchedEvents: 1, pendingDeliveries: 2 });
      assert.deepEqual(await exchange([attempt(claimed[0]!, 'delivered', T0 + 1600)], T0 + 1600, 0), [], 'a limit of 0 only records');
      assert.deepEqual(await pending(), { unbatchedEvents: 1, pendingDeliveries: 1 });
    });
  });
}
