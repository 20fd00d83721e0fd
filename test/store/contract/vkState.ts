/**
 * Contract: VK state beside the messages (store/vkState.ts): paused senders and their resume, the daily limit's
 * slots (atomic across the stores sharing a database), community message ids per peer, webhook event ids, and the
 * purge of old rows. Every test uses sender names, phones, groups and peers of its own (`unique`), so the shared
 * store's other data never shows in what it reads; the resume test claims messages in a window of its own
 * (`earlierWindow`), and the purge test works at times no other test uses.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { VkDailySlotRequest } from '../../../src/store/vkState.js';
import { DAY, HOUR, T0, acceptOne, draft, earlierWindow, newAccount, unique, type SharedStore } from './support.js';

function slot(senderName: string, phone: string, uuid = randomUUID()): VkDailySlotRequest {
  return { uuid, senderName, phone };
}

export function vkStateContract(ctx: SharedStore): void {
  describe('VK state', () => {
    describe('paused senders', () => {
      it('pause, list, pause again (the first reason and time stay), resume (false when not paused)', async () => {
        const [first, second] = [unique('vk_sender'), unique('vk_sender')];
        const mine = async () => (await ctx.store.vk.pausedSenders()).filter((p) => p.senderName === first || p.senderName === second);
        await ctx.store.vk.pauseSender(second, 'flood control', T0);
        await ctx.store.vk.pauseSender(first, 'error 901', T0 + 1);
        await ctx.store.vk.pauseSender(second, 'later trip', T0 + HOUR);
        assert.deepEqual(await mine(), [
          { senderName: first, reason: 'error 901', pausedAt: T0 + 1 },
          { senderName: second, reason: 'flood control', pausedAt: T0 },
        ]);
        assert.equal(await ctx.store.vk.resumeSender(second, { dueAt: T0, dueBefore: T0 }), true);
        assert.equal(await ctx.store.vk.resumeSender(second, { dueAt: T0, dueBefore: T0 }), false);
        assert.equal(await ctx.store.vk.resumeSender(unique('vk_sender'), { dueAt: T0, dueBefore: T0 }), false);
        assert.deepEqual(await mine(), [{ senderName: first, reason: 'error 901', pausedAt: T0 + 1 }]);
        await ctx.store.vk.pauseSender(second, 'again', T0 + 2 * HOUR);
        assert.deepEqual((await mine()).find((p) => p.senderName === second), { senderName: second, reason: 'again', pausedAt: T0 + 2 * HOUR });
      });

      it('the VK and WhatsApp pauses are apart', async () => {
        const name = unique('vk_sender');
        await ctx.store.vk.pauseSender(name, 'vk', T0);
        assert.equal((await ctx.store.whatsapp.pausedSenders()).some((p) => p.senderName === name), false);
        assert.equal(await ctx.store.whatsapp.resumeSender(name, { dueAt: T0, dueBefore: T0 }), false);
        assert.equal(await ctx.store.vk.resumeSender(name, { dueAt: T0, dueBefore: T0 }), true);
      });

      it("resume brings forward only the sender's waiting VK messages due within the window", async () => {
        const base = earlierWindow();
        const name = unique('vk_sender');
        const other = unique('vk_sender');
        const account = await newAccount(ctx.store, {
          senders: [
            { channel: 'VK', name },
            { channel: 'VK', name: other },
            { channel: 'WHATSAPP', name },
          ],
        });
        const later = (at: number) => ({ schedule: { sendAfter: at } });
        const waiting = await acceptOne(ctx.store, account.id, draft({ channelType: 'VK', senderName: name }), base, later(base + HOUR));
        const tooLate = await acceptOne(ctx.store, account.id, draft({ channelType: 'VK', senderName: name }), base, later(base + 3 * HOUR));
        const whatsapp = await acceptOne(ctx.store, account.id, draft({ channelType: 'WHATSAPP', senderName: name }), base, later(base + HOUR));
        const otherSender = await acceptOne(ctx.store, account.id, draft({ channelType: 'VK', senderName: other }), base, later(base + HOUR));
        const mine = new Set([waiting, tooLate, whatsapp, otherSender]);
        const claimedAt = async (at: number) =>
          (await ctx.store.engine.claimDue(unique('vk-owner'), at, DAY, 1000)).map((c) => c.uuid).filter((u) => mine.has(u));

        assert.deepEqual(await claimedAt(base), [], 'nothing is due before the resume');
        await ctx.store.vk.pauseSender(name, 'flood control', base);
        assert.equal(await ctx.store.vk.resumeSender(name, { dueAt: base, dueBefore: base + 2 * HOUR }), true);
        assert.deepEqual(await claimedAt(base), [waiting]);
        assert.deepEqual((await claimedAt(base + 3 * HOUR)).sort(), [tooLate, whatsapp, otherSender].sort(), 'the others kept their times');
      });
    });

    describe('daily slots', () => {
      it('up to the limit, then false; a message holding a slot keeps it (counted once); released, the slot is free', async () => {
        const [sender, phone] = [unique('vk_group'), unique('phone')];
        const [a, b, c] = [slot(sender, phone), slot(sender, phone), slot(sender, phone)];
        assert.deepEqual(await ctx.store.vk.takeDailySlots([a], T0, 2, DAY), [true]);
        assert.deepEqual(await ctx.store.vk.takeDailySlots([b], T0 + 1, 2, DAY), [true]);
        assert.deepEqual(await ctx.store.vk.takeDailySlots([c], T0 + 2, 2, DAY), [false]);
        assert.deepEqual(await ctx.store.vk.takeDailySlots([a, b], T0 + 3, 2, DAY), [true, true], 'a retry keeps its slot');
        assert.equal(await ctx.store.vk.dailyCount(sender, phone, T0 - DAY), 2);

        await ctx.store.vk.releaseDailySlots([b.uuid]);
        assert.equal(await ctx.store.vk.dailyCount(sender, phone, T0 - DAY), 1);
        assert.deepEqual(await ctx.store.vk.takeDailySlots([c, b], T0 + 4, 2, DAY), [true, false], 'the freed slot went to the first asking');
        await ctx.store.vk.releaseDailySlots([]);
        assert.equal(await ctx.store.vk.dailyCount(sender, phone, T0 - DAY), 2);
      });

      it('the same message twice in one call holds one slot', async () => {
        const [sender, phone] = [unique('vk_group'), unique('phone')];
        const a = slot(sender, phone);
        assert.deepEqual(await ctx.store.vk.takeDailySlots([a, a, slot(sender, phone), slot(sender, phone)], T0, 2, DAY), [true, true, true, false]);
        assert.equal(await ctx.store.vk.dailyCount(sender, phone, T0 - DAY), 2);
      });

      it('only slots taken within the window count', async () => {
        const [sender, phone] = [unique('vk_group'), unique('phone')];
        assert.deepEqual(await ctx.store.vk.takeDailySlots([slot(sender, phone), slot(sender, phone)], T0, 2, DAY), [true, true]);
        assert.deepEqual(await ctx.store.vk.takeDailySlots([slot(sender, phone)], T0 + DAY - 1, 2, DAY), [false]);
        assert.deepEqual(await ctx.store.vk.takeDailySlots([slot(sender, phone)], T0 + DAY, 2, DAY), [true], 'the slots of T0 expired');
        assert.equal(await ctx.store.vk.dailyCount(sender, phone, T0), 1);
        assert.equal(await ctx.store.vk.dailyCount(sender, phone, T0 - 1), 3);
      });

      it('in one call, the first `limit` of a pair win; other phones and senders count apart', async () => {
        const [sender, otherSender, phone, otherPhone] = [unique('vk_group'), unique('vk_group'), unique('phone'), unique('phone')];
        const requests = [
          slot(sender, phone),
          slot(sender, otherPhone),
          slot(sender, phone),
          slot(otherSender, phone),
          slot(sender, phone),
          slot(sender, otherPhone),
          slot(otherSender, phone),
          slot(otherSender, phone),
        ];
        assert.deepEqual(await ctx.store.vk.takeDailySlots(requests, T0, 2, DAY), [true, true, true, true, false, true, true, false]);
        assert.equal(await ctx.store.vk.dailyCount(sender, phone, T0 - 1), 2);
        assert.equal(await ctx.store.vk.dailyCount(sender, otherPhone, T0 - 1), 2);
        assert.equal(await ctx.store.vk.dailyCount(otherSender, phone, T0 - 1), 2);
        assert.equal(await ctx.store.vk.dailyCount(otherSender, otherPhone, T0 - 1), 0);
        assert.deepEqual(await ctx.store.vk.takeDailySlots([], T0, 2, DAY), []);
      });

      it('1000 requests over 10 pairs in one call: the first 30 of each pair', async () => {
        const pairs = Array.from({ length: 10 }, () => [unique('vk_group'), unique('phone')] as const);
        const requests = Array.from({ length: 1000 }, (_, i) => slot(...pairs[i % 10]!));
        const answers = await ctx.store.vk.takeDailySlots(requests, T0, 30, DAY);
        assert.deepEqual(answers, requests.map((_, i) => i < 300));
        for (const [sender, phone] of pairs) assert.equal(await ctx.store.vk.dailyCount(sender, phone, T0 - 1), 30);
        assert.deepEqual(await ctx.store.vk.takeDailySlots(requests, T0 + 1, 30, DAY), answers, 'asked again: the same answers');
      });

      it('20 calls at once through two stores, for one sender and phone: exactly `limit` slots', async () => {
        const other = await ctx.another();
        try {
          for (let round = 0; round < 3; round++) {
            const [sender, phone] = [unique('vk_group'), unique('phone')];
            const answers = await Promise.all(
              Array.from({ length: 20 }, (_, i) => (i % 2 ? other : ctx.store).vk.takeDailySlots([slot(sender, phone)], T0, 5, DAY)),
            );
            assert.equal(answers.flat().filter(Boolean).length, 5, `round ${round}: ${JSON.stringify(answers)}`);
            assert.equal(await ctx.store.vk.dailyCount(sender, phone, T0 - 1), 5);
          }
        } finally {
          await other.close();
        }
      });
    });

    describe('community messages', () => {
      it('recorded ids up to and including one, ascending; forgotten ones are gone; per group and peer', async () => {
        const [group, peer] = [unique('vk_group'), unique('peer')];
        for (const id of [30, 10, 20, 40]) await ctx.store.vk.recordCommunityMessage(group, peer, id, T0 + id);
        await ctx.store.vk.recordCommunityMessage(group, peer, 20, T0 + HOUR);
        await ctx.store.vk.recordCommunityMessage(group, unique('peer'), 15, T0);
        await ctx.store.vk.recordCommunityMessage(unique('vk_group'), peer, 15, T0);
        assert.deepEqual(await ctx.store.vk.communityMessagesThrough(group, peer, 30), [10, 20, 30]);
        assert.deepEqual(await ctx.store.vk.communityMessagesThrough(group, peer, 29), [10, 20]);
        assert.deepEqual(await ctx.store.vk.communityMessagesThrough(group, peer, 5), []);
        await ctx.store.vk.forgetCommunityMessages(group, peer, [10, 30]);
        await ctx.store.vk.forgetCommunityMessages(group, peer, []);
        assert.deepEqual(await ctx.store.vk.communityMessagesThrough(group, peer, 1000), [20, 40]);
        // Ids beyond 2^31: VK's message ids are 64-bit in its API.
        await ctx.store.vk.recordCommunityMessage(group, peer, 2 ** 40, T0);
        assert.deepEqual(await ctx.store.vk.communityMessagesThrough(group, peer, 2 ** 40), [20, 40, 2 ** 40]);
      });
    });

    describe('webhook events', () => {
      it('remembered once: true, then false; seen per group', async () => {
        const [group, event] = [unique('vk_group'), unique('event')];
        assert.equal(await ctx.store.vk.seenEvent(group, event), false);
        assert.equal(await ctx.store.vk.rememberEvent(group, event, T0), true);
        assert.equal(await ctx.store.vk.rememberEvent(group, event, T0 + 1), false);
        assert.equal(await ctx.store.vk.seenEvent(group, event), true);
        assert.equal(await ctx.store.vk.seenEvent(unique('vk_group'), event), false);
        assert.equal(await ctx.store.vk.rememberEvent(unique('vk_group'), event, T0), true);
      });
    });

    describe('purge', () => {
      it('removes slots, community message ids and event ids older than the time, and says how many', async () => {
        // Long before every other test's times: only this test's rows are older than `before`.
        const old = T0 - 10_000 * DAY;
        const before = old + HOUR;
        const [sender, phone, group, peer] = [unique('vk_group'), unique('phone'), unique('vk_group'), unique('peer')];
        const [gone, kept] = [slot(sender, phone), slot(sender, phone)];
        await ctx.store.vk.takeDailySlots([gone], old, 10, DAY);
        await ctx.store.vk.takeDailySlots([kept], before, 10, DAY);
        await ctx.store.vk.recordCommunityMessage(group, peer, 1, old);
        await ctx.store.vk.recordCommunityMessage(group, peer, 2, old + 1);
        await ctx.store.vk.recordCommunityMessage(group, peer, 3, before);
        await ctx.store.vk.rememberEvent(group, 'gone', old);
        await ctx.store.vk.rememberEvent(group, 'kept', before);

        assert.equal(await ctx.store.vk.purge(before), 4);
        assert.equal(await ctx.store.vk.dailyCount(sender, phone, old - 1), 1);
        assert.deepEqual(await ctx.store.vk.takeDailySlots([kept], before, 1, DAY), [true], 'the kept slot still holds');
        assert.deepEqual(await ctx.store.vk.communityMessagesThrough(group, peer, 10), [3]);
        assert.equal(await ctx.store.vk.seenEvent(group, 'gone'), false);
        assert.equal(await ctx.store.vk.seenEvent(group, 'kept'), true);
        assert.equal(await ctx.store.vk.purge(before), 0);
      });
    });
  });
}
