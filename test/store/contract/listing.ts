/** Contract: reading messages (get, list with every filter, paging, sorts), FLASHCALL conversions, inbound messages. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Account } from '../../../src/domain/account.js';
import type { Store } from '../../../src/store/store.js';
import {
  HOUR,
  SECOND,
  SENDERS,
  T0,
  UNKNOWN_UUID,
  acceptAll,
  acceptOne,
  candidate,
  draft,
  mustGet,
  newAccount,
  query,
  report,
  sorted,
  timelineKinds,
  type SharedStore,
} from './support.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function listingContract(ctx: SharedStore): void {
  describe('reading messages', () => {
    describe('messages.get and messages.list', () => {
      let account: Account;
      let other: Account;
      /** Named messages of `account`; see the setup. */
      const m: Record<string, string> = {};
      let inbound: string;
      let otherMessage: string;

      /**
       * The account's messages:
       * - sms:   SMS 'shop' (PROMO) to RU, 'Hello World 100%', tags a,b, created T0, sent at T0+10s
       * - vk:    VK 'club' to RU, 'your code 1234', tags b, created T0+1s, scheduled for T0+1h (sending, not leased)
       * - wa:    WHATSAPP template to DE, tags ab, created T0+2s, scheduled; stopped at T0+20s (unsent 606)
       * - voice: VOICECODE 'Your code is 5678', centre 2, created T0+3s, claimed at T0+5s for 60 s
       * - flash: FLASHCALL '1234', centre 2, created T0+3s with voice (same createdAt), scheduled (sending)
       * - an inbound SMS at T0+4s; another account's SMS to the same number with the same text.
       */
      before(async () => {
        const store: Store = ctx.store;
        account = await newAccount(store, { senders: [{ channel: 'SMS', name: 'shop', trafficType: 'PROMO' }, SENDERS[1]!] });
        other = await newAccount(store, { senders: SENDERS });
        const later = { schedule: { sendAfter: T0 + HOUR } };
        [m.sms] = await acceptAll(store, account.id, [candidate(draft({ content: 'Hello World 100%', tags: ['a', 'b'] }), T0)], T0);
        [m.vk] = await acceptAll(store, account.id, [candidate(draft({ channelType: 'VK', content: 'your code 1234', tags: ['b'] }), T0 + SECOND, later)], T0 + SECOND);
        [m.wa] = await acceptAll(
          store,
          account.id,
          [
            candidate(
              draft({
                channelType: 'WHATSAPP',
                destination: '4915112345678',
                content: { contentType: 'template', templateId: 'code', language: 'de', parameters: ['1234'] },
                tags: ['ab'],
              }),
              T0 + 2 * SECOND,
              later,
            ),
          ],
          T0 + 2 * SECOND,
        );
        [m.voice, m.flash] = await acceptAll(
          store,
          account.id,
          [
            candidate(draft({ channelType: 'VOICECODE', content: { contentType: 'text', text: 'Your code is 5678' } }), T0 + 3 * SECOND),
            candidate(draft({ channelType: 'FLASHCALL', content: '1234' }), T0 + 3 * SECOND, later),
          ],
          T0 + 3 * SECOND,
          2,
        );
        const found = await store.messages.storeInbound({
          channelType: 'SMS',
          from: '79031234567',
          to: 'shop',
          text: 'Inbound hello',
          at: T0 + 4 * SECOND,
          accountName: account.name,
        });
        assert.ok(found);
        inbound = found;
        otherMessage = await acceptOne(store, other.id, draft({ content: 'Hello World 100%', tags: ['a', 'b'] }), T0);

        await store.engine.apply([report.sent(m.sms!, T0 + 10 * SECOND, 25_000)], T0 + 10 * SECOND);
        const claimed = await store.engine.claimDue('lister', T0 + 5 * SECOND, 60 * SECOND, 100_000);
        // Only the voice message is due and still sending: the others are sent, scheduled or another account's.
        assert.ok(claimed.some((c) => c.uuid === m.voice));
        assert.ok(!claimed.some((c) => [m.sms, m.vk, m.wa, m.flash].includes(c.uuid)));
        assert.deepEqual(await store.messages.stop(account.id, [m.wa!], T0 + 20 * SECOND), [200]);
      });

      /** The account's uuids matching a query, in result order, and the total. */
      async function list(values: Record<string, string | string[]>, now = T0 + 30 * SECOND, accountId = account.id) {
        const { filter, page } = query(values);
        const result = await ctx.store.messages.list(accountId, filter, page, now);
        return { total: result.total, uuids: result.messages.map((x) => x.uuid) };
      }
      /** The set of uuids matching a query (order ignored), checking the total matches. */
      async function matching(values: Record<string, string | string[]>, now?: number): Promise<string[]> {
        const { total, uuids } = await list(values, now);
        assert.equal(total, uuids.length, `total of ${JSON.stringify(values)}`);
        return sorted(uuids);
      }
      const set = (...names: string[]) => sorted(names.map((n) => m[n]!));

      it('get returns the account\'s message, case-insensitively; null for another account, an unknown uuid or a non-uuid', async () => {
        const message = await mustGet(ctx.store, account.id, m.sms!);
        assert.equal(message.uuid, m.sms);
        assert.equal((await ctx.store.messages.get(account.id, m.sms!.toUpperCase()))?.uuid, m.sms);
        assert.equal(await ctx.store.messages.get(other.id, m.sms!), null);
        assert.equal(await ctx.store.messages.get(account.id, otherMessage), null);
        assert.equal(await ctx.store.messages.get(account.id, UNKNOWN_UUID), null);
        assert.equal(await ctx.store.messages.get(account.id, 'not-a-uuid'), null);
        assert.equal(await ctx.store.messages.get(account.id, ''), null);
      });

      it('no filter: every outbound message of the account, newest first, with the total', async () => {
        const { total, uuids } = await list({});
        assert.equal(total, 5);
        assert.deepEqual(uuids, [...sorted([m.voice!, m.flash!]).reverse(), m.wa, m.vk, m.sms]);
      });

      it('list returns the same records as get, every field', async () => {
        const { filter, page } = query({ direction: ['outbound', 'inbound'] });
        const { messages } = await ctx.store.messages.list(account.id, filter, page, T0 + 30 * SECOND);
        assert.equal(messages.length, 6);
        for (const listed of messages) assert.deepEqual(listed, await mustGet(ctx.store, account.id, listed.uuid));
        const sent = messages.find((x) => x.uuid === m.sms)!;
        assert.deepEqual(
          [sent.status, sent.sentAt, sent.statusAt, sent.price],
          ['sent', T0 + 10 * SECOND, T0 + 10 * SECOND, { totalPrice: 25_000, currency: 'RUB', invoicedParts: 1, final: false }],
        );
      });

      it('sort created_time: oldest first; equal createdAt broken by uuid', async () => {
        const { uuids } = await list({ sort: 'created_time' });
        assert.deepEqual(uuids, [m.sms, m.vk, m.wa, ...sorted([m.voice!, m.flash!])]);
      });

      it('paging: offset and limit in sort order; the total counts every match', async () => {
        const all = (await list({ sort: 'created_time' })).uuids;
        assert.deepEqual(await list({ sort: 'created_time', per_page: '2', page: '2' }), { total: 5, uuids: all.slice(2, 4) });
        assert.deepEqual(await list({ sort: 'created_time', per_page: '2', page: '3' }), { total: 5, uuids: all.slice(4) });
        assert.deepEqual(await list({ sort: 'created_time', per_page: '2', page: '4' }), { total: 5, uuids: [] });
        const desc = (await list({})).uuids;
        assert.deepEqual(await list({ per_page: '3' }), { total: 5, uuids: desc.slice(0, 3) });
      });

      it('tenant isolation: another account sees only its own message, whatever the filter', async () => {
        assert.deepEqual(await list({}, T0 + 30 * SECOND, other.id), { total: 1, uuids: [otherMessage] });
        assert.deepEqual(await list({ message_uuid: m.sms! }, T0 + 30 * SECOND, other.id), { total: 0, uuids: [] });
        assert.deepEqual(await list({ content: 'hello world' }), { total: 1, uuids: [m.sms] });
      });

      it('message_uuid: any of the values, case-insensitive; a non-uuid among them matches nothing itself', async () => {
        assert.deepEqual(await matching({ message_uuid: [m.sms!, m.wa!.toUpperCase()] }), set('sms', 'wa'));
        assert.deepEqual(await matching({ message_uuid: [m.sms!, 'garbage'] }), set('sms'));
        assert.deepEqual(await matching({ message_uuid: [otherMessage, UNKNOWN_UUID] }), []);
      });

      it('destination, status, channel_type, sender_name (exact)', async () => {
        assert.deepEqual(await matching({ destination: '4915112345678' }), set('wa'));
        assert.deepEqual(await matching({ destination: ['79261234567', '4915112345678'] }), set('sms', 'vk', 'wa', 'voice', 'flash'));
        assert.deepEqual(await matching({ status: 'sending' }), set('vk', 'voice', 'flash'));
        assert.deepEqual(await matching({ status: ['sent', 'unsent'] }), set('sms', 'wa'));
        assert.deepEqual(await matching({ status: 'delivered' }), []);
        assert.deepEqual(await matching({ channel_type: ['VK', 'FLASHCALL'] }), set('vk', 'flash'));
        assert.deepEqual(await matching({ channel_type: 'VIBER' }), []);
        assert.deepEqual(await matching({ sender_name: 'shop' }), set('sms'));
        assert.deepEqual(await matching({ sender_name: ['Shop', 'sho'] }), []);
      });

      it('tags: a message with at least one of the values; a tag matches whole, never as a part', async () => {
        assert.deepEqual(await matching({ tags: 'a' }), set('sms'));
        assert.deepEqual(await matching({ tags: 'b' }), set('sms', 'vk'));
        assert.deepEqual(await matching({ tags: ['ab', 'zzz'] }), set('wa'));
        assert.deepEqual(await matching({ tags: ['a', 'b'] }), set('sms', 'vk'));
        assert.deepEqual(await matching({ tags: '_' }), []);
      });

      it('traffic_type, sending_method, traffic_center_id, country_code', async () => {
        assert.deepEqual(await matching({ traffic_type: 'PROMO' }), set('sms'));
        assert.deepEqual(await matching({ traffic_type: 'AUTHORIZE' }), set('voice', 'flash'));
        assert.deepEqual(await matching({ traffic_type: ['SERVICE', 'TRANSACT'] }), set('vk', 'wa'));
        assert.deepEqual(await matching({ sending_method: 'API' }), set('sms', 'vk', 'wa', 'voice', 'flash'));
        assert.deepEqual(await matching({ sending_method: 'UI' }), []);
        assert.deepEqual(await matching({ traffic_center_id: '2' }), set('voice', 'flash'));
        assert.deepEqual(await matching({ traffic_center_id: ['1', '3'] }), set('sms', 'vk', 'wa'));
        assert.deepEqual(await matching({ country_code: 'de' }), set('wa'));
        assert.deepEqual(await matching({ country_code: ['RU', 'US'] }), set('sms', 'vk', 'voice', 'flash'));
      });

      it('direction: outbound by default; inbound alone; both', async () => {
        assert.deepEqual(await list({ direction: 'inbound' }), { total: 1, uuids: [inbound] });
        assert.deepEqual(await matching({ direction: ['inbound', 'outbound'] }), sorted([...set('sms', 'vk', 'wa', 'voice', 'flash'), inbound]));
      });

      it('time_from (inclusive) and time_to (exclusive) on the message time: sentTime, the unsent time, else createdTime', async () => {
        // sms: sent T0+10s; wa: unsent T0+20s; vk T0+1s, voice/flash T0+3s (still sending).
        assert.deepEqual(await matching({ time_from: iso(T0 + 10 * SECOND) }), set('sms', 'wa'));
        assert.deepEqual(await matching({ time_from: iso(T0 + 10 * SECOND + 1) }), set('wa'));
        assert.deepEqual(await matching({ time_to: iso(T0 + 10 * SECOND) }), set('vk', 'voice', 'flash'));
        assert.deepEqual(await matching({ time_from: iso(T0 + 3 * SECOND), time_to: iso(T0 + 20 * SECOND) }), set('voice', 'flash', 'sms'));
        assert.deepEqual(await matching({ time_from: iso(T0 + 20 * SECOND), time_to: iso(T0 + 20 * SECOND + 1) }), set('wa'));
        assert.deepEqual(await matching({ time_from: iso(T0 - HOUR), time_to: iso(T0 + SECOND) }), []);
        assert.deepEqual(await matching({ direction: 'inbound', time_from: iso(T0 + 4 * SECOND), time_to: iso(T0 + 5 * SECOND) }), [inbound]);
      });

      it('content: case-insensitive substring of the text; % and _ are plain characters; templates never match', async () => {
        assert.deepEqual(await matching({ content: 'WORLD' }), set('sms'));
        assert.deepEqual(await matching({ content: 'code' }), set('vk', 'voice'));
        assert.deepEqual(await matching({ content: '1234' }), set('vk', 'flash'));
        assert.deepEqual(await matching({ content: '100%' }), set('sms'));
        assert.deepEqual(await matching({ content: '%' }), set('sms'));
        assert.deepEqual(await matching({ content: '_' }), []);
        assert.deepEqual(await matching({ content: 'o%d' }), []);
        // 'de' is the template's language and part of its id: templates have no text to search.
        assert.deepEqual(await matching({ content: 'de' }), set('vk', 'voice'));
      });

      it('content_nor: the text does not contain the value (case-insensitive); templates always pass', async () => {
        assert.deepEqual(await matching({ content_nor: 'CODE' }), set('sms', 'wa', 'flash'));
        assert.deepEqual(await matching({ content_nor: '%' }), set('vk', 'wa', 'voice', 'flash'));
        assert.deepEqual(await matching({ content: 'o', content_nor: 'world' }), set('vk', 'voice'));
      });

      it('ready_to_stop with now: sending and not leased, or unsent; a lease that ended counts as not leased', async () => {
        assert.deepEqual(await matching({ ready_to_stop: 'true' }), set('vk', 'wa', 'flash'));
        assert.deepEqual(await matching({ ready_to_stop: 'false' }), set('sms', 'voice'));
        // The claim at T0+5s leased the voice message until T0+65s.
        assert.deepEqual(await matching({ ready_to_stop: 'true' }, T0 + 65 * SECOND), set('vk', 'wa', 'flash', 'voice'));
        assert.deepEqual(await matching({ ready_to_stop: 'false' }, T0 + 65 * SECOND), set('sms'));
      });

      it('filters combine with AND; filters that can match nothing in v1 return nothing', async () => {
        assert.deepEqual(await matching({ status: 'sending', channel_type: ['VK', 'SMS'] }), set('vk'));
        assert.deepEqual(await matching({ tags: 'b', status: 'sent', content: 'hello' }), set('sms'));
        assert.deepEqual(await list({ template_id: 'x' }), { total: 0, uuids: [] });
        assert.deepEqual(await list({ time_from: iso(T0 + HOUR), time_to: iso(T0) }), { total: 0, uuids: [] });
      });
    });

    describe('FLASHCALL conversions', () => {
      it('stored for the account\'s FLASHCALL message, each report in the timeline, the last one last', async () => {
        const account = await newAccount(ctx.store);
        const uuid = await acceptOne(ctx.store, account.id, draft({ channelType: 'FLASHCALL' }), T0);
        assert.equal(await ctx.store.messages.recordFlashcallConversion(account.id, uuid, 'WRONG_CODE', '1111', T0 + 1000), true);
        assert.equal(await ctx.store.messages.recordFlashcallConversion(account.id, uuid.toUpperCase(), 'NUMBER_VERIFIED', null, T0 + 2000), true);
        const timeline = await ctx.store.messages.timeline(account.id, uuid);
        const conversions = timeline!.filter((e) => e.kind === 'flashcall_conversion');
        assert.deepEqual(
          conversions.map((e) => [e.at, e.detail]),
          [
            [T0 + 1000, { result: 'WRONG_CODE', code: '1111' }],
            [T0 + 2000, { result: 'NUMBER_VERIFIED', code: null }],
          ],
        );
      });

      it('false for a message of another channel, another account\'s, an unknown uuid or a non-uuid', async () => {
        const account = await newAccount(ctx.store, { senders: SENDERS });
        const other = await newAccount(ctx.store);
        const sms = await acceptOne(ctx.store, account.id, draft(), T0);
        const flash = await acceptOne(ctx.store, other.id, draft({ channelType: 'FLASHCALL' }), T0);
        assert.equal(await ctx.store.messages.recordFlashcallConversion(account.id, sms, 'NUMBER_VERIFIED', null, T0), false);
        assert.equal(await ctx.store.messages.recordFlashcallConversion(account.id, flash, 'NUMBER_VERIFIED', null, T0), false);
        assert.equal(await ctx.store.messages.recordFlashcallConversion(account.id, UNKNOWN_UUID, 'NUMBER_VERIFIED', null, T0), false);
        assert.equal(await ctx.store.messages.recordFlashcallConversion(account.id, 'nope', 'NUMBER_VERIFIED', null, T0), false);
        assert.deepEqual(await timelineKinds(ctx.store, account.id, sms), ['accepted']);
        assert.deepEqual(await timelineKinds(ctx.store, other.id, flash), ['accepted']);
      });
    });

    describe('messages.storeInbound', () => {
      it('for the account the connector names: an inbound, delivered message from the subscriber', async () => {
        const account = await newAccount(ctx.store);
        const uuid = await ctx.store.messages.storeInbound({
          channelType: 'SMS',
          from: '79031234567',
          to: '4444',
          text: 'STOP',
          at: T0 + 7,
          accountName: account.name,
        });
        assert.ok(uuid);
        const message = await mustGet(ctx.store, account.id, uuid);
        assert.equal(message.direction, 'inbound');
        assert.equal(message.status, 'delivered');
        assert.equal(message.channelType, 'SMS');
        assert.equal(message.senderName, '79031234567');
        assert.equal(message.destination, '4444');
        assert.equal(message.content, 'STOP');
        assert.equal(message.createdAt, T0 + 7);
        assert.equal(message.countryCode, 'RU');
        assert.equal(message.reserved, 0);
      });

      it('without an account name: the account whose approved SMS sender is the address; none → null', async () => {
        const a = await newAccount(ctx.store);
        const b = await newAccount(ctx.store);
        await ctx.store.senders.approve({ accountId: b.id, channel: 'SMS', name: 'brandx', trafficType: null, startsAt: 0 });
        await ctx.store.senders.approve({ accountId: a.id, channel: 'WHATSAPP', name: 'brandy', trafficType: null, startsAt: 0 });
        const inbound = { channelType: 'SMS' as const, from: '79031234567', text: 'hi', at: T0, accountName: null };
        const uuid = await ctx.store.messages.storeInbound({ ...inbound, to: 'brandx' });
        assert.ok(uuid);
        assert.equal((await mustGet(ctx.store, b.id, uuid)).direction, 'inbound');
        assert.equal(await ctx.store.messages.get(a.id, uuid), null);
        assert.equal(await ctx.store.messages.storeInbound({ ...inbound, to: 'brandy' }), null);
        assert.equal(await ctx.store.messages.storeInbound({ ...inbound, to: 'nobody' }), null);
        assert.equal(await ctx.store.messages.storeInbound({ ...inbound, to: 'brandx', accountName: `${a.name}-missing` }), null);
      });
    });
  });
}
