/**
 * Contract: the SMPP door's state (store/smppDoor.ts): binds counted across the stores sharing a database (and no longer
 * once their store is gone), the gateway-wide counter, messages accepted with an SMPP origin and their message_ids, the
 * receipts the report fold owes and the inbound SMS storeInbound owes, concatenation parts (duplicates, exactly one
 * `complete` under parallel calls), stale groups and their failure as `unsent` 616 messages, and the deliver_sm outbox's
 * leases. The block has a store of its own (the purge sees every row); every test uses users and accounts of its own.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SmppUser } from '../../../src/domain/smppUser.js';
import { newMessageId } from '../../../src/store/messageIds.js';
import type { ConcatenationPart, PartIdMaker, StorePartResult } from '../../../src/store/smppDoor.js';
import type { AcceptCandidate, SmppOrigin, Store } from '../../../src/store/store.js';
import type { ReceiptRequest } from '../../../src/domain/smppRules.js';
import {
  DAY,
  HOUR,
  MINUTE,
  SECOND,
  SENDERS,
  T0,
  acceptAll,
  callbacksOf,
  candidate,
  draft,
  mustGet,
  newAccount,
  report,
  type SharedStore,
} from './support.js';

let counter = 0;
function systemId(): string {
  counter += 1;
  return `sd${process.pid % 100_000}x${counter}`.slice(0, 15);
}

async function newUser(store: Store, accountId: number, maxBinds = 2): Promise<SmppUser> {
  const user = await store.smppUsers.create(
    { systemId: systemId(), accountId, allowList: [], maxBinds, throughput: 0, window: 100, messageIdFormat: 'uuid', callbackUrl: null },
    'hash',
    T0,
  );
  assert.ok(user);
  return user;
}

/** An account with SMS senders and one SMPP user. */
async function userAndAccount(store: Store, maxBinds = 2) {
  const account = await newAccount(store, { senders: SENDERS });
  const user = await newUser(store, account.id, maxBinds);
  return { account, user };
}

function origin(user: SmppUser, parts = 1, receipts: ReceiptRequest = 'final'): SmppOrigin {
  const uuid = newMessageId();
  return { uuid, smppUserId: user.id, receipts, partIds: Array.from({ length: parts }, (_, i) => (i === 0 ? uuid : `${uuid}-${i + 1}`)) };
}

function smppCandidate(smpp: SmppOrigin, now: number, overrides: Parameters<typeof draft>[0] = {}): AcceptCandidate & { smpp: SmppOrigin } {
  return { ...candidate(draft({ content: 'hello over smpp é', ...overrides }), now), smpp };
}

/** Ids as the door makes them in the `uuid` format, counting the calls. */
function uuidIds(): PartIdMaker & { newUuids: number } {
  const maker = {
    newUuids: 0,
    newUuid() {
      maker.newUuids += 1;
      return newMessageId();
    },
    messageId: (uuid: string, segment: number) => (segment === 1 ? uuid : `${uuid}-${segment}`),
  };
  return maker;
}

let groups = 0;
function part(user: SmppUser, segment: number, total: number, receivedAt: number, groupKey?: string): ConcatenationPart {
  return { smppUserId: user.id, groupKey: groupKey ?? `group-${process.pid}-${++groups}`, segment, total, item: JSON.stringify({ segment }), receivedAt };
}

async function sent(store: Store, uuid: string, at: number): Promise<void> {
  await store.engine.apply([report.sent(uuid, at, 0)], at);
}

