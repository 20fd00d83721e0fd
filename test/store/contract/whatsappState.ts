/**
 * Contract: WhatsApp state beside the messages (store/whatsappState.ts): the template registry and its syncs,
 * subscribers' last messages, paused senders; and inbound messages made idempotent by their platform id.
 * Every test uses WABAs, numbers, sender names and platform ids of its own (`unique`), so the shared store's
 * other data never shows in what it reads.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WhatsAppTemplate } from '../../../src/domain/whatsappTemplates.js';
import type { InboundMessage } from '../../../src/domain/inboundMessage.js';
import type { Store } from '../../../src/store/store.js';
import { HOUR, MINUTE, T0, newAccount, query, unique, type SharedStore } from './support.js';

function template(wabaId: string, name: string, language: string, overrides: Partial<WhatsAppTemplate> = {}): WhatsAppTemplate {
  return { wabaId, id: unique('tpl'), name, language, status: 'APPROVED', category: 'UTILITY', bodyParameters: 1, ...overrides };
}

function inbound(overrides: Partial<InboundMessage> = {}): InboundMessage {
  return { channelType: 'WHATSAPP', from: '79031234567', to: 'shop_wa', text: 'hello', at: T0, accountName: null, ...overrides };
}

async function inboundUuids(store: Store, accountId: number): Promise<string[]> {
  const { filter, page } = query({ direction: 'inbound' });
  return (await store.messages.list(accountId, filter, page, T0)).messages.map((m) => m.uuid);
}

export function whatsappStateContract(ctx: SharedStore): void {
  describe('WhatsApp state', () => {
    describe('template registry', () => {
      it('replaceTemplates then templates (by name, then language), findTemplates by name or by id, syncedAt', async () => {
        const waba = unique('waba');
        assert.equal(await ctx.store.whatsapp.templatesSyncedAt(waba), null);
        const otpRu = template(waba, 'otp', 'ru', { category: 'AUTHENTICATION' });
        const otpEn = template(waba, 'otp', 'en_US', { status: 'PENDING', bodyParameters: 2 });
        const alert = template(waba, 'alert', 'en_US', { bodyParameters: 0 });
        await ctx.store.whatsapp.replaceTemplates(waba, [otpRu, otpEn, alert], T0);
        assert.deepEqual(await ctx.store.whatsapp.templates(waba), [alert, otpEn, otpRu]);
        assert.equal(await ctx.store.whatsapp.templatesSyncedAt(waba), T0);

        assert.deepEqual(await ctx.store.whatsapp.findTemplates(waba, 'otp', 'ru'), [otpRu]);
        assert.deepEqual(await ctx.store.whatsapp.findTemplates(waba, otpEn.id, 'en_US'), [otpEn]);
        assert.deepEqual(await ctx.store.whatsapp.findTemplates(waba, otpEn.id, 'ru'), [], 'an id names one language');
        assert.deepEqual(await ctx.store.whatsapp.findTemplates(waba, 'otp', 'de'), []);
        assert.deepEqual(await ctx.store.whatsapp.findTemplates(unique('waba'), 'otp', 'ru'), [], 'another WABA has none');
      });

      it('findTemplates: a name of one template and the id of another both come back, each once', async () => {
        const waba = unique('waba');
        const byId = template(waba, 'a', 'en_US');
        // A template whose name is the other's id (names are free text of the business).
        const byName = template(waba, byId.id, 'en_US');
        await ctx.store.whatsapp.replaceTemplates(waba, [byId, byName], T0);
        assert.deepEqual(
          (await ctx.store.whatsapp.findTemplates(waba, byId.id, 'en_US')).sort((x, y) => x.name.localeCompare(y.name)),
          [byId, byName].sort((x, y) => x.name.localeCompare(y.name)),
        );
      });

      it('a second sync removes the templates that vanished, updates the others, only for that WABA', async () => {
        const waba = unique('waba');
        const other = unique('waba');
        const kept = template(waba, 'kept', 'en_US', { status: 'PENDING' });
        const gone = template(waba, 'gone', 'en_US');
        const neighbour = template(other, 'gone', 'en_US');
        await ctx.store.whatsapp.replaceTemplates(waba, [kept, gone], T0);
        await ctx.store.whatsapp.replaceTemplates(other, [neighbour], T0 + 1);

        const approved = { ...kept, status: 'APPROVED' };
        const added = template(waba, 'added', 'ru');
        await ctx.store.whatsapp.replaceTemplates(waba, [approved, added], T0 + HOUR);
        assert.deepEqual(await ctx.store.whatsapp.templates(waba), [added, approved]);
        assert.deepEqual(await ctx.store.whatsapp.findTemplates(waba, gone.id, 'en_US'), []);
        assert.equal(await ctx.store.whatsapp.templatesSyncedAt(waba), T0 + HOUR);
        assert.deepEqual(await ctx.store.whatsapp.templates(other), [neighbour]);
        assert.equal(await ctx.store.whatsapp.templatesSyncedAt(other), T0 + 1);
      });

      it('a sync that finds no templates empties the WABA and still counts as a sync', async () => {
        const waba = unique('waba');
        await ctx.store.whatsapp.replaceTemplates(waba, [template(waba, 'otp', 'ru')], T0);
        await ctx.store.whatsapp.replaceTemplates(waba, [], T0 + MINUTE);
        assert.deepEqual(await ctx.store.whatsapp.templates(waba), []);
        assert.equal(await ctx.store.whatsapp.templatesSyncedAt(waba), T0 + MINUTE);
      });

      it('a name and language listed twice in one sync: the last is kept', async () => {
        const waba = unique('waba');
        const last = template(waba, 'otp', 'ru', { status: 'REJECTED' });
        await ctx.store.whatsapp.replaceTemplates(waba, [template(waba, 'otp', 'ru'), template(waba, 'otp', 'en_US'), last], T0);
        assert.deepEqual(
          (await ctx.store.whatsapp.templates(waba)).map((t) => [t.language, t.status]),
          [['en_US', 'APPROVED'], ['ru', 'REJECTED']],
        );
        assert.deepEqual(await ctx.store.whatsapp.findTemplates(waba, 'otp', 'ru'), [last]);
      });

      it('a template of another WABA in the list is refused, and the registry is left as it was', async () => {
        const waba = unique('waba');
        const first = template(waba, 'otp', 'ru');
        await ctx.store.whatsapp.replaceTemplates(waba, [first], T0);
        await assert.rejects(ctx.store.whatsapp.replaceTemplates(waba, [template(unique('waba'), 'x', 'ru')], T0 + 1), RangeError);
        assert.deepEqual(await ctx.store.whatsapp.templates(waba), [first]);
        assert.equal(await ctx.store.whatsapp.templatesSyncedAt(waba), T0);
      });

      it('two syncs of one WABA at once, through two stores: both succeed, one of the two lists remains', async () => {
        const other = await ctx.another();
        try {
          const waba = unique('waba');
          const a = ['a1', 'a2', 'a3'].map((name) => template(waba, name, 'en_US'));
          const b = ['a2', 'b1'].map((name) => template(waba, name, 'en_US'));
          await Promise.all([ctx.store.whatsapp.replaceTemplates(waba, a, T0), other.whatsapp.replaceTemplates(waba, b, T0 + 1)]);
          const names = (await ctx.store.whatsapp.templates(waba)).map((t) => t.name);
          assert.ok(JSON.stringify(names) === '["a1","a2","a3"]' || JSON.stringify(names) === '["a2","b1"]', JSON.stringify(names));
        } finally {
          await other.close();
        }
      });
    });

    describe('subscriber messages', () => {
      it('the latest time is kept: an older message never moves it back; per number and subscriber', async () => {
        const number = unique('phone');
        const subscriber = '79031234567';
        assert.equal(await ctx.store.whatsapp.lastSubscriberMessage(number, subscriber), null);
        await ctx.store.whatsapp.recordSubscriberMessage(number, subscriber, T0 + HOUR);
        await ctx.store.whatsapp.recordSubscriberMessage(number, subscriber, T0);
        assert.equal(await ctx.store.whatsapp.lastSubscriberMessage(number, subscriber), T0 + HOUR);
        await ctx.store.whatsapp.recordSubscriberMessage(number, subscriber, T0 + 2 * HOUR);
        assert.equal(await ctx.store.whatsapp.lastSubscriberMessage(number, subscriber), T0 + 2 * HOUR);
        assert.equal(await ctx.store.whatsapp.lastSubscriberMessage(number, '79030000000'), null);
        assert.equal(await ctx.store.whatsapp.lastSubscriberMessage(unique('phone'), subscriber), null);
      });
    });

    describe('paused senders', () => {
      it('pause, list, pause again (the first reason and time stay), resume (false when not paused)', async () => {
        const [first, second] = [unique('wa_sender'), unique('wa_sender')];
        const mine = async () => (await ctx.store.whatsapp.pausedSenders()).filter((p) => p.senderName === first || p.senderName === second);
        await ctx.store.whatsapp.pauseSender(second, 'quality RED', T0);
        await ctx.store.whatsapp.pauseSender(first, 'error 131048', T0 + 1);
        await ctx.store.whatsapp.pauseSender(second, 'later trip', T0 + HOUR);
        assert.deepEqual(await mine(), [
          { senderName: first, reason: 'error 131048', pausedAt: T0 + 1 },
          { senderName: second, reason: 'quality RED', pausedAt: T0 },
        ]);
        assert.equal(await ctx.store.whatsapp.resumeSender(second, { dueAt: T0, dueBefore: T0 }), true);
        assert.equal(await ctx.store.whatsapp.resumeSender(second, { dueAt: T0, dueBefore: T0 }), false);
        assert.equal(await ctx.store.whatsapp.resumeSender(unique("wa_sender"), { dueAt: T0, dueBefore: T0 }), false);
        assert.deepEqual(await mine(), [{ senderName: first, reason: 'error 131048', pausedAt: T0 + 1 }]);
        // Paused again after a resume: a new pause, with its own reason.
        await ctx.store.whatsapp.pauseSender(second, 'again', T0 + 2 * HOUR);
        assert.deepEqual((await mine()).find((p) => p.senderName === second), { senderName: second, reason: 'again', pausedAt: T0 + 2 * HOUR });
      });
    });

    describe('inbound messages with a platform id', () => {
      it('the same platform id twice: the same uuid, one message', async () => {
        const account = await newAccount(ctx.store);
        const message = inbound({ accountName: account.name, platformId: unique('wamid') });
        const uuid = await ctx.store.messages.storeInbound(message);
        assert.ok(uuid);
        assert.equal(await ctx.store.messages.storeInbound({ ...message, text: 'redelivered', at: T0 + MINUTE }), uuid);
        assert.deepEqual(await inboundUuids(ctx.store, account.id), [uuid]);
        assert.equal((await ctx.store.messages.get(account.id, uuid))?.content, 'hello', 'the first delivery is kept');
      });

      it('another platform id, or the same id on another channel, is another message; without one, every call stores', async () => {
        const account = await newAccount(ctx.store);
        const platformId = unique('wamid');
        const base = inbound({ accountName: account.name });
        const first = await ctx.store.messages.storeInbound({ ...base, platformId });
        const otherId = await ctx.store.messages.storeInbound({ ...base, platformId: unique('wamid') });
        const otherChannel = await ctx.store.messages.storeInbound({ ...base, channelType: 'SMS', platformId });
        const plain = [await ctx.store.messages.storeInbound(base), await ctx.store.messages.storeInbound(base)];
        const uuids = [first, otherId, otherChannel, ...plain];
        assert.ok(uuids.every((u) => typeof u === 'string'));
        assert.equal(new Set(uuids).size, 5);
        assert.deepEqual((await inboundUuids(ctx.store, account.id)).sort(), [...uuids].sort());
      });

      it('one that went to the unmatched list: null again, and listed once', async () => {
        const to = unique('nobody');
        const message = inbound({ to, platformId: unique('wamid') });
        assert.equal(await ctx.store.messages.storeInbound(message), null);
        assert.equal(await ctx.store.messages.storeInbound(message), null);
        const unmatched = (await ctx.store.messages.unmatchedInbound(1000)).filter((u) => u.to === to);
        assert.equal(unmatched.length, 1);
        // Even once an account would take it now: the redelivery is the same message, already handled.
        const account = await newAccount(ctx.store);
        assert.equal(await ctx.store.messages.storeInbound({ ...message, accountName: account.name }), null);
        assert.deepEqual(await inboundUuids(ctx.store, account.id), []);
      });

      it('one platform message stored many times at once, through two stores: one uuid, one message', async () => {
        const other = await ctx.another();
        try {
          const account = await newAccount(ctx.store);
          for (let round = 0; round < 5; round++) {
            const message = inbound({ accountName: account.name, platformId: unique('wamid') });
            const uuids = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : ctx.store).messages.storeInbound(message)));
            assert.equal(new Set(uuids).size, 1, `round ${round}: ${JSON.stringify(uuids)}`);
            assert.ok(uuids[0]);
          }
          assert.equal((await inboundUuids(ctx.store, account.id)).length, 5);
        } finally {
          await other.close();
        }
      });
    });
  });
}
