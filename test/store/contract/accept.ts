/** Contract: accepting batches (business checks, reservations, ids, short links) and idempotency keys. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REJECTIONS } from '../../../src/domain/businessChecks.js';
import type { MessageDraft } from '../../../src/domain/message.js';
import {
  IDEMPOTENCY_RETENTION_MS,
  IdempotencyClaimLostError,
  type AcceptResult,
  type HeldClaim,
  type IdempotencyClaim,
  type StoredResponse,
} from '../../../src/store/store.js';
import {
  HOUR,
  MINUTE,
  SENDERS,
  T0,
  UUID_V7,
  acceptAll,
  acceptOne,
  candidate,
  draft,
  mustAccount,
  mustGet,
  newAccount,
  query,
  unique,
  type SharedStore,
} from './support.js';

/** The token of a claim that must have been granted. */
function claimedToken(claim: IdempotencyClaim): string {
  assert.equal(claim.state, 'claimed');
  return claim.state === 'claimed' ? claim.token : '';
}

export function acceptContract(ctx: SharedStore): void {
  describe('accepting messages', () => {
    describe('messages.accept', () => {
      it('stores every field of an accepted item, with direction, method, traffic type, centre, country and reservation', async () => {
        const account = await newAccount(ctx.store, { senders: [{ channel: 'SMS', name: 'shop', trafficType: 'PROMO' }] });
        const d = draft({
          content: 'Ünïcode ✓ text 😀 with \'quotes\' and "double" and \\ backslash',
          ttl: 3600,
          tags: ['a', 'b', 'a'],
          externalMessageId: 'ext-1',
          callbackUrl: 'https://user:p%40ss@example.com/cb?x=1',
          callbackEvents: ['sent', 'delivered', 'price'],
          useLocalTime: false,
          localSendTime: '2026-05-01 15:00:00',
          localCompletionTime: '2026-05-02 15:00:00',
          hours: [9, 10],
          days: [1, 2, 3],
          shortUrl: true,
          totalParts: 2,
        });
        const now = T0 + 123;
        const [uuid] = await acceptAll(ctx.store, account.id, [candidate(d, now, { price: 50_000 })], now, 3);
        const message = await mustGet(ctx.store, account.id, uuid!);
        assert.deepEqual(message, {
          ...d,
          uuid,
          accountId: account.id,
          direction: 'outbound',
          sendingMethod: 'API',
          trafficType: 'PROMO',
          trafficCenterId: 3,
          countryCode: 'RU',
          status: 'sending',
          errorCode: null,
          reserved: 50_000,
          price: null,
          createdAt: now,
          sentAt: null,
          statusAt: now,
        });
        assert.equal((await mustAccount(ctx.store, account.id)).reserved, 50_000);
      });

      it('content of every shape and the traffic type of every channel (§12.3) come back as stored', async () => {
        const account = await newAccount(ctx.store, { senders: [...SENDERS] });
        const drafts: MessageDraft[] = [
          draft({ channelType: 'VOICECODE' }),
          draft({ channelType: 'FLASHCALL', content: '123456' }),
          draft({ channelType: 'VK', destination: '4915112345678' }),
          draft({ channelType: 'WHATSAPP', content: { contentType: 'template', templateId: 'tpl_1', language: 'en', parameters: ['x', 'y z'] } }),
          draft({ channelType: 'WHATSAPP' }),
          draft({ channelType: 'SMS', destination: '12025550123' }),
        ];
        const uuids = await acceptAll(ctx.store, account.id, drafts.map((d) => candidate(d, T0)), T0);
        const messages = await Promise.all(uuids.map((u) => mustGet(ctx.store, account.id, u)));
        assert.deepEqual(messages.map((m) => m.content), drafts.map((d) => d.content));
        assert.deepEqual(messages.map((m) => m.trafficType), ['AUTHORIZE', 'AUTHORIZE', 'SERVICE', 'SERVICE', 'SERVICE', 'SERVICE']);
        assert.deepEqual(messages.map((m) => m.countryCode), ['RU', 'RU', 'DE', 'RU', 'RU', 'US']);
        assert.deepEqual(messages.map((m) => m.channelType), drafts.map((d) => d.channelType));
      });

      it('uuids are lowercase UUID v7, increasing within a batch and from one batch to the next', async () => {
        const account = await newAccount(ctx.store);
        const first = await acceptAll(ctx.store, account.id, Array.from({ length: 50 }, () => candidate(draft({ channelType: 'VK' }), T0)), T0);
        const second = await acceptAll(ctx.store, account.id, Array.from({ length: 5 }, () => candidate(draft({ channelType: 'VK' }), T0)), T0);
        for (const uuid of [...first, ...second]) assert.match(uuid, UUID_V7);
        const all = [...first, ...second];
        for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]! < all[i]!, `${all[i - 1]} then ${all[i]}`);
        assert.equal(new Set(all).size, all.length);
      });

      it('business rejections in order: 4032, then 4031 (unknown, other channel or not yet started sender), then 4033 (account or gateway list), then 4020', async () => {
        const account = await newAccount(ctx.store, {
          balance: 30_000,
          senders: [
            { channel: 'SMS', name: 'shop' },
            { channel: 'SMS', name: 'later', startsAt: T0 + HOUR },
            { channel: 'WHATSAPP', name: 'wa_only' },
          ],
        });
        await ctx.store.accounts.setChannelEnabled(account.id, 'WHATSAPP', false);
        await ctx.store.blocklist.add(account.id, '79260000033');
        await ctx.store.blocklist.add(null, '79260000044');
        const huge = 1_000_000_000;
        const items = [
          candidate(draft({ channelType: 'WHATSAPP', senderName: 'nobody', destination: '79260000033' }), T0, { price: huge }),
          candidate(draft({ senderName: 'nobody', destination: '79260000033' }), T0, { price: huge }),
          candidate(draft({ senderName: 'later' }), T0, { price: huge }),
          candidate(draft({ senderName: 'wa_only' }), T0, { price: huge }),
          candidate(draft({ destination: '79260000033' }), T0, { price: huge }),
          candidate(draft({ destination: '79260000044' }), T0, { price: huge }),
          candidate(draft({ channelType: 'VK', destination: '79260000044' }), T0, { price: huge }),
          candidate(draft(), T0, { price: huge }),
          candidate(draft({ channelType: 'VK', senderName: 'anything' }), T0, { price: 10_000 }),
          candidate(draft({ channelType: 'VOICECODE' }), T0, { price: 10_000 }),
          candidate(draft({ channelType: 'FLASHCALL' }), T0, { price: 10_000 }),
          candidate(draft(), T0, { price: 10_000 }),
        ];
        const results = await ctx.store.messages.accept({ accountId: account.id, trafficCenterId: 1, candidates: items }, T0);
        const outcome = (r: AcceptResult) => (r.accepted ? 'accepted' : r.rejection);
        assert.deepEqual(results.map(outcome), [
          REJECTIONS.channelNotEnabled,
          REJECTIONS.senderNotApproved,
          REJECTIONS.senderNotApproved,
          REJECTIONS.senderNotApproved,
          REJECTIONS.destinationBlocked,
          REJECTIONS.destinationBlocked,
          REJECTIONS.destinationBlocked,
          REJECTIONS.insufficientFunds,
          'accepted',
          'accepted',
          'accepted',
          REJECTIONS.insufficientFunds,
        ]);
        // The sender whose start has come is approved.
        await ctx.store.accounts.topUp(account.id, 10_000);
        const later = await ctx.store.messages.accept(
          { accountId: account.id, trafficCenterId: 1, candidates: [candidate(draft({ senderName: 'later' }), T0 + HOUR, { price: 10_000 })] },
          T0 + HOUR,
        );
        assert.equal(later[0]?.accepted, true);
      });

      it('balance is consumed in request order, on top of earlier reservations; an item costing exactly what is left passes', async () => {
        const account = await newAccount(ctx.store, { balance: 25_000, senders: SENDERS });
        const prices = [10_000, 10_000, 10_000, 5_000];
        const results = await ctx.store.messages.accept(
          { accountId: account.id, trafficCenterId: 1, candidates: prices.map((price) => candidate(draft(), T0, { price })) },
          T0,
        );
        assert.deepEqual(results.map((r) => (r.accepted ? 201 : r.rejection.code)), [201, 201, 4020, 201]);
        assert.deepEqual(await mustAccount(ctx.store, account.id), { ...account, balance: 25_000, reserved: 25_000 });
        const uuids = results.flatMap((r) => (r.accepted ? [r.uuid] : []));
        assert.deepEqual(
          await Promise.all(uuids.map(async (u) => (await mustGet(ctx.store, account.id, u)).reserved)),
          [10_000, 10_000, 5_000],
        );
        const next = await ctx.store.messages.accept({ accountId: account.id, trafficCenterId: 1, candidates: [candidate(draft(), T0, { price: 1 })] }, T0);
        assert.deepEqual(next, [{ accepted: false, rejection: REJECTIONS.insufficientFunds }]);
      });

      it('billing disabled: never 4020, nothing reserved', async () => {
        const account = await newAccount(ctx.store, { balance: 0, billingEnabled: false, senders: SENDERS });
        const uuids = await acceptAll(ctx.store, account.id, [candidate(draft(), T0, { price: 1_000_000_000 }), candidate(draft(), T0, { price: 5 })], T0);
        assert.equal(uuids.length, 2);
        const after = await mustAccount(ctx.store, account.id);
        assert.deepEqual([after.balance, after.reserved], [0, 0]);
        assert.equal((await mustGet(ctx.store, account.id, uuids[0]!)).reserved, 0);
      });

      it('rejected items create nothing: no message, no reservation, no short link', async () => {
        const account = await newAccount(ctx.store, { balance: 10_000, senders: SENDERS });
        const slug = unique('slug');
        const results = await ctx.store.messages.accept(
          {
            accountId: account.id,
            trafficCenterId: 1,
            candidates: [
              candidate(draft({ senderName: 'nobody', shortUrl: true }), T0, {
                shortLinks: [{ slug, shortUrl: `https://s.example/${slug}`, url: 'https://example.com/long' }],
              }),
              candidate(draft(), T0, { price: 20_000 }),
            ],
          },
          T0,
        );
        assert.deepEqual(results.map((r) => r.accepted), [false, false]);
        const { filter, page } = query();
        assert.deepEqual(await ctx.store.messages.list(account.id, filter, page, T0), { total: 0, messages: [] });
        assert.equal((await mustAccount(ctx.store, account.id)).reserved, 0);
        assert.equal(await ctx.store.messages.followShortLink(slug), null);
      });

      it('short links of an accepted message: followShortLink returns the message and the original URL, on every click', async () => {
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const [a, b] = [unique('slugA'), unique('slugB')];
        const uuid = await acceptOne(ctx.store, account.id, draft({ shortUrl: true, content: `go https://s.example/${a} or https://s.example/${b}` }), T0, {
          shortLinks: [
            { slug: a, shortUrl: `https://s.example/${a}`, url: 'https://example.com/a?x=1&y=2' },
            { slug: b, shortUrl: `https://s.example/${b}`, url: 'http://example.org/b' },
          ],
        });
        assert.deepEqual(await ctx.store.messages.followShortLink(a), { uuid, url: 'https://example.com/a?x=1&y=2' });
        assert.deepEqual(await ctx.store.messages.followShortLink(a), { uuid, url: 'https://example.com/a?x=1&y=2' });
        assert.deepEqual(await ctx.store.messages.followShortLink(b), { uuid, url: 'http://example.org/b' });
        assert.equal(await ctx.store.messages.followShortLink(unique('nope')), null);
      });

      it('with an idempotency key, the response built from the results is stored and replayed', async () => {
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const key = unique('idem');
        const claim = await ctx.store.idempotency.claim(account.id, key, 'hash-1', T0, MINUTE);
        assert.equal(claim.state, 'claimed');
        const token = claim.state === 'claimed' ? claim.token : '';
        const seen: AcceptResult[][] = [];
        const respond = (results: AcceptResult[]): StoredResponse => {
          seen.push(results);
          return { status: 200, body: JSON.stringify({ items: results }) };
        };
        const results = await ctx.store.messages.accept(
          {
            accountId: account.id,
            trafficCenterId: 1,
            candidates: [candidate(draft(), T0), candidate(draft({ senderName: 'nobody' }), T0)],
            idempotency: { key, token, respond },
          },
          T0,
        );
        assert.deepEqual(seen, [results]);
        assert.deepEqual(await ctx.store.idempotency.claim(account.id, key, 'hash-1', T0 + 1000, MINUTE), {
          state: 'replay',
          response: { status: 200, body: JSON.stringify({ items: results }) },
        });
        assert.deepEqual(await ctx.store.idempotency.claim(account.id, key, 'hash-2', T0 + 1000, MINUTE), { state: 'mismatch' });
      });

      it('the response is stored in the same transaction: when building it fails, nothing is created', async () => {
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const key = unique('idem');
        const slug = unique('slug');
        const token = claimedToken(await ctx.store.idempotency.claim(account.id, key, 'h', T0, MINUTE));
        await assert.rejects(
          ctx.store.messages.accept(
            {
              accountId: account.id,
              trafficCenterId: 1,
              candidates: [
                candidate(draft({ shortUrl: true }), T0, { shortLinks: [{ slug, shortUrl: `https://s.example/${slug}`, url: 'https://example.com/' }] }),
              ],
              idempotency: {
                key,
                token,
                respond: () => {
                  throw new Error('respond failed');
                },
              },
            },
            T0,
          ),
          /respond failed/,
        );
        const { filter, page } = query();
        assert.equal((await ctx.store.messages.list(account.id, filter, page, T0)).total, 0);
        assert.equal((await mustAccount(ctx.store, account.id)).reserved, 0);
        assert.equal(await ctx.store.messages.followShortLink(slug), null);
        assert.deepEqual(await ctx.store.idempotency.claim(account.id, key, 'h', T0 + 1, MINUTE), { state: 'pending' });
      });
    });

    describe('idempotency keys', () => {
      const STALE = 30_000;
      const response = { status: 200, body: '{"errors":false,"items":[]}' };
      const claim = (accountId: number, key: string, hash: string, now: number) => ctx.store.idempotency.claim(accountId, key, hash, now, STALE);
      const held = async (accountId: number, key: string, hash: string, now: number): Promise<HeldClaim> => ({
        key,
        token: claimedToken(await claim(accountId, key, hash, now)),
      });

      it('claimed, then pending while in progress; another body is a mismatch; complete makes it a replay', async () => {
        const account = await newAccount(ctx.store);
        const key = unique('k');
        const mine = await held(account.id, key, 'h1', T0);
        assert.deepEqual(await claim(account.id, key, 'h1', T0 + 1000), { state: 'pending' });
        assert.deepEqual(await claim(account.id, key, 'h2', T0 + 1000), { state: 'mismatch' });
        await ctx.store.idempotency.complete(account.id, mine, response);
        assert.deepEqual(await claim(account.id, key, 'h1', T0 + 2000), { state: 'replay', response });
        assert.deepEqual(await claim(account.id, key, 'h2', T0 + 2000), { state: 'mismatch' });
      });

      it('keys are scoped to the account', async () => {
        const a = await newAccount(ctx.store);
        const b = await newAccount(ctx.store);
        const key = unique('k');
        await ctx.store.idempotency.complete(a.id, await held(a.id, key, 'h1', T0), response);
        assert.equal((await claim(b.id, key, 'h2', T0)).state, 'claimed');
        assert.deepEqual(await claim(a.id, key, 'h1', T0), { state: 'replay', response });
      });

      it('a pending claim older than staleAfterMs is taken over (its request broke the answer limit); a younger one is not', async () => {
        const account = await newAccount(ctx.store);
        const key = unique('k');
        const first = await held(account.id, key, 'h1', T0);
        assert.deepEqual(await claim(account.id, key, 'h1', T0 + STALE - 1), { state: 'pending' });
        const second = await held(account.id, key, 'h1', T0 + STALE + 1);
        assert.notEqual(second.token, first.token);
        // The new claim is fresh: pending again right after.
        assert.deepEqual(await claim(account.id, key, 'h1', T0 + STALE + 2), { state: 'pending' });
        // A completed key is never stale.
        await ctx.store.idempotency.complete(account.id, second, response);
        assert.deepEqual(await claim(account.id, key, 'h1', T0 + 10 * STALE), { state: 'replay', response });
      });

      it('a claim taken over cannot store its answer: complete, accept and release of the old claim change nothing', async () => {
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const key = unique('k');
        const old = await held(account.id, key, 'h1', T0);
        const current = await held(account.id, key, 'h1', T0 + STALE + 1);
        await assert.rejects(ctx.store.idempotency.complete(account.id, old, response), IdempotencyClaimLostError);
        await assert.rejects(
          ctx.store.messages.accept(
            { accountId: account.id, trafficCenterId: 1, candidates: [candidate(draft(), T0)], idempotency: { ...old, respond: () => response } },
            T0,
          ),
          IdempotencyClaimLostError,
        );
        const { filter, page } = query();
        assert.equal((await ctx.store.messages.list(account.id, filter, page, T0)).total, 0, 'nothing created by the lost claim');
        assert.equal((await mustAccount(ctx.store, account.id)).reserved, 0);
        await ctx.store.idempotency.release(account.id, old);
        assert.deepEqual(await claim(account.id, key, 'h1', T0 + STALE + 2), { state: 'pending' }, 'the current claim still holds');
        await ctx.store.idempotency.complete(account.id, current, response);
        assert.deepEqual(await claim(account.id, key, 'h1', T0 + STALE + 3), { state: 'replay', response });
      });

      it('a claim of another owner is pending while that owner lives and is taken over at once when it is gone', async () => {
        const account = await newAccount(ctx.store);
        const key = unique('k');
        const other = await ctx.another();
        let otherClosed = false;
        try {
          const theirs: HeldClaim = { key, token: claimedToken(await other.idempotency.claim(account.id, key, 'h1', T0, STALE)) };
          assert.deepEqual(await claim(account.id, key, 'h1', T0 + 1), { state: 'pending' });
          await other.close();
          otherClosed = true;
          // Young as it is (1 ms), the claim of an owner that is gone does not hold the key.
          const mine = await held(account.id, key, 'h1', T0 + 2);
          assert.notEqual(mine.token, theirs.token);
          await ctx.store.idempotency.complete(account.id, mine, response);
          assert.deepEqual(await claim(account.id, key, 'h1', T0 + 3), { state: 'replay', response });
          // Another body is still refused, whoever claimed the key first.
          assert.deepEqual(await claim(account.id, key, 'h2', T0 + 3), { state: 'mismatch' });
        } finally {
          if (!otherClosed) await other.close();
        }
      });

      it('stored responses are replayed for 24 h; after that the key counts as never used', async () => {
        const account = await newAccount(ctx.store);
        const key = unique('k');
        await ctx.store.idempotency.complete(account.id, await held(account.id, key, 'h1', T0), response);
        assert.deepEqual(await claim(account.id, key, 'h1', T0 + IDEMPOTENCY_RETENTION_MS - 1), { state: 'replay', response });
        assert.equal((await claim(account.id, key, 'h2', T0 + IDEMPOTENCY_RETENTION_MS + 1)).state, 'claimed');
        assert.deepEqual(await claim(account.id, key, 'h2', T0 + IDEMPOTENCY_RETENTION_MS + 2), { state: 'pending' });
      });

      it('release frees a pending key, but never a completed one', async () => {
        const account = await newAccount(ctx.store);
        const key = unique('k');
        await ctx.store.idempotency.release(account.id, await held(account.id, key, 'h1', T0));
        const second = await held(account.id, key, 'h2', T0 + 1);
        await ctx.store.idempotency.complete(account.id, second, response);
        await ctx.store.idempotency.release(account.id, second);
        assert.deepEqual(await claim(account.id, key, 'h2', T0 + 2), { state: 'replay', response });
      });

      it('purgeOlderThan deletes keys created before the cutoff and says how many', async () => {
        const account = await newAccount(ctx.store);
        // Times far before every other test's, so the purge sees only these keys.
        const base = 1_000_000;
        const [old1, old2, young] = [unique('old'), unique('old'), unique('young')];
        await claim(account.id, old1, 'h', base);
        await ctx.store.idempotency.complete(account.id, await held(account.id, old2, 'h', base + 10), response);
        await ctx.store.idempotency.complete(account.id, await held(account.id, young, 'h', base + 20), response);
        assert.equal(await ctx.store.idempotency.purgeOlderThan(base + 20), 2);
        assert.equal(await ctx.store.idempotency.purgeOlderThan(base + 20), 0);
        assert.equal((await claim(account.id, old2, 'h', base + 30)).state, 'claimed');
        assert.deepEqual(await claim(account.id, young, 'h', base + 30), { state: 'replay', response });
      });
    });
  });
}