export function smppDoorContract(ctx: SharedStore): void {
  describe('binds', () => {
    it('maxBinds counts the sessions of every store on the database; a closed store’s sessions no longer count', async () => {
      const { user } = await userAndAccount(ctx.store, 2);
      const other = await ctx.another();
      let otherOpen = true;
      try {
        const bind = (sessionId: number) => ({ sessionId, bindType: 'transceiver' as const, remoteAddress: '192.0.2.1:5000' });
        assert.equal(await ctx.store.smpp.openBind(user.id, 2, bind(1), T0), true);
        // The same session number on another node is another session.
        assert.equal(await other.smpp.openBind(user.id, 2, bind(1), T0), true);
        assert.equal(await ctx.store.smpp.openBind(user.id, 2, bind(2), T0), false);
        assert.equal(await other.smpp.openBind(user.id, 2, bind(2), T0), false);
        assert.equal((await ctx.store.smpp.boundCounts()).get(user.id), 2);
        assert.equal((await other.smpp.boundCounts()).get(user.id), 2);

        await other.close();
        otherOpen = false;
        assert.equal((await ctx.store.smpp.boundCounts()).get(user.id), 1);
        assert.equal(await ctx.store.smpp.openBind(user.id, 2, bind(3), T0), true);
        assert.equal(await ctx.store.smpp.openBind(user.id, 2, bind(4), T0), false);

        await ctx.store.smpp.closeBind(1);
        assert.equal((await ctx.store.smpp.boundCounts()).get(user.id), 1);
        assert.equal(await ctx.store.smpp.openBind(user.id, 2, bind(5), T0), true);
        await ctx.store.smpp.closeBind(3);
        await ctx.store.smpp.closeBind(5);
        assert.equal((await ctx.store.smpp.boundCounts()).get(user.id) ?? 0, 0);
      } finally {
        if (otherOpen) await other.close();
      }
    });

    it('binds at the same moment on two stores never pass the limit together', async () => {
      const other = await ctx.another();
      try {
        for (let round = 0; round < 5; round++) {
          const { user } = await userAndAccount(ctx.store, 1);
          const bind = (sessionId: number) => ({ sessionId, bindType: 'receiver' as const, remoteAddress: '192.0.2.2:6000' });
          const results = await Promise.all([
            ctx.store.smpp.openBind(user.id, 1, bind(100 + round), T0),
            other.smpp.openBind(user.id, 1, bind(100 + round), T0),
            ctx.store.smpp.openBind(user.id, 1, bind(200 + round), T0),
            other.smpp.openBind(user.id, 1, bind(200 + round), T0),
          ]);
          assert.equal(results.filter(Boolean).length, 1, `round ${round}: ${results}`);
          assert.equal((await ctx.store.smpp.boundCounts()).get(user.id), 1);
        }
      } finally {
        await other.close();
      }
    });
  });

  it('takeCounters: increasing values from 1 on, never given twice, across stores', async () => {
    const other = await ctx.another();
    try {
      const first = await ctx.store.smpp.takeCounters(3);
      assert.equal(first.length, 3);
      assert.ok(first[0]! >= 1n);
      assert.deepEqual(first, [first[0]!, first[0]! + 1n, first[0]! + 2n]);
      assert.deepEqual(await ctx.store.smpp.takeCounters(0), []);
      const batches = await Promise.all([...Array(6)].map((_, i) => (i % 2 === 0 ? ctx.store : other).smpp.takeCounters(5)));
      for (const batch of batches) for (let i = 1; i < batch.length; i++) assert.ok(batch[i]! > batch[i - 1]!);
      const all = [...first, ...batches.flat()];
      assert.equal(new Set(all.map(String)).size, all.length);
      assert.ok(batches.flat().every((v) => v > first[2]!));
    } finally {
      await other.close();
    }
  });

  describe('messages submitted over SMPP', () => {
    it('accept uses the origin’s uuid, sendingMethod SMPP, and records every part id for messageOf', async () => {
      const { account, user } = await userAndAccount(ctx.store);
      const another = await newUser(ctx.store, account.id);
      const smpp = origin(user, 3);
      const [overSmpp, overApi] = await acceptAll(ctx.store, account.id, [smppCandidate(smpp, T0), candidate(draft(), T0)], T0);
      assert.equal(overSmpp, smpp.uuid);
      const message = await mustGet(ctx.store, account.id, smpp.uuid);
      assert.equal(message.sendingMethod, 'SMPP');
      assert.equal(message.status, 'sending');
      assert.equal((await mustGet(ctx.store, account.id, overApi!)).sendingMethod, 'API');
      for (const id of smpp.partIds) assert.equal(await ctx.store.smpp.messageOf(user.id, id), smpp.uuid);
      assert.equal(await ctx.store.smpp.messageOf(another.id, smpp.partIds[0]!), null);
      assert.equal(await ctx.store.smpp.messageOf(user.id, 'no-such-id'), null);
    });

    it('a refused candidate leaves no message and no ids', async () => {
      const account = await newAccount(ctx.store, { senders: SENDERS, balance: 0 });
      const user = await newUser(ctx.store, account.id);
      const smpp = origin(user, 2);
      const [result] = await ctx.store.messages.accept({ accountId: account.id, trafficCenterId: 1, candidates: [smppCandidate(smpp, T0)] }, T0);
      assert.equal(result!.accepted, false);
      assert.equal(await ctx.store.messages.get(account.id, smpp.uuid), null);
      assert.equal(await ctx.store.smpp.messageOf(user.id, smpp.partIds[0]!), null);
    });

    it('a final status owes a receipt as asked (final / failure / none), written with the change; claimable with its part ids', async () => {
      const { account, user } = await userAndAccount(ctx.store);
      const final = origin(user, 2, 'final');
      const failureDelivered = origin(user, 1, 'failure');
      const failureUndelivered = origin(user, 1, 'failure');
      const none = origin(user, 1, 'none');
      const all = [final, failureDelivered, failureUndelivered, none];
      await acceptAll(ctx.store, account.id, all.map((o) => smppCandidate(o, T0)), T0);
      for (const o of all) await sent(ctx.store, o.uuid, T0 + SECOND);
      assert.equal(await ctx.store.smpp.pendingDelivers(user.id), 0);
      await ctx.store.engine.apply(
        [
          report.of(final.uuid, { kind: 'delivered', at: T0 + 2 * SECOND }),
          report.of(failureDelivered.uuid, { kind: 'delivered', at: T0 + 2 * SECOND }),
          report.of(failureUndelivered.uuid, { kind: 'undelivered', at: T0 + 3 * SECOND, errorCode: 302 }),
          report.of(none.uuid, { kind: 'delivered', at: T0 + 2 * SECOND }),
        ],
        T0 + 4 * SECOND,
      );
      // A later report about a message already final owes nothing more.
      await ctx.store.engine.apply([report.of(final.uuid, { kind: 'read', at: T0 + 5 * SECOND })], T0 + 5 * SECOND);
      assert.equal(await ctx.store.smpp.pendingDelivers(user.id), 2);
      const claimed = await ctx.store.smpp.claimDelivers([{ smppUserId: user.id, accountId: account.id, limit: 10 }], T0 + 10 * SECOND, MINUTE);
      assert.equal(claimed.length, 2);
      const [first, second] = claimed;
      assert.ok(Number(first!.id) < Number(second!.id));
      assert.deepEqual({ ...first!, id: undefined, leaseUntil: undefined }, {
        id: undefined,
        kind: 'receipt',
        accountId: account.id,
        smppUserId: user.id,
        messageUuid: final.uuid,
        destination: '79261234567',
        senderName: 'shop',
        content: JSON.stringify('hello over smpp é'),
        createdAt: T0,
        status: 'delivered',
        errorCode: null,
        doneAt: T0 + 2 * SECOND,
        partIds: final.partIds,
        attempts: 1,
        createdOutboxAt: T0 + 4 * SECOND,
        leaseUntil: undefined,
      });
      assert.ok(first!.leaseUntil >= T0 + 10 * SECOND + MINUTE);
      assert.equal(second!.messageUuid, failureUndelivered.uuid);
      assert.equal(second!.status, 'undelivered');
      assert.equal(second!.errorCode, 302);
      assert.deepEqual(second!.partIds, failureUndelivered.partIds);
    });

    it('a message claimed by the engine (the claim keeps its state for the hand-off) still owes its receipt', async () => {
      // Earlier than every message of the block still sending: the claim takes this one alone.
      const base = T0 - 500 * DAY;
      const { account, user } = await userAndAccount(ctx.store);
      const smpp = origin(user, 1, 'final');
      await acceptAll(ctx.store, account.id, [smppCandidate(smpp, base)], base);
      const claimed = await ctx.store.engine.claimDue('smpp-door-contract', base + SECOND, MINUTE, 10);
      assert.deepEqual(claimed.map((m) => m.uuid), [smpp.uuid]);
      await ctx.store.engine.apply([report.sent(smpp.uuid, base + 2 * SECOND, 0, { connector: 'test', carrierRefs: [] })], base + 2 * SECOND);
      await ctx.store.engine.apply([report.of(smpp.uuid, { kind: 'undelivered', at: base + 3 * SECOND, errorCode: 127 })], base + 3 * SECOND);
      const [row] = await ctx.store.smpp.claimDelivers([{ smppUserId: user.id, accountId: account.id, limit: 10 }], base + 4 * SECOND, MINUTE);
      assert.deepEqual([row?.messageUuid, row?.status, row?.errorCode, row?.partIds], [smpp.uuid, 'undelivered', 127, smpp.partIds]);
    });

    it('a stop (unsent 606) owes a receipt too', async () => {
      const { account, user } = await userAndAccount(ctx.store);
      const smpp = origin(user, 1, 'failure');
      await acceptAll(ctx.store, account.id, [smppCandidate(smpp, T0)], T0);
      assert.deepEqual(await ctx.store.messages.stop(account.id, [smpp.uuid], T0 + SECOND), [200]);
      const [row] = await ctx.store.smpp.claimDelivers([{ smppUserId: user.id, accountId: account.id, limit: 10 }], T0 + 2 * SECOND, MINUTE);
      assert.equal(row?.status, 'unsent');
      assert.equal(row?.errorCode, 606);
    });
  });

  describe('inbound SMS', () => {
    it('an SMS of an account with an SMPP user is owed as deliver_sm (user null), once per platform id', async () => {
      const { account, user } = await userAndAccount(ctx.store);
      const inbound = { channelType: 'SMS' as const, from: '79260000001', to: 'shop', text: 'hi there', at: T0 + MINUTE, accountName: account.name };
      const uuid = await ctx.store.messages.storeInbound(inbound);
      assert.ok(uuid);
      const again = { ...inbound, platformId: `mo-${process.pid}-${user.id}` };
      const second = await ctx.store.messages.storeInbound(again);
      assert.equal(await ctx.store.messages.storeInbound(again), second);
      const claimed = await ctx.store.smpp.claimDelivers([{ smppUserId: user.id, accountId: account.id, limit: 10 }], T0 + 2 * MINUTE, MINUTE);
      assert.deepEqual(
        claimed.map((c) => [c.kind, c.smppUserId, c.messageUuid, c.destination, c.senderName, c.content, c.createdAt, c.status, c.partIds]),
        [
          ['mo', null, uuid, 'shop', '79260000001', JSON.stringify('hi there'), T0 + MINUTE, null, []],
          ['mo', null, second, 'shop', '79260000001', JSON.stringify('hi there'), T0 + MINUTE, null, []],
        ],
      );
    });

    it('nothing is owed to an account without SMPP users, with only revoked ones, nor for other channels', async () => {
      const plain = await newAccount(ctx.store, { senders: SENDERS });
      await ctx.store.messages.storeInbound({ channelType: 'SMS', from: '79260000002', to: 'shop', text: 'a', at: T0, accountName: plain.name });
      const { account, user } = await userAndAccount(ctx.store);
      await ctx.store.messages.storeInbound({ channelType: 'WHATSAPP', from: '79260000003', to: 'shop_wa', text: 'b', at: T0, accountName: account.name });
      const revoked = await userAndAccount(ctx.store);
      assert.equal(await ctx.store.smppUsers.revoke(revoked.user.systemId, T0), true);
      await ctx.store.messages.storeInbound({ channelType: 'SMS', from: '79260000004', to: 'shop', text: 'c', at: T0, accountName: revoked.account.name });
      const claimed = await ctx.store.smpp.claimDelivers(
        [
          { smppUserId: user.id, accountId: account.id, limit: 10 },
          { smppUserId: revoked.user.id, accountId: revoked.account.id, limit: 10 },
          { smppUserId: 999_999, accountId: plain.id, limit: 10 },
        ],
        T0 + HOUR,
        MINUTE,
      );
      assert.deepEqual(claimed, []);
    });
  });

  describe('concatenation parts', () => {
    it('stored, duplicate (its first answer stands), complete with every part by segment; one uuid for the group', async () => {
      const { user } = await userAndAccount(ctx.store);
      const ids = uuidIds();
      const groupKey = `g-${process.pid}-${user.id}`;
      const third = await ctx.store.smpp.storePart(part(user, 3, 3, T0, groupKey), ids);
      assert.equal(third.state, 'stored');
      assert.equal(ids.newUuids, 1);
      const uuid = third.part.messageUuid;
      assert.equal(third.part.messageId, `${uuid}-3`);
      const first = await ctx.store.smpp.storePart(part(user, 1, 3, T0 + 1, groupKey), ids);
      assert.equal(first.state, 'stored');
      assert.equal(first.part.messageUuid, uuid);
      assert.equal(first.part.messageId, uuid);
      const again = await ctx.store.smpp.storePart({ ...part(user, 1, 3, T0 + 2, groupKey), item: 'other' }, ids);
      assert.deepEqual(again, { state: 'duplicate', part: first.part });
      const last = await ctx.store.smpp.storePart(part(user, 2, 3, T0 + 3, groupKey), ids);
      assert.equal(last.state, 'complete');
      assert.equal(ids.newUuids, 1);
      assert.ok(last.state === 'complete');
      assert.deepEqual(last.parts.map((p) => [p.segment, p.messageId, p.receivedAt, p.item]), [
        [1, uuid, T0 + 1, JSON.stringify({ segment: 1 })],
        [2, `${uuid}-2`, T0 + 3, JSON.stringify({ segment: 2 })],
        [3, `${uuid}-3`, T0, JSON.stringify({ segment: 3 })],
      ]);
      assert.equal((await ctx.store.smpp.storePart(part(user, 2, 3, T0 + 4, groupKey), ids)).state, 'duplicate');

      // Refused: the client may send the part again, and then completes the group once more.
      await ctx.store.smpp.removePart(user.id, groupKey, 2);
      assert.equal((await ctx.store.smpp.storePart(part(user, 2, 3, T0 + 5, groupKey), ids)).state, 'complete');
      await ctx.store.smpp.dropParts(user.id, groupKey);
      const fresh = await ctx.store.smpp.storePart(part(user, 1, 3, T0 + 6, groupKey), ids);
      assert.equal(fresh.state, 'stored');
      assert.notEqual(fresh.part.messageUuid, uuid);
      await ctx.store.smpp.dropParts(user.id, groupKey);
    });

    it('hex/decimal ids take a counter value per new part', async () => {
      const { user } = await userAndAccount(ctx.store);
      const seen: bigint[] = [];
      const ids: PartIdMaker = { newUuid: newMessageId, messageId: (_uuid, _segment, value) => (seen.push(value), value.toString(16)) };
      const groupKey = `hex-${process.pid}-${user.id}`;
      const a = await ctx.store.smpp.storePart(part(user, 1, 2, T0, groupKey), ids);
      await ctx.store.smpp.storePart(part(user, 1, 2, T0, groupKey), ids);
      const b = await ctx.store.smpp.storePart(part(user, 2, 2, T0, groupKey), ids);
      assert.equal(seen.length, 2);
      assert.ok(seen[1]! > seen[0]!);
      assert.equal(a.part.messageId, seen[0]!.toString(16));
      assert.equal(b.part.messageId, seen[1]!.toString(16));
      await ctx.store.smpp.dropParts(user.id, groupKey);
    });

    it('parallel calls on two stores: exactly one sees the group complete', async () => {
      const other = await ctx.another();
      try {
        const { user } = await userAndAccount(ctx.store);
        for (let round = 0; round < 4; round++) {
          const groupKey = `par-${process.pid}-${user.id}-${round}`;
          // Every segment at once, some twice, from both stores.
          const calls: Promise<StorePartResult>[] = [];
          for (const segment of [1, 2, 3, 4, 4, 2]) {
            for (const store of [ctx.store, other]) calls.push(store.smpp.storePart(part(user, segment, 4, T0, groupKey), uuidIds()));
          }
          const results = await Promise.all(calls);
          assert.equal(results.filter((r) => r.state === 'complete').length, 1, `round ${round}`);
          assert.equal(results.filter((r) => r.state === 'stored').length, 3);
          assert.equal(new Set(results.map((r) => r.part.messageUuid)).size, 1);
          const complete = results.find((r) => r.state === 'complete');
          assert.ok(complete?.state === 'complete');
          assert.deepEqual(complete.parts.map((p) => p.segment), [1, 2, 3, 4]);
          await ctx.store.smpp.dropParts(user.id, groupKey);
        }
      } finally {
        await other.close();
      }
    });

    it('staleGroups: groups whose first part is older than `before`, oldest first, and whether their message exists', async () => {
      const { account, user } = await userAndAccount(ctx.store);
      const base = T0 - 10 * DAY;
      const ids = uuidIds();
      const old = `stale-a-${process.pid}-${user.id}`;
      const older = `stale-b-${process.pid}-${user.id}`;
      const young = `stale-c-${process.pid}-${user.id}`;
      const made = `stale-d-${process.pid}-${user.id}`;
      await ctx.store.smpp.storePart(part(user, 2, 3, base + 20 * SECOND, old), ids);
      await ctx.store.smpp.storePart(part(user, 1, 3, base + 70 * SECOND, old), ids);
      await ctx.store.smpp.storePart(part(user, 1, 2, base + 10 * SECOND, older), ids);
      await ctx.store.smpp.storePart(part(user, 1, 2, base + 50 * SECOND, young), ids);
      await ctx.store.smpp.storePart(part(user, 1, 2, base + 30 * SECOND, made), ids);
      const complete = await ctx.store.smpp.storePart(part(user, 2, 2, base + 31 * SECOND, made), ids);
      assert.equal(complete.state, 'complete');
      // Made before a crash: the message exists, its parts were not dropped yet.
      const smpp: SmppOrigin = { uuid: complete.part.messageUuid, smppUserId: user.id, receipts: 'none', partIds: [complete.part.messageUuid, `${complete.part.messageUuid}-2`] };
      await acceptAll(ctx.store, account.id, [smppCandidate(smpp, base + 31 * SECOND)], base + 31 * SECOND);

      const stale = (await ctx.store.smpp.staleGroups(base + 40 * SECOND, 10)).filter((g) => g.smppUserId === user.id);
      assert.deepEqual(stale.map((g) => [g.groupKey, g.parts.map((p) => p.segment), g.messageExists]), [
        [older, [1], false],
        [old, [1, 2], false],
        [made, [1, 2], true],
      ]);
      const limited = (await ctx.store.smpp.staleGroups(base + 40 * SECOND, 1)).map((g) => g.groupKey);
      assert.deepEqual(limited, [older]);
      for (const key of [old, older, young, made]) await ctx.store.smpp.dropParts(user.id, key);
    });

    it('failIncomplete: each part becomes an unsent 616 message with its timeline, callbacks and receipt; the group is gone', async () => {
      const { account, user } = await userAndAccount(ctx.store);
      const base = T0 - 20 * DAY;
      const ids = uuidIds();
      const groupKey = `fail-${process.pid}-${user.id}`;
      const one = await ctx.store.smpp.storePart(part(user, 1, 3, base, groupKey), ids);
      const three = await ctx.store.smpp.storePart(part(user, 3, 3, base + SECOND, groupKey), ids);
      const now = base + 2 * MINUTE;
      const url = 'https://example.test/smpp-callbacks';
      const payload = (uuid: string) => JSON.stringify({ message_uuid: uuid, channel_type: 'SMS', callback_event: 'unsent', error_code: 616 });
      const lowest: SmppOrigin = { uuid: one.part.messageUuid, smppUserId: user.id, receipts: 'final', partIds: [one.part.messageId] };
      const alone: SmppOrigin = { uuid: newMessageId(), smppUserId: user.id, receipts: 'final', partIds: [three.part.messageId] };
      await ctx.store.smpp.failIncomplete(
        [
          {
            accountId: account.id,
            trafficCenterId: 1,
            candidate: smppCandidate(lowest, now, { content: 'part one', callbackUrl: url }),
            callbacks: [{ url, payload: payload(lowest.uuid) }],
            receipt: true,
          },
          {
            accountId: account.id,
            trafficCenterId: 1,
            candidate: smppCandidate(alone, now, { content: 'part three' }),
            callbacks: [],
            receipt: false,
          },
        ],
        616,
        now,
      );
      const before = (await ctx.store.accounts.byId(account.id))!;
      for (const [o, text] of [[lowest, 'part one'], [alone, 'part three']] as const) {
        const message = await mustGet(ctx.store, account.id, o.uuid);
        assert.equal(message.status, 'unsent');
        assert.equal(message.errorCode, 616);
        assert.equal(message.sendingMethod, 'SMPP');
        assert.equal(message.content, text);
        assert.equal(await ctx.store.smpp.messageOf(user.id, o.partIds[0]!), o.uuid);
        const timeline = await ctx.store.messages.timeline(account.id, o.uuid);
        const unsent = timeline!.filter((e) => e.kind === 'unsent');
        assert.equal(unsent.length, 1);
        assert.equal(unsent[0]!.at, now);
        assert.equal(unsent[0]!.detail?.['errorCode'], 616);
        assert.deepEqual(unsent[0]!.detail?.['statuses'], ['unsent']);
      }
      assert.equal(before.reserved, 0);
      assert.deepEqual((await callbacksOf(ctx.store, lowest.uuid)).map((c) => [c.callback_event, c['error_code']]), [['unsent', 616]]);
      assert.deepEqual(await callbacksOf(ctx.store, alone.uuid), []);
      const claimed = await ctx.store.smpp.claimDelivers([{ smppUserId: user.id, accountId: account.id, limit: 10 }], now, MINUTE);
      assert.deepEqual(claimed.map((c) => [c.kind, c.messageUuid, c.status, c.errorCode, c.doneAt, c.partIds]), [
        ['receipt', lowest.uuid, 'unsent', 616, now, [one.part.messageId]],
      ]);
      assert.deepEqual((await ctx.store.smpp.staleGroups(now + DAY, 100)).filter((g) => g.smppUserId === user.id), []);
    });
  });

  describe('deliver_sm outbox', () => {
    /** n receipts owed to a new user: n messages sent and delivered at `base`. */
    async function owed(n: number, base: number) {
      const { account, user } = await userAndAccount(ctx.store);
      const origins = [...Array(n)].map(() => origin(user, 1, 'final'));
      await acceptAll(ctx.store, account.id, origins.map((o) => smppCandidate(o, base)), base);
      await ctx.store.engine.apply(origins.map((o) => report.sent(o.uuid, base, 0)), base);
      await ctx.store.engine.apply(origins.map((o) => report.of(o.uuid, { kind: 'delivered', at: base + SECOND })), base + SECOND);
      return { account, user, origins, demand: [{ smppUserId: user.id, accountId: account.id, limit: 100 }] };
    }

    it('leases, completes (only with the lease given), retries (due later, same content), oldest first within the limit', async () => {
      const base = T0 - 30 * DAY;
      const { user, origins, demand } = await owed(3, base);
      const now = base + MINUTE;
      const two = await ctx.store.smpp.claimDelivers([{ ...demand[0]!, limit: 2 }], now, MINUTE);
      assert.deepEqual(two.map((c) => c.messageUuid), [origins[0]!.uuid, origins[1]!.uuid]);
      const third = await ctx.store.smpp.claimDelivers(demand, now, MINUTE);
      assert.deepEqual(third.map((c) => c.messageUuid), [origins[2]!.uuid]);
      assert.deepEqual(await ctx.store.smpp.claimDelivers(demand, now + SECOND, MINUTE), []);

      await ctx.store.smpp.completeDelivers([{ id: two[0]!.id, leaseUntil: two[0]!.leaseUntil - 1 }]);
      assert.equal(await ctx.store.smpp.pendingDelivers(user.id), 3);
      await ctx.store.smpp.completeDelivers([{ id: two[0]!.id, leaseUntil: two[0]!.leaseUntil }]);
      assert.equal(await ctx.store.smpp.pendingDelivers(user.id), 2);

      await ctx.store.smpp.retryDelivers([{ id: two[1]!.id, leaseUntil: two[1]!.leaseUntil, dueAt: now + 30 * SECOND }]);
      assert.deepEqual(await ctx.store.smpp.claimDelivers(demand, now + 29 * SECOND, MINUTE), []);
      const retried = await ctx.store.smpp.claimDelivers(demand, now + 30 * SECOND, MINUTE);
      assert.equal(retried.length, 1);
      assert.deepEqual({ ...retried[0]!, attempts: 0, leaseUntil: 0 }, { ...two[1]!, attempts: 0, leaseUntil: 0 });
      assert.equal(retried[0]!.attempts, 2);
      // A retry with the old lease changes nothing.
      await ctx.store.smpp.retryDelivers([{ id: two[1]!.id, leaseUntil: two[1]!.leaseUntil, dueAt: now }]);
      assert.deepEqual(await ctx.store.smpp.claimDelivers(demand, now + 31 * SECOND, MINUTE), []);

      // An expired lease makes the row claimable again, under a greater token; the old token is refused.
      const expired = now + 30 * SECOND + MINUTE;
      const again = await ctx.store.smpp.claimDelivers(demand, expired, 0);
      assert.deepEqual(again.map((c) => c.messageUuid).sort(), [origins[1]!.uuid, origins[2]!.uuid].sort());
      const reclaimed = await ctx.store.smpp.claimDelivers(demand, expired + 10 * SECOND, MINUTE);
      assert.equal(reclaimed.length, 2);
      for (const r of reclaimed) assert.ok(r.leaseUntil > again.find((a) => a.id === r.id)!.leaseUntil);
      await ctx.store.smpp.completeDelivers(again.map((c) => ({ id: c.id, leaseUntil: c.leaseUntil })));
      assert.equal(await ctx.store.smpp.pendingDelivers(user.id), 2);
      await ctx.store.smpp.completeDelivers(reclaimed.map((c) => ({ id: c.id, leaseUntil: c.leaseUntil })));
      assert.equal(await ctx.store.smpp.pendingDelivers(user.id), 0);
    });

    it('purge drops rows created before the keeping time, and counts them', async () => {
      const base = T0 - 1000 * DAY;
      const { user } = await owed(2, base);
      const later = await owed(1, base + 3 * DAY);
      assert.equal(await ctx.store.smpp.purgeDelivers(base + 2 * DAY), 2);
      assert.equal(await ctx.store.smpp.pendingDelivers(user.id), 0);
      assert.equal(await ctx.store.smpp.pendingDelivers(later.user.id), 1);
      assert.ok((await ctx.store.smpp.pendingDelivers()) >= 1);
      assert.equal(await ctx.store.smpp.purgeDelivers(base + 2 * DAY), 0);
    });

    it('the leases of a store that closed (a node that died) end with it: its rows are claimable at once', async () => {
      const base = T0 - 90 * DAY;
      const { demand } = await owed(3, base);
      const other = await ctx.another();
      let otherOpen = true;
      try {
        const held = await other.smpp.claimDelivers(demand, base + MINUTE, 10 * MINUTE);
        assert.equal(held.length, 3);
        // Alive, its leases hold.
        assert.deepEqual(await ctx.store.smpp.claimDelivers(demand, base + MINUTE, MINUTE), []);
        await other.close();
        otherOpen = false;
        const taken = await ctx.store.smpp.claimDelivers(demand, base + MINUTE, MINUTE);
        assert.deepEqual(taken.map((c) => c.id).sort(), held.map((c) => c.id).sort());
        await ctx.store.smpp.completeDelivers(taken.map((c) => ({ id: c.id, leaseUntil: c.leaseUntil })));
      } finally {
        if (otherOpen) await other.close();
      }
    });

    it('two stores claiming at once never lease the same row', async () => {
      const base = T0 - 60 * DAY;
      const { demand } = await owed(40, base);
      const other = await ctx.another();
      try {
        const claims = await Promise.all(
          [...Array(8)].map((_, i) => (i % 2 === 0 ? ctx.store : other).smpp.claimDelivers([{ ...demand[0]!, limit: 7 }], base + MINUTE, MINUTE)),
        );
        // A claim skips the rows another holds: together they lease each row once, and what is left is there still.
        const rest = await ctx.store.smpp.claimDelivers([{ ...demand[0]!, limit: 100 }], base + MINUTE, MINUTE);
        const ids = [...claims.flat(), ...rest].map((c) => c.id);
        assert.equal(new Set(ids).size, ids.length);
        assert.equal(ids.length, 40);
        assert.ok(claims.every((c) => c.length <= 7));
      } finally {
        await other.close();
      }
    });
  });
}
