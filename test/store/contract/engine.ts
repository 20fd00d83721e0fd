/**
 * Contract: the engine's side of the store: claims under leases, reschedules, stop requests, reports (statuses,
 * money, callbacks, timeline), expiries, in-flight messages, carrier references.
 *
 * The tests of a block share one store; each takes its own time window from `earlierWindow()`, earlier than every
 * window before it, so the claims and expiries of one test never see another test's messages (they are due later).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Account } from '../../../src/domain/account.js';
import type { MessageDraft } from '../../../src/domain/message.js';
import { isoSeconds } from '../../../src/domain/messageView.js';
import type { ReportEnvelope, Store } from '../../../src/store/store.js';
import {
  DAY,
  HOUR,
  MINUTE,
  SECOND,
  SENDERS,
  UNKNOWN_UUID,
  acceptOne,
  callbacksOf,
  draft,
  earlierWindow,
  mustAccount,
  mustGet,
  newAccount,
  report,
  sorted,
  timelineKinds,
  unique,
  type CandidateOptions,
  type SharedStore,
} from './support.js';

const EVERY_EVENT = ['sent', 'delivered', 'read', 'price', 'click'] as const;

export function engineContract(ctx: SharedStore): void {
  describe('engine', () => {
    describe('engine: claims, reschedules, stop requests', () => {
      it('claimDue leases due sending messages and returns what the engine needs to send them', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const d = draft({ totalParts: 2, hours: [9, 10, 11], days: [1, 2, 3, 4, 5], useLocalTime: false });
        const schedule = { timeZone: 'Europe/Moscow', sendAfter: base + SECOND, completeBy: base + DAY, expiresAt: base + 2 * DAY };
        const uuid = await acceptOne(ctx.store, account.id, d, base, { schedule });
        assert.deepEqual(await ctx.store.engine.claimDue('w1', base + SECOND - 1, MINUTE, 100), [], 'not due before sendAfter');
        assert.deepEqual(await ctx.store.engine.claimDue('w1', base + SECOND, MINUTE, 100), [
          {
            uuid,
            accountId: account.id,
            channelType: 'SMS',
            senderName: 'shop',
            destination: '79261234567',
            content: 'hello',
            totalParts: 2,
            expiresAt: base + 2 * DAY,
            stopRequested: false,
            attempts: 1,
            timeZone: 'Europe/Moscow',
            sendAfter: base + SECOND,
            completeBy: base + DAY,
            hours: [9, 10, 11],
            days: [1, 2, 3, 4, 5],
          },
        ]);
      });

      it('content objects and absent schedules come back as stored', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store);
        const content = { contentType: 'text' as const, text: 'Ваш код 1234' };
        const uuid = await acceptOne(ctx.store, account.id, draft({ channelType: 'VOICECODE', content }), base);
        const [claimed] = await ctx.store.engine.claimDue('w1', base, MINUTE, 100);
        assert.equal(claimed?.uuid, uuid);
        assert.deepEqual(claimed?.content, content);
        assert.deepEqual([claimed?.sendAfter, claimed?.completeBy, claimed?.hours, claimed?.days], [null, null, null, null]);
        assert.equal(claimed?.expiresAt, base + 25 * HOUR);
      });

      it('a live lease keeps every other owner out; after leaseMs another owner takes it, attempts counts up, the timeline shows both', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const a = await acceptOne(ctx.store, account.id, draft(), base);
        const b = await acceptOne(ctx.store, account.id, draft(), base);
        const first = await ctx.store.engine.claimDue('worker-a', base, 30 * SECOND, 100);
        assert.deepEqual(sorted(first.map((c) => c.uuid)), sorted([a, b]));
        assert.deepEqual(first.map((c) => c.attempts), [1, 1]);
        assert.deepEqual(await ctx.store.engine.claimDue('worker-b', base + 30 * SECOND - 1, 30 * SECOND, 100), []);
        assert.deepEqual(await ctx.store.engine.claimDue('worker-a', base + 30 * SECOND - 1, 30 * SECOND, 100), []);
        const second = await ctx.store.engine.claimDue('worker-b', base + 30 * SECOND, 30 * SECOND, 100);
        assert.deepEqual(sorted(second.map((c) => c.uuid)), sorted([a, b]));
        assert.deepEqual(second.map((c) => c.attempts), [2, 2]);
        const timeline = await ctx.store.messages.timeline(account.id, a);
        assert.deepEqual(
          timeline!.map((e) => [e.kind, e.at, e.detail?.worker, e.detail?.attempt]),
          [
            ['accepted', base, undefined, undefined],
            ['claimed', base, 'worker-a', 1],
            ['claimed', base + 30 * SECOND, 'worker-b', 2],
          ],
        );
        assert.deepEqual(timeline![0]!.detail, { channelType: 'SMS' });
      });

      it('limit: at most that many, the earliest due first', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const m3 = await acceptOne(ctx.store, account.id, draft(), base + 2 * SECOND);
        const m1 = await acceptOne(ctx.store, account.id, draft(), base);
        const m2 = await acceptOne(ctx.store, account.id, draft(), base + SECOND);
        const first = await ctx.store.engine.claimDue('w', base + 3 * SECOND, MINUTE, 2);
        assert.deepEqual(sorted(first.map((c) => c.uuid)), sorted([m1, m2]));
        const rest = await ctx.store.engine.claimDue('w', base + 3 * SECOND, MINUTE, 2);
        assert.deepEqual(rest.map((c) => c.uuid), [m3]);
      });

      it('only sending messages are claimed: never sent, unsent or delivered ones', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const sending = await acceptOne(ctx.store, account.id, draft(), base);
        const sent = await acceptOne(ctx.store, account.id, draft(), base);
        const unsent = await acceptOne(ctx.store, account.id, draft(), base);
        const delivered = await acceptOne(ctx.store, account.id, draft(), base);
        await ctx.store.engine.apply([report.sent(sent, base, 1), report.sent(delivered, base, 1)], base);
        await ctx.store.engine.apply([report.of(delivered, { kind: 'delivered', at: base })], base);
        assert.deepEqual(await ctx.store.messages.stop(account.id, [unsent], base), [200]);
        const claimed = await ctx.store.engine.claimDue('w', base + SECOND, MINUTE, 100);
        assert.deepEqual(claimed.map((c) => c.uuid), [sending]);
      });

      it('reschedule gives the message back, due at dueAt: not claimable before, claimable by anyone from then on', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const uuid = await acceptOne(ctx.store, account.id, draft(), base);
        await ctx.store.engine.claimDue('owner', base, 30 * SECOND, 100);
        await ctx.store.engine.reschedule('owner', [{ uuid, dueAt: base + MINUTE, note: 'outside the window' }], base + SECOND);
        assert.deepEqual(await ctx.store.engine.claimDue('other', base + MINUTE - 1, 30 * SECOND, 100), []);
        const again = await ctx.store.engine.claimDue('other', base + MINUTE, 30 * SECOND, 100);
        assert.deepEqual(again.map((c) => [c.uuid, c.attempts]), [[uuid, 2]]);
        assert.equal((await mustGet(ctx.store, account.id, uuid)).status, 'sending');
        const timeline = await ctx.store.messages.timeline(account.id, uuid);
        assert.deepEqual(timeline!.map((e) => e.kind), ['accepted', 'claimed', 'rescheduled', 'claimed']);
        assert.equal(timeline![2]!.at, base + SECOND);
        assert.equal(timeline![2]!.detail?.reason, 'outside the window');
      });

      it('only the lease owner can reschedule: another owner\'s reschedule changes nothing', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const uuid = await acceptOne(ctx.store, account.id, draft(), base);
        await ctx.store.engine.claimDue('owner', base, 30 * SECOND, 100);
        await ctx.store.engine.reschedule('intruder', [{ uuid, dueAt: base + DAY, note: 'not mine' }], base + SECOND);
        assert.deepEqual(await ctx.store.engine.claimDue('third', base + 2 * SECOND, 30 * SECOND, 100), [], 'the lease still holds');
        const after = await ctx.store.engine.claimDue('third', base + 30 * SECOND, 30 * SECOND, 100);
        assert.deepEqual(after.map((c) => c.uuid), [uuid], 'still due at its old time');
        assert.deepEqual(await timelineKinds(ctx.store, account.id, uuid), ['accepted', 'claimed', 'claimed']);
      });

      it('reschedule of a message whose stop was requested meanwhile (202) ends it unsent 606, refunded, not given back', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { balance: 50_000, senders: SENDERS });
        const uuid = await acceptOne(ctx.store, account.id, draft({ callbackUrl: `https://example.com/${unique('cb')}`, callbackEvents: ['delivered'] }), base, {
          price: 25_000,
        });
        const [claimed] = await ctx.store.engine.claimDue('owner', base, 30 * SECOND, 100);
        assert.equal(claimed?.stopRequested, false);
        assert.deepEqual(await ctx.store.messages.stop(account.id, [uuid], base + SECOND), [202]);
        assert.deepEqual([...(await ctx.store.engine.stopRequested([uuid]))], [uuid]);
        await ctx.store.engine.reschedule('owner', [{ uuid, dueAt: base + MINUTE, note: 'throttled' }], base + 2 * SECOND);
        const message = await mustGet(ctx.store, account.id, uuid);
        assert.deepEqual([message.status, message.errorCode, message.statusAt, message.reserved], ['unsent', 606, base + 2 * SECOND, 0]);
        assert.deepEqual(await mustAccount(ctx.store, account.id), { ...account, balance: 50_000, reserved: 0 });
        assert.deepEqual(await ctx.store.engine.claimDue('owner', base + MINUTE, 30 * SECOND, 100), []);
        assert.deepEqual(
          (await callbacksOf(ctx.store, uuid)).map((e) => [e.callback_event, e.status, e.error_code]),
          [['delivered', 'unsent', 606]],
        );
      });

      it('a message whose stop was requested and whose lease then ended is claimed with stopRequested true', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const uuid = await acceptOne(ctx.store, account.id, draft(), base);
        await ctx.store.engine.claimDue('dead-worker', base, 10 * SECOND, 100);
        assert.deepEqual(await ctx.store.messages.stop(account.id, [uuid], base + SECOND), [202]);
        const [again] = await ctx.store.engine.claimDue('survivor', base + 10 * SECOND, 10 * SECOND, 100);
        assert.deepEqual([again?.uuid, again?.stopRequested, again?.attempts], [uuid, true, 2]);
      });

      it('stopRequested: the subset of the uuids whose stop was requested', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const flagged = await acceptOne(ctx.store, account.id, draft(), base);
        const plain = await acceptOne(ctx.store, account.id, draft(), base);
        await ctx.store.engine.claimDue('w', base, MINUTE, 100);
        await ctx.store.messages.stop(account.id, [flagged], base);
        assert.deepEqual([...(await ctx.store.engine.stopRequested([plain, flagged, UNKNOWN_UUID]))], [flagged]);
        assert.deepEqual([...(await ctx.store.engine.stopRequested([plain]))], []);
        assert.deepEqual([...(await ctx.store.engine.stopRequested([]))], []);
      });
    });

    describe('engine.apply: statuses, money, callbacks, timeline', () => {
      async function setup(options: { balance?: number; billingEnabled?: boolean } = {}): Promise<Account> {
        return newAccount(ctx.store, { balance: options.balance ?? 100_000, billingEnabled: options.billingEnabled, senders: SENDERS });
      }
      /** A message that wants every callback event, at a URL of its own. */
      async function message(account: Account, base: number, overrides: Partial<MessageDraft> = {}, options: CandidateOptions = {}) {
        return acceptOne(
          ctx.store,
          account.id,
          draft({ callbackUrl: `https://example.com/${unique('cb')}`, callbackEvents: [...EVERY_EVENT], ...overrides }),
          base,
          options,
        );
      }
      const apply = (base: number, ...reports: ReportEnvelope[]) => ctx.store.engine.apply(reports, base);
      const events = async (uuid: string) => (await callbacksOf(ctx.store, uuid)).map((e) => [e.callback_event, e.status ?? null]);

      it('sent: price set (final false), the balance charged, the reservation released, `sent` and `price` events', async () => {
        const base = earlierWindow();
        const account = await setup();
        const uuid = await message(account, base, { totalParts: 2 }, { price: 50_000 });
        assert.equal((await mustAccount(ctx.store, account.id)).reserved, 50_000);
        await ctx.store.engine.claimDue('w', base, MINUTE, 100);
        await apply(base + SECOND, report.sent(uuid, base + SECOND, 40_000, { connector: 'smpp:x', carrierRefs: [['r1'], ['r2']] }));
        const m = await mustGet(ctx.store, account.id, uuid);
        assert.deepEqual(
          [m.status, m.errorCode, m.sentAt, m.statusAt, m.reserved, m.price],
          ['sent', null, base + SECOND, base + SECOND, 0, { totalPrice: 40_000, currency: 'RUB', invoicedParts: 2, final: false }],
        );
        assert.deepEqual(await mustAccount(ctx.store, account.id), { ...account, balance: 60_000, reserved: 0 });
        assert.deepEqual(await callbacksOf(ctx.store, uuid), [
          { message_uuid: uuid, channel_type: 'SMS', callback_event: 'sent', status: 'sent', status_time: isoSeconds(base + SECOND) },
          {
            message_uuid: uuid,
            channel_type: 'SMS',
            callback_event: 'price',
            price: { total_price: 4, currency: 'RUB', invoiced_parts: 2, final: false },
            status_time: isoSeconds(base + SECOND),
          },
        ]);
        const timeline = await ctx.store.messages.timeline(account.id, uuid);
        const sentEntry = timeline!.at(-1)!;
        assert.deepEqual([sentEntry.kind, sentEntry.at], ['sent', base + SECOND]);
        assert.equal(sentEntry.detail?.source, 'test-connector');
        assert.deepEqual(sentEntry.detail?.statuses, ['sent']);
        assert.deepEqual(sentEntry.detail?.callbacks, ['sent', 'price']);
      });

      it('delivered: the price becomes final, the balance is not charged again; `delivered` and final `price` events', async () => {
        const base = earlierWindow();
        const account = await setup();
        const uuid = await message(account, base, {}, { price: 25_000 });
        await apply(base + SECOND, report.sent(uuid, base + SECOND, 25_000));
        await apply(base + 5 * SECOND, report.of(uuid, { kind: 'delivered', at: base + 5 * SECOND }));
        const m = await mustGet(ctx.store, account.id, uuid);
        assert.deepEqual([m.status, m.statusAt, m.sentAt, m.price?.final, m.price?.totalPrice], ['delivered', base + 5 * SECOND, base + SECOND, true, 25_000]);
        assert.deepEqual(await mustAccount(ctx.store, account.id), { ...account, balance: 75_000, reserved: 0 });
        const all = await callbacksOf(ctx.store, uuid);
        assert.deepEqual(all.map((e) => e.callback_event), ['sent', 'price', 'delivered', 'price']);
        assert.deepEqual(all[2], {
          message_uuid: uuid,
          channel_type: 'SMS',
          callback_event: 'delivered',
          status: 'delivered',
          status_time: isoSeconds(base + 5 * SECOND),
        });
        assert.deepEqual(all[3]!.price, { total_price: 2.5, currency: 'RUB', invoiced_parts: 1, final: true });
        assert.deepEqual(await timelineKinds(ctx.store, account.id, uuid), ['accepted', 'sent', 'delivered']);
      });

      it('reports of one call apply in order: sent then delivered in one apply', async () => {
        const base = earlierWindow();
        const account = await setup();
        const uuid = await message(account, base);
        await ctx.store.engine.claimDue('w', base, MINUTE, 100);
        await apply(base + SECOND, report.sent(uuid, base + SECOND, 25_000), report.of(uuid, { kind: 'delivered', at: base + 2 * SECOND }));
        const m = await mustGet(ctx.store, account.id, uuid);
        assert.deepEqual(
          [m.status, m.errorCode, m.sentAt, m.statusAt, m.reserved, m.price],
          ['delivered', null, base + SECOND, base + 2 * SECOND, 0, { totalPrice: 25_000, currency: 'RUB', invoicedParts: 1, final: true }],
        );
        assert.deepEqual(await mustAccount(ctx.store, account.id), { ...account, balance: 75_000, reserved: 0 });
        assert.deepEqual(await events(uuid), [['sent', 'sent'], ['price', null], ['delivered', 'delivered'], ['price', null]]);
        assert.deepEqual(await timelineKinds(ctx.store, account.id, uuid), ['accepted', 'claimed', 'sent', 'delivered']);
        // The claim ended with the hand-off, and a final message is watched no more.
        assert.deepEqual(await ctx.store.engine.claimDue('other', base + 2 * SECOND, MINUTE, 100), []);
        assert.ok(!(await ctx.store.engine.dueForExpiry(base + 30 * HOUR, 100_000)).includes(uuid));
      });

      it('several reports on one message in one apply: each sees the status the one before left; later ones after a final status are ignored', async () => {
        const base = earlierWindow();
        const account = await setup();
        const sms = await message(account, base);
        const vk = await message(account, base, { channelType: 'VK' });
        await apply(
          base + SECOND,
          report.sent(sms, base + SECOND, 25_000),
          report.sent(vk, base + SECOND, 25_000),
          report.of(sms, { kind: 'undelivered', at: base + 2 * SECOND, errorCode: 34 }),
          report.of(vk, { kind: 'delivered', at: base + 2 * SECOND }),
          report.of(sms, { kind: 'delivered', at: base + 3 * SECOND }),
        );
        const undelivered = await mustGet(ctx.store, account.id, sms);
        assert.deepEqual([undelivered.status, undelivered.errorCode, undelivered.statusAt, undelivered.price?.final], ['undelivered', 34, base + 2 * SECOND, true]);
        assert.deepEqual(await timelineKinds(ctx.store, account.id, sms), ['accepted', 'sent', 'undelivered', 'delivered']);
        assert.match(String((await ctx.store.messages.timeline(account.id, sms))!.at(-1)!.detail?.ignored), /undelivered/);
        // A delivered messenger message still waits for its read: its lifetime's end is watched.
        const delivered = await mustGet(ctx.store, account.id, vk);
        assert.deepEqual([delivered.status, delivered.statusAt, delivered.sentAt], ['delivered', base + 2 * SECOND, base + SECOND]);
        assert.ok((await ctx.store.engine.dueForExpiry(base + 30 * HOUR, 100_000)).includes(vk));
        assert.deepEqual(await mustAccount(ctx.store, account.id), { ...account, balance: 50_000, reserved: 0 });
      });

      it('undelivered: with its error code (or null); the `delivered` event carries status and error_code', async () => {
        const base = earlierWindow();
        const account = await setup();
        const coded = await message(account, base);
        const uncoded = await message(account, base);
        await apply(base + SECOND, report.sent(coded, base + SECOND, 25_000), report.sent(uncoded, base + SECOND, 25_000));
        await apply(
          base + 2 * SECOND,
          report.of(coded, { kind: 'undelivered', at: base + 2 * SECOND, errorCode: 5 }),
          report.of(uncoded, { kind: 'undelivered', at: base + 2 * SECOND, errorCode: null }),
        );
        const [m1, m2] = [await mustGet(ctx.store, account.id, coded), await mustGet(ctx.store, account.id, uncoded)];
        assert.deepEqual([m1.status, m1.errorCode, m1.price?.final], ['undelivered', 5, true]);
        assert.deepEqual([m2.status, m2.errorCode, m2.price?.final], ['undelivered', null, true]);
        const deliveredEvent = (await callbacksOf(ctx.store, coded)).find((e) => e.callback_event === 'delivered');
        assert.deepEqual(deliveredEvent, {
          message_uuid: coded,
          channel_type: 'SMS',
          callback_event: 'delivered',
          status: 'undelivered',
          status_time: isoSeconds(base + 2 * SECOND),
          error_code: 5,
        });
        const other = (await callbacksOf(ctx.store, uncoded)).find((e) => e.callback_event === 'delivered');
        assert.equal(other?.status, 'undelivered');
        assert.ok(!('error_code' in other!));
      });

      it('unsent at hand-off (refused): its code, the reservation refunded, never charged nor priced', async () => {
        const base = earlierWindow();
        const account = await setup();
        const uuid = await message(account, base, {}, { price: 25_000 });
        await ctx.store.engine.claimDue('w', base, MINUTE, 100);
        await apply(base + SECOND, report.of(uuid, { kind: 'unsent', at: base + SECOND, errorCode: 458 }, 'simulator'));
        const m = await mustGet(ctx.store, account.id, uuid);
        assert.deepEqual([m.status, m.errorCode, m.statusAt, m.reserved, m.price, m.sentAt], ['unsent', 458, base + SECOND, 0, null, null]);
        assert.deepEqual(await mustAccount(ctx.store, account.id), { ...account, balance: 100_000, reserved: 0 });
        assert.deepEqual(await events(uuid), [['delivered', 'unsent']]);
        assert.equal((await callbacksOf(ctx.store, uuid))[0]!.error_code, 458);
        assert.deepEqual(await ctx.store.engine.claimDue('w', base + 2 * MINUTE, MINUTE, 100), []);
      });

      it('billing disabled: hand-off prices the message but charges nothing', async () => {
        const base = earlierWindow();
        const account = await setup({ balance: 0, billingEnabled: false });
        const uuid = await message(account, base, {}, { price: 25_000 });
        await apply(base + SECOND, report.sent(uuid, base + SECOND, 25_000));
        const m = await mustGet(ctx.store, account.id, uuid);
        assert.deepEqual(m.price, { totalPrice: 25_000, currency: 'RUB', invoicedParts: 1, final: false });
        assert.deepEqual(await mustAccount(ctx.store, account.id), { ...account, balance: 0, reserved: 0 });
      });

      it('expired: sending → unsent 605 (refunded); sent → undelivered 127; delivered on WHATSAPP and VK → unread; delivered SMS stays', async () => {
        const base = earlierWindow();
        const account = await setup({ balance: 1_000_000 });
        const sending = await message(account, base, {}, { price: 10_000 });
        const sent = await message(account, base);
        const wa = await message(account, base, { channelType: 'WHATSAPP' });
        const vk = await message(account, base, { channelType: 'VK' });
        const sms = await message(account, base);
        await apply(base + SECOND, ...[sent, wa, vk, sms].map((u) => report.sent(u, base + SECOND, 10_000)));
        await apply(base + 2 * SECOND, ...[wa, vk, sms].map((u) => report.of(u, { kind: 'delivered', at: base + 2 * SECOND })));
        const at = base + HOUR;
        await apply(at, ...[sending, sent, wa, vk, sms].map((u) => report.of(u, { kind: 'expired', at }, 'engine')));
        const statuses = await Promise.all([sending, sent, wa, vk, sms].map((u) => mustGet(ctx.store, account.id, u)));
        assert.deepEqual(
          statuses.map((m) => [m.status, m.errorCode]),
          [
            ['unsent', 605],
            ['undelivered', 127],
            ['unread', null],
            ['unread', null],
            ['delivered', null],
          ],
        );
        assert.equal(statuses[0]!.reserved, 0);
        assert.equal(statuses[1]!.price?.final, true);
        assert.equal(statuses[4]!.statusAt, base + 2 * SECOND);
        assert.deepEqual(await events(wa), [['sent', 'sent'], ['price', null], ['delivered', 'delivered'], ['price', null], ['read', 'unread']]);
        assert.deepEqual(await events(sms), [['sent', 'sent'], ['price', null], ['delivered', 'delivered'], ['price', null]]);
        // 5 sent at 1.0000 each, the expired sending one refunded.
        assert.deepEqual(await mustAccount(ctx.store, account.id), { ...account, balance: 1_000_000 - 40_000, reserved: 0 });
      });

      it('a read report before the delivery report (WHATSAPP, VK) records delivered, then read; both events in order', async () => {
        const base = earlierWindow();
        const account = await setup();
        for (const channelType of ['WHATSAPP', 'VK'] as const) {
          const uuid = await message(account, base, { channelType });
          await apply(base + SECOND, report.sent(uuid, base + SECOND, 10_000));
          await apply(base + 3 * SECOND, report.of(uuid, { kind: 'read', at: base + 3 * SECOND }));
          const m = await mustGet(ctx.store, account.id, uuid);
          assert.deepEqual([m.status, m.statusAt, m.price?.final], ['read', base + 3 * SECOND, true], channelType);
          const all = await callbacksOf(ctx.store, uuid);
          assert.deepEqual(
            all.filter((e) => e.callback_event !== 'price').map((e) => [e.callback_event, e.status, e.status_time]),
            [
              ['sent', 'sent', isoSeconds(base + SECOND)],
              ['delivered', 'delivered', isoSeconds(base + 3 * SECOND)],
              ['read', 'read', isoSeconds(base + 3 * SECOND)],
            ],
            channelType,
          );
          const readEntry = (await ctx.store.messages.timeline(account.id, uuid))!.at(-1)!;
          assert.deepEqual([readEntry.kind, readEntry.detail?.statuses], ['read', ['delivered', 'read']]);
          // The late delivery report changes nothing.
          await apply(base + 4 * SECOND, report.of(uuid, { kind: 'delivered', at: base + 4 * SECOND }));
          assert.equal((await mustGet(ctx.store, account.id, uuid)).status, 'read');
        }
      });

      it('read/unread on a channel without read receipts is ignored; unread after delivered on a messenger applies', async () => {
        const base = earlierWindow();
        const account = await setup();
        const sms = await message(account, base);
        const vk = await message(account, base, { channelType: 'VK' });
        await apply(base + SECOND, report.sent(sms, base + SECOND, 1), report.sent(vk, base + SECOND, 1));
        await apply(base + 2 * SECOND, report.of(sms, { kind: 'read', at: base + 2 * SECOND }), report.of(vk, { kind: 'delivered', at: base + 2 * SECOND }));
        await apply(base + 3 * SECOND, report.of(vk, { kind: 'unread', at: base + 3 * SECOND }));
        assert.equal((await mustGet(ctx.store, account.id, sms)).status, 'sent');
        assert.equal((await mustGet(ctx.store, account.id, vk)).status, 'unread');
        assert.ok(!(await events(sms)).some(([e]) => e === 'read' || e === 'delivered'));
      });

      it('reports after a final status are ignored (noted in the timeline); a second hand-off never charges twice', async () => {
        const base = earlierWindow();
        const account = await setup();
        const delivered = await message(account, base, {}, { price: 10_000 });
        const undelivered = await message(account, base, {}, { price: 10_000 });
        const unsent = await message(account, base, {}, { price: 10_000 });
        await apply(base + SECOND, report.sent(delivered, base + SECOND, 10_000), report.sent(undelivered, base + SECOND, 10_000));
        await apply(
          base + 2 * SECOND,
          report.of(delivered, { kind: 'delivered', at: base + 2 * SECOND }),
          report.of(undelivered, { kind: 'undelivered', at: base + 2 * SECOND, errorCode: 1 }),
          report.of(unsent, { kind: 'unsent', at: base + 2 * SECOND, errorCode: 400 }),
        );
        const before = await Promise.all([delivered, undelivered, unsent].map((u) => mustGet(ctx.store, account.id, u)));
        const money = await mustAccount(ctx.store, account.id);
        assert.deepEqual(money, { ...account, balance: 80_000, reserved: 0 });
        await apply(
          base + 3 * SECOND,
          report.of(delivered, { kind: 'undelivered', at: base + 3 * SECOND, errorCode: 9 }),
          report.sent(delivered, base + 3 * SECOND, 99_000),
          report.of(undelivered, { kind: 'delivered', at: base + 3 * SECOND }),
          report.sent(unsent, base + 3 * SECOND, 10_000),
          report.of(unsent, { kind: 'delivered', at: base + 3 * SECOND }),
          report.of(delivered, { kind: 'expired', at: base + 3 * SECOND }),
        );
        const after = await Promise.all([delivered, undelivered, unsent].map((u) => mustGet(ctx.store, account.id, u)));
        assert.deepEqual(after, before);
        assert.deepEqual(await mustAccount(ctx.store, account.id), money);
        const last = (await ctx.store.messages.timeline(account.id, delivered))!.at(-1)!;
        assert.equal(last.kind, 'expired');
        assert.deepEqual(last.detail?.statuses, []);
        assert.equal(typeof last.detail?.ignored, 'string');
        assert.deepEqual(await events(unsent), [['delivered', 'unsent']]);
      });

      it('a second `sent` report while sent changes nothing (no second charge, no second event)', async () => {
        const base = earlierWindow();
        const account = await setup();
        const uuid = await message(account, base, {}, { price: 10_000 });
        await apply(base + SECOND, report.sent(uuid, base + SECOND, 10_000));
        await apply(base + 2 * SECOND, report.sent(uuid, base + 2 * SECOND, 10_000));
        const m = await mustGet(ctx.store, account.id, uuid);
        assert.deepEqual([m.status, m.sentAt], ['sent', base + SECOND]);
        assert.deepEqual(await mustAccount(ctx.store, account.id), { ...account, balance: 90_000, reserved: 0 });
        assert.deepEqual(await events(uuid), [['sent', 'sent'], ['price', null]]);
      });

      it('click: no status change; the `click` event names the original URL behind the short link', async () => {
        const base = earlierWindow();
        const account = await setup();
        const slug = unique('slug');
        const shortUrl = `https://s.example/${slug}`;
        const uuid = await message(account, base, { shortUrl: true, content: `see ${shortUrl}` }, {
          shortLinks: [{ slug, shortUrl, url: 'https://example.com/original?a=1' }],
        });
        await apply(base + SECOND, report.sent(uuid, base + SECOND, 25_000));
        await apply(base + 5 * SECOND, report.of(uuid, { kind: 'click', at: base + 5 * SECOND, url: shortUrl }, 'shortlinks'));
        await apply(base + 6 * SECOND, report.of(uuid, { kind: 'click', at: base + 6 * SECOND, url: 'https://elsewhere.example/x' }, 'shortlinks'));
        assert.equal((await mustGet(ctx.store, account.id, uuid)).status, 'sent');
        const clicks = (await callbacksOf(ctx.store, uuid)).filter((e) => e.callback_event === 'click');
        assert.deepEqual(clicks, [
          { message_uuid: uuid, channel_type: 'SMS', callback_event: 'click', url: 'https://example.com/original?a=1', click_time: isoSeconds(base + 5 * SECOND) },
          { message_uuid: uuid, channel_type: 'SMS', callback_event: 'click', url: 'https://elsewhere.example/x', click_time: isoSeconds(base + 6 * SECOND) },
        ]);
        assert.deepEqual(await timelineKinds(ctx.store, account.id, uuid), ['accepted', 'sent', 'click', 'click']);
      });

      it('only the events the message asked for are written; none without a callback URL', async () => {
        const base = earlierWindow();
        const account = await setup();
        const onlyDelivered = await message(account, base, { callbackEvents: ['delivered'] });
        const noUrl = await message(account, base, { callbackUrl: null });
        await apply(base + SECOND, report.sent(onlyDelivered, base + SECOND, 1), report.sent(noUrl, base + SECOND, 1));
        await apply(base + 2 * SECOND, report.of(onlyDelivered, { kind: 'delivered', at: base + 2 * SECOND }), report.of(noUrl, { kind: 'delivered', at: base + 2 * SECOND }));
        assert.deepEqual(await events(onlyDelivered), [['delivered', 'delivered']]);
        assert.deepEqual(await events(noUrl), []);
      });

      it('reports about unknown messages are ignored', async () => {
        const base = earlierWindow();
        await apply(base, report.of(UNKNOWN_UUID, { kind: 'delivered', at: base }), report.sent(UNKNOWN_UUID, base, 1));
      });
    });

    describe('engine: expiries, in-flight messages, notes and timelines', () => {
      async function handedOff(store: Store, account: Account, base: number, d: MessageDraft, handoff?: ReportEnvelope['handoff']) {
        const uuid = await acceptOne(store, account.id, d, base, { schedule: { expiresAt: base + HOUR } });
        await store.engine.apply([report.sent(uuid, base + SECOND, 10_000, handoff)], base + SECOND);
        return uuid;
      }

      it('dueForExpiry: sent messages and delivered messenger messages whose lifetime ended; limit applies', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const sent = await handedOff(ctx.store, account, base, draft());
        const wa = await handedOff(ctx.store, account, base, draft({ channelType: 'WHATSAPP' }));
        const sms = await handedOff(ctx.store, account, base, draft());
        await acceptOne(ctx.store, account.id, draft(), base, { schedule: { expiresAt: base + HOUR } });
        await ctx.store.engine.apply(
          [wa, sms].map((u) => report.of(u, { kind: 'delivered', at: base + 2 * SECOND })),
          base + 2 * SECOND,
        );
        assert.deepEqual(await ctx.store.engine.dueForExpiry(base + HOUR - 1, 100), []);
        assert.deepEqual(sorted(await ctx.store.engine.dueForExpiry(base + HOUR, 100)), sorted([sent, wa]));
        assert.equal((await ctx.store.engine.dueForExpiry(base + HOUR, 1)).length, 1);
        await ctx.store.engine.apply([report.of(sent, { kind: 'expired', at: base + HOUR }, 'engine')], base + HOUR);
        assert.deepEqual(await ctx.store.engine.dueForExpiry(base + HOUR, 100), [wa]);
        await ctx.store.engine.apply([report.of(wa, { kind: 'expired', at: base + HOUR }, 'engine')], base + HOUR);
        assert.deepEqual(await ctx.store.engine.dueForExpiry(base + 2 * HOUR, 100), []);
      });

      it('inFlight: handed-off messages still waiting (sent; delivered on messengers), with their connector', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const connector = unique('smpp');
        const sent = await handedOff(ctx.store, account, base, draft({ totalParts: 3, content: 'long text' }), { connector, carrierRefs: [['x1'], ['x2'], ['x3']] });
        const wa = await handedOff(ctx.store, account, base, draft({ channelType: 'WHATSAPP' }));
        const sms = await handedOff(ctx.store, account, base, draft());
        const sending = await acceptOne(ctx.store, account.id, draft(), base);
        const done = await handedOff(ctx.store, account, base, draft());
        await ctx.store.engine.apply(
          [
            report.of(wa, { kind: 'delivered', at: base + 2 * SECOND }),
            report.of(sms, { kind: 'delivered', at: base + 2 * SECOND }),
            report.of(done, { kind: 'undelivered', at: base + 2 * SECOND, errorCode: 1 }),
          ],
          base + 2 * SECOND,
        );
        const mine = (await ctx.store.engine.inFlight()).filter((m) => [sent, wa, sms, sending, done].includes(m.uuid));
        assert.deepEqual(
          [...mine].sort((a, b) => a.uuid.localeCompare(b.uuid)),
          [
            {
              uuid: sent,
              accountId: account.id,
              channelType: 'SMS',
              senderName: 'shop',
              destination: '79261234567',
              content: 'long text',
              totalParts: 3,
              expiresAt: base + HOUR,
              sentAt: base + SECOND,
              status: 'sent',
              connector,
            },
            {
              uuid: wa,
              accountId: account.id,
              channelType: 'WHATSAPP',
              senderName: 'shop_wa',
              destination: '79261234567',
              content: { contentType: 'text', text: 'hello whatsapp' },
              totalParts: 1,
              expiresAt: base + HOUR,
              sentAt: base + SECOND,
              status: 'delivered',
              connector: null,
            },
          ].sort((a, b) => a.uuid.localeCompare(b.uuid)),
        );
      });

      it('note: free-form entries in the timeline, in the order written (not by time), after `accepted`', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const a = await acceptOne(ctx.store, account.id, draft(), base);
        const b = await acceptOne(ctx.store, account.id, draft({ channelType: 'VK' }), base + 1);
        await ctx.store.engine.note([
          { uuid: a, at: base + 5000, kind: 'handoff_attempt', detail: { connector: 'smpp', n: 1, nested: { ok: true } } },
          { uuid: b, at: base + 10, kind: 'carrier_answer', detail: { text: 'ЭТО ок "quoted"' } },
          { uuid: a, at: base + 1000, kind: 'carrier_answer', detail: { status: 'ESME_RTHROTTLED' } },
        ]);
        assert.deepEqual(await ctx.store.messages.timeline(account.id, a), [
          { at: base, kind: 'accepted', detail: { channelType: 'SMS' } },
          { at: base + 5000, kind: 'handoff_attempt', detail: { connector: 'smpp', n: 1, nested: { ok: true } } },
          { at: base + 1000, kind: 'carrier_answer', detail: { status: 'ESME_RTHROTTLED' } },
        ]);
        assert.deepEqual(await ctx.store.messages.timeline(account.id, b.toUpperCase()), [
          { at: base + 1, kind: 'accepted', detail: { channelType: 'VK' } },
          { at: base + 10, kind: 'carrier_answer', detail: { text: 'ЭТО ок "quoted"' } },
        ]);
      });

      it('timeline: null for another account\'s message, an unknown uuid and a non-uuid', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const other = await newAccount(ctx.store);
        const uuid = await acceptOne(ctx.store, account.id, draft(), base);
        assert.equal(await ctx.store.messages.timeline(other.id, uuid), null);
        assert.equal(await ctx.store.messages.timeline(account.id, UNKNOWN_UUID), null);
        assert.equal(await ctx.store.messages.timeline(account.id, 'nope'), null);
      });
    });

    describe('engine.apply: reports by carrier reference', () => {
      const receipt = (connector: string, keys: string[], kind: 'delivered' | 'undelivered', at: number, errorCode: number | null = null): ReportEnvelope => ({
        carrierRef: { connector, keys },
        source: connector,
        detail: `receipt ${keys[0]}`,
        report: kind === 'delivered' ? { kind, at } : { kind, at, errorCode },
      });

      async function sms(account: Account, base: number, totalParts = 1): Promise<string> {
        return acceptOne(ctx.store, account.id, draft({ totalParts }), base);
      }

      it('a report finds its message by any notation of the id the hand-off recorded', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const connector = unique('smpp');
        const uuid = await sms(account, base);
        await ctx.store.engine.apply([report.sent(uuid, base + SECOND, 25_000, { connector, carrierRefs: [['1A2B', '6699']] })], base + SECOND);
        await ctx.store.engine.apply([receipt(connector, ['0x6699', '6699'], 'delivered', base + 2 * SECOND)], base + 2 * SECOND);
        const m = await mustGet(ctx.store, account.id, uuid);
        assert.deepEqual([m.status, m.statusAt], ['delivered', base + 2 * SECOND]);
        const entry = (await ctx.store.messages.timeline(account.id, uuid))!.at(-1)!;
        assert.deepEqual([entry.kind, entry.detail?.source, entry.detail?.detail], ['delivered', connector, 'receipt 0x6699']);
      });

      it('the same id from another connector matches nothing', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const connector = unique('smpp');
        const uuid = await sms(account, base);
        await ctx.store.engine.apply([report.sent(uuid, base + SECOND, 25_000, { connector, carrierRefs: [['777']] })], base + SECOND);
        await ctx.store.engine.apply([receipt(`${connector}-other`, ['777'], 'delivered', base + 2 * SECOND)], base + 2 * SECOND);
        assert.equal((await mustGet(ctx.store, account.id, uuid)).status, 'sent');
      });

      it('a report that comes before its hand-off is kept, then applied right after the hand-off is recorded', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const connector = unique('smpp');
        const uuid = await sms(account, base);
        await ctx.store.engine.claimDue('w', base, MINUTE, 100);
        await ctx.store.engine.apply([receipt(connector, ['early-1'], 'delivered', base + SECOND)], base + SECOND);
        assert.equal((await mustGet(ctx.store, account.id, uuid)).status, 'sending');
        await ctx.store.engine.apply([report.sent(uuid, base + 2 * SECOND, 25_000, { connector, carrierRefs: [['early-1', '999']] })], base + 2 * SECOND);
        const m = await mustGet(ctx.store, account.id, uuid);
        assert.deepEqual([m.status, m.sentAt, m.price?.final], ['delivered', base + 2 * SECOND, true]);
        assert.deepEqual(await timelineKinds(ctx.store, account.id, uuid), ['accepted', 'claimed', 'sent', 'delivered']);
      });

      it('multipart: delivered when every part is; undelivered at the first failed part, with its code', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const connector = unique('smpp');
        const ok = await sms(account, base, 3);
        const bad = await sms(account, base, 3);
        await ctx.store.engine.apply(
          [
            report.sent(ok, base + SECOND, 75_000, { connector, carrierRefs: [['ok-1'], ['ok-2'], ['ok-3']] }),
            report.sent(bad, base + SECOND, 75_000, { connector, carrierRefs: [['bad-1'], ['bad-2'], ['bad-3']] }),
          ],
          base + SECOND,
        );
        await ctx.store.engine.apply([receipt(connector, ['ok-1'], 'delivered', base + 2 * SECOND), receipt(connector, ['ok-3'], 'delivered', base + 2 * SECOND)], base + 2 * SECOND);
        assert.equal((await mustGet(ctx.store, account.id, ok)).status, 'sent');
        await ctx.store.engine.apply([receipt(connector, ['ok-2'], 'delivered', base + 3 * SECOND)], base + 3 * SECOND);
        const delivered = await mustGet(ctx.store, account.id, ok);
        assert.deepEqual([delivered.status, delivered.statusAt], ['delivered', base + 3 * SECOND]);
        assert.deepEqual(await timelineKinds(ctx.store, account.id, ok), ['accepted', 'sent', 'part_delivered', 'part_delivered', 'delivered']);

        await ctx.store.engine.apply([receipt(connector, ['bad-2'], 'undelivered', base + 2 * SECOND, 12)], base + 2 * SECOND);
        const failed = await mustGet(ctx.store, account.id, bad);
        assert.deepEqual([failed.status, failed.errorCode], ['undelivered', 12]);
        await ctx.store.engine.apply(
          [receipt(connector, ['bad-1'], 'delivered', base + 3 * SECOND), receipt(connector, ['bad-3'], 'delivered', base + 3 * SECOND)],
          base + 3 * SECOND,
        );
        const still = await mustGet(ctx.store, account.id, bad);
        assert.deepEqual([still.status, still.errorCode, still.statusAt], ['undelivered', 12, base + 2 * SECOND]);
      });

      it('a single-part hand-off settles with its first receipt', async () => {
        const base = earlierWindow();
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const connector = unique('smpp');
        const uuid = await sms(account, base);
        await ctx.store.engine.apply([report.sent(uuid, base + SECOND, 25_000, { connector, carrierRefs: [['solo']] })], base + SECOND);
        await ctx.store.engine.apply([receipt(connector, ['solo'], 'undelivered', base + 2 * SECOND, 34)], base + 2 * SECOND);
        const m = await mustGet(ctx.store, account.id, uuid);
        assert.deepEqual([m.status, m.errorCode], ['undelivered', 34]);
      });
    });
  });
}
