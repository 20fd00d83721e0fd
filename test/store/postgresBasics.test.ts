/**
 * Quick self-checks of the PostgreSQL store that the contract suite does not make: concurrent migrations,
 * the one-statement batch insert, exact balances under charging from several nodes, list filters as SQLite.
 * Needs DGW_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test); each test makes its own database.
 * Unset: skipped, with the reason printed. Set but unreachable: the tests fail.
 */
import { draft as contractDraft } from './contract/support.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { MessageFilter, MessagePage } from '../../src/domain/listQuery.js';
import type { MessageDraft } from '../../src/domain/message.js';
import type { AcceptCandidate, Store } from '../../src/store/store.js';
import { connectPostgres } from '../../src/store/postgres/connection.js';
import { postgresStore } from '../../src/store/postgres/postgresStore.js';
import { LATEST_SCHEMA_VERSION, migratePostgres } from '../../src/store/postgres/schema.js';
import { sqliteStore } from '../../src/store/sqlite/sqliteStore.js';

const SERVER_URL = process.env.DGW_TEST_POSTGRES_URL;
const SKIP = SERVER_URL ? false : 'DGW_TEST_POSTGRES_URL is not set: PostgreSQL store tests skipped';
if (SKIP) process.stderr.write(`${SKIP}\n`);

/** A fresh database on the test server, dropped by `drop()`. */
async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `dgw_${randomBytes(6).toString('hex')}`;
  const admin = connectPostgres(SERVER_URL!, { max: 1 });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(SERVER_URL!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = connectPostgres(SERVER_URL!, { max: 1 });
      try {
        await again.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await again.end({ timeout: 5 });
      }
    },
  };
}

/** The contract suite's draft, with this file's default text (its list fixture's totals depend on it). */
function draft(overrides: Partial<MessageDraft> = {}): MessageDraft {
  return contractDraft({ content: 'Your code is 1234', ...overrides });
}

function candidate(now: number, overrides: Partial<MessageDraft> = {}, price = 10_000, countryCode: string | null = 'RU'): AcceptCandidate {
  return {
    draft: draft(overrides),
    price,
    countryCode,
    schedule: { timeZone: 'Europe/Moscow', sendAfter: null, completeBy: null, expiresAt: now + 86_400_000 },
    shortLinks: [],
  };
}

/** An account with an approved SMS sender `shop`. */
async function account(store: Store, name: string, balance: number, now: number): Promise<number> {
  const created = await store.accounts.create({ name, currency: 'RUB', balance, billingEnabled: true }, now);
  await store.senders.approve({ accountId: created.id, channel: 'SMS', name: 'shop', trafficType: null, startsAt: 0 });
  await store.senders.approve({ accountId: created.id, channel: 'SMS', name: 'promo', trafficType: 'PROMO', startsAt: 0 });
  return created.id;
}

describe('PostgreSQL store basics', { skip: SKIP }, () => {
  it('migrates idempotently, and safely from 3 connections at once', async () => {
    const db = await freshDatabase();
    try {
      const nodes = [1, 2, 3].map(() => connectPostgres(db.url, { max: 1 }));
      try {
        const applied = await Promise.all(nodes.map((sql) => migratePostgres(sql)));
        const all = Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1);
        assert.deepEqual(applied.filter((a) => a.length > 0), [all], 'exactly one node applies the migrations');
        assert.deepEqual(await migratePostgres(nodes[0]!), [], 'a second run has nothing to do');
        const [row] = await nodes[0]!<{ n: number }[]>`select count(*) as n from schema_migrations`;
        assert.equal(row!.n, LATEST_SCHEMA_VERSION);
      } finally {
        await Promise.all(nodes.map((sql) => sql.end({ timeout: 5 })));
      }
    } finally {
      await db.drop();
    }
  });

  describe('on one store', () => {
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    let store: Store;
    before(async () => {
      db = await freshDatabase();
      store = await postgresStore(db.url);
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('accepts a 1000-item batch in one INSERT', async (t) => {
      const now = Date.now();
      const accountId = await account(store, 'bulk', 10_000 * 10_000, now);
      const batch = (n: number) =>
        Array.from({ length: 1000 }, (_, i) => candidate(now, { destination: `7926${String(n * 1000 + i).padStart(7, '0')}`, tags: ['bulk'] }));
      const timings: number[] = [];
      for (let n = 0; n < 6; n++) {
        const started = performance.now();
        const results = await store.messages.accept({ accountId, trafficCenterId: 1, candidates: batch(n) }, now);
        timings.push(performance.now() - started);
        assert.equal(results.filter((r) => r.accepted).length, 1000);
      }
      const [count] = await sqlCount(db.url, accountId);
      assert.equal(count, 6000);
      const acc = await store.accounts.byId(accountId);
      assert.equal(acc!.reserved, 6000 * 10_000);
      const warm = timings.slice(1);
      t.diagnostic(
        `1000-row accept: first ${timings[0]!.toFixed(1)} ms (prepares), then mean ${(warm.reduce((a, b) => a + b, 0) / warm.length).toFixed(1)} ms`,
      );
    });

    it('refuses what the account cannot pay and keeps the idempotent response with the batch', async () => {
      const now = Date.now();
      const accountId = await account(store, 'poor', 25_000, now);
      await store.blocklist.add(accountId, '79000000001');
      const claim = await store.idempotency.claim(accountId, 'k1', 'h1', now, 60_000);
      assert.equal(claim.state, 'claimed');
      const results = await store.messages.accept(
        {
          accountId,
          trafficCenterId: 1,
          candidates: [
            candidate(now),
            candidate(now, { destination: '79000000001' }),
            candidate(now, { senderName: 'unknown' }),
            candidate(now),
            candidate(now),
          ],
          idempotency: { key: 'k1', token: claim.state === 'claimed' ? claim.token : '', respond: (r) => ({ status: 201, body: JSON.stringify(r.map((x) => x.accepted)) }) },
        },
        now,
      );
      assert.deepEqual(
        results.map((r) => (r.accepted ? 'ok' : r.rejection.code)),
        ['ok', 4033, 4031, 'ok', 4020],
      );
      assert.deepEqual(await store.idempotency.claim(accountId, 'k1', 'h1', now, 60_000), {
        state: 'replay',
        response: { status: 201, body: '[true,false,false,true,false]' },
      });
      assert.deepEqual(await store.idempotency.claim(accountId, 'k1', 'other', now, 60_000), { state: 'mismatch' });
    });

    it('stops: 200 and unsent 606 when not leased, 202 when leased, 404 for unknown or foreign ids', async () => {
      const now = Date.now();
      const accountId = await account(store, 'stopper', 1_000_000, now);
      const results = await store.messages.accept({ accountId, trafficCenterId: 1, candidates: [candidate(now), candidate(now)] }, now);
      const [free, leased] = results.map((r) => (r.accepted ? r.uuid : assert.fail('not accepted')));
      await leaseByHand(db.url, leased!, now + 30_000);
      const codes = await store.messages.stop(accountId, [free!, leased!, free!, 'nope', '00000000-0000-7000-8000-000000000000'], now);
      assert.deepEqual(codes, [200, 202, 200, 404, 404]);
      const stopped = await store.messages.get(accountId, free!);
      assert.equal(stopped!.status, 'unsent');
      assert.equal(stopped!.errorCode, 606);
      assert.equal((await store.accounts.byId(accountId))!.reserved, 10_000, 'the stopped message is refunded');
      assert.deepEqual([...(await store.engine.stopRequested([free!, leased!]))], [leased]);
      assert.deepEqual(await store.messages.stop(accountId, [free!], now), [200]);
    });
  });

  it('keeps balances exact when 4 nodes charge one account at once', async () => {
    const db = await freshDatabase();
    const nodes: Store[] = [];
    try {
      for (let i = 0; i < 4; i++) nodes.push(await postgresStore(db.url, { max: 3 }));
      const now = Date.now();
      const price = 12_345;
      // Room for 150 messages; the nodes ask for 4 × 10 batches × 5 = 200, and top up 4 × 10 × 1 unit on the side.
      const accountId = await account(nodes[0]!, 'shared', 150 * price, now);
      const outcomes = await Promise.all(
        nodes.map(async (node) => {
          let accepted = 0;
          for (let b = 0; b < 10; b++) {
            const [results] = await Promise.all([
              node.messages.accept({ accountId, trafficCenterId: 1, candidates: Array.from({ length: 5 }, () => candidate(now, {}, price)) }, now),
              node.accounts.topUp(accountId, 1),
            ]);
            accepted += results.filter((r) => r.accepted).length;
          }
          return accepted;
        }),
      );
      const accepted = outcomes.reduce((a, b) => a + b, 0);
      const final = await nodes[0]!.accounts.byId(accountId);
      assert.equal(final!.balance, 150 * price + 40, 'every top-up counted');
      assert.equal(final!.reserved, accepted * price, 'every reservation counted');
      assert.ok(final!.reserved <= final!.balance, 'never overdrawn');
      // 40 units of top-ups never add up to another message: exactly the 150 that fit are accepted.
      assert.equal(accepted, 150);
      const [stored] = await sqlCount(db.url, accountId);
      assert.equal(stored, accepted);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      await db.drop();
    }
  });

  it('lets exactly one of two nodes claim an idempotency key', async () => {
    const db = await freshDatabase();
    const nodes: Store[] = [];
    try {
      for (let i = 0; i < 2; i++) nodes.push(await postgresStore(db.url, { max: 2 }));
      const now = Date.now();
      const accountId = await account(nodes[0]!, 'idem', 0, now);
      for (let round = 0; round < 20; round++) {
        const claims = await Promise.all(nodes.map((n) => n.idempotency.claim(accountId, `key-${round}`, 'hash', now, 60_000)));
        assert.deepEqual(claims.map((c) => c.state).sort(), ['claimed', 'pending']);
      }
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      await db.drop();
    }
  });

  it('lists with every filter as SQLite does', async () => {
    const db = await freshDatabase();
    const pg = await postgresStore(db.url);
    const lite = sqliteStore(':memory:');
    try {
      const t0 = Date.UTC(2024, 4, 1);
      const fixture: [Partial<MessageDraft>, string | null][] = [
        [{ channelType: 'VOICECODE', senderName: 'voice', destination: '14085553911', tags: ['alpha', 'beta'], content: { contentType: 'text', text: 'Code 1234' } }, 'US'],
        [{ channelType: 'FLASHCALL', senderName: 'flash', destination: '14085553912', tags: ['beta'], content: '' }, 'US'],
        [{ destination: '79261234567', content: 'Привет, Мир! Hello World', tags: ['gamma'] }, 'RU'],
        [{ senderName: 'promo', destination: '79261234568', content: 'Big SALE today' }, 'RU'],
        [{ channelType: 'WHATSAPP', senderName: 'shop', destination: '79261234569', content: { contentType: 'template', templateId: 't', language: 'en', parameters: ['x'] } }, 'RU'],
        [{ channelType: 'WHATSAPP', senderName: 'shop', destination: '79261234567', content: { contentType: 'text', text: 'hello from whatsapp' } }, 'RU'],
        [{ channelType: 'VK', senderName: 'vk', destination: '442071838750', content: 'ПРИВЕТ vk' }, 'GB'],
        [{ channelType: 'VK', senderName: 'vk', destination: '79261234570', content: 'tie one' }, null],
        [{ channelType: 'VK', senderName: 'vk', destination: '79261234570', content: 'tie two' }, null],
      ];
      // The same fixture in both stores; externalMessageId names each message, whatever its uuid.
      const uuidsByName: Record<'pg' | 'lite', Map<string, string>> = { pg: new Map(), lite: new Map() };
      for (const [kind, store] of [['pg', pg], ['lite', lite]] as const) {
        const accountId = await account(store, 'lister', 1_000_000_000, t0);
        await store.senders.approve({ accountId, channel: 'WHATSAPP', name: 'shop', trafficType: 'TRANSACT', startsAt: 0 });
        const other = await account(store, 'other', 1_000_000_000, t0);
        await store.messages.accept({ accountId: other, trafficCenterId: 1, candidates: [candidate(t0)] }, t0);
        for (const [i, [overrides, country]] of fixture.entries()) {
          // The two ties share a creation time: their order falls to the uuid.
          const at = t0 + Math.min(i, 7) * 1000;
          const [result] = await store.messages.accept(
            { accountId, trafficCenterId: i === 3 ? 2 : 1, candidates: [candidate(at, { ...overrides, externalMessageId: `m${i + 1}` }, 10_000, country)] },
            at,
          );
          assert.ok(result!.accepted);
          uuidsByName[kind].set(`m${i + 1}`, result.uuid);
        }
        const inbound = await store.messages.storeInbound({ channelType: 'SMS', from: '79261112233', to: 'shop', text: 'Reply STOP', at: t0 + 9000, accountName: 'lister' });
        uuidsByName[kind].set('in', inbound!);
      }
      const base: MessageFilter = {
        messageUuids: [], destinations: [], statuses: [], channelTypes: [], senderNames: [], tags: [], trafficTypes: [],
        sendingMethods: [], trafficCenterIds: [], countryCodes: [], direction: ['outbound'], timeFrom: null, timeTo: null,
        content: null, contentNor: null, readyToStop: null, matchesNothing: false,
      };
      const cases: [string, Partial<MessageFilter>, Partial<MessagePage>?][] = [
        ['all', {}],
        ['oldest first', {}, { sort: 'created_time' }],
        ['a page', {}, { offset: 2, limit: 3 }],
        ['destination', { destinations: ['79261234567', '14085553911'] }],
        ['status', { statuses: ['sending'] }],
        ['status none', { statuses: ['delivered'] }],
        ['channel', { channelTypes: ['VK', 'FLASHCALL'] }],
        ['sender', { senderNames: ['promo', 'vk'] }],
        ['tags', { tags: ['beta', 'gamma'] }],
        ['traffic type', { trafficTypes: ['AUTHORIZE', 'PROMO'] }],
        ['sending method', { sendingMethods: ['UI'] }],
        ['traffic center', { trafficCenterIds: [2] }],
        ['country', { countryCodes: ['GB', 'US'] }],
        ['inbound', { direction: ['inbound'] }],
        ['both directions', { direction: ['outbound', 'inbound'], statuses: ['delivered', 'sending'] }],
        ['time window', { timeFrom: t0 + 2000, timeTo: t0 + 5000 }],
        ['content', { content: 'привет' }],
        ['content_nor', { contentNor: 'HELLO' }],
        ['ready_to_stop', { readyToStop: true }],
        ['not ready_to_stop', { readyToStop: false }],
        ['matches nothing', { matchesNothing: true }],
        ['combined', { channelTypes: ['SMS', 'WHATSAPP'], countryCodes: ['RU'], content: 'hello', timeFrom: t0 }],
      ];
      const names = (kind: 'pg' | 'lite', uuids: string[]) => {
        const byUuid = new Map([...uuidsByName[kind]].map(([name, uuid]) => [uuid, name]));
        return uuids.map((u) => byUuid.get(u) ?? `?${u}`);
      };
      const seen: string[] = [];
      for (const [label, filter, page] of [...cases, ...uuidCases()]) {
        const query = (kind: 'pg' | 'lite'): MessageFilter => ({
          ...base,
          ...filter,
          messageUuids: (filter.messageUuids ?? []).map((n) => uuidsByName[kind].get(n) ?? n),
        });
        const fullPage: MessagePage = { sort: '-created_time', offset: 0, limit: 100, ...page };
        const [accountPg, accountLite] = [(await pg.accounts.byName('lister'))!.id, (await lite.accounts.byName('lister'))!.id];
        const fromPg = await pg.messages.list(accountPg, query('pg'), fullPage, t0 + 60_000);
        const fromLite = await lite.messages.list(accountLite, query('lite'), fullPage, t0 + 60_000);
        assert.deepEqual(
          { total: fromPg.total, names: names('pg', fromPg.messages.map((m) => m.uuid)) },
          { total: fromLite.total, names: names('lite', fromLite.messages.map((m) => m.uuid)) },
          label,
        );
        seen.push(`${label}=${fromPg.total}`);
        // Whole records agree too, but for the uuids.
        assert.deepEqual(
          fromPg.messages.map(({ uuid: _u, accountId: _a, ...rest }) => rest),
          fromLite.messages.map(({ uuid: _u, accountId: _a, ...rest }) => rest),
          `${label}: records`,
        );
      }
      // The fixture is meant to make every filter choose: a filter that matched all or nothing would prove little.
      assert.equal(seen.join(' '), EXPECTED_TOTALS);
    } finally {
      await pg.close();
      await lite.close();
      await db.drop();
    }
  });
});

/** message_uuid cases: names are replaced by each store's uuid; text that is not a UUID stays as it is. */
function uuidCases(): [string, Partial<MessageFilter>][] {
  return [
    ['message_uuid', { messageUuids: ['m2', 'm7', 'in'] }],
    ['message_uuid with junk', { messageUuids: ['m3', 'not-a-uuid'] }],
  ];
}

/** Stands for a node that claimed the message for hand-off. */
async function leaseByHand(url: string, uuid: string, until: number): Promise<void> {
  const sql = connectPostgres(url, { max: 1 });
  try {
    await sql`update messages set lease_owner = 'another-node', lease_until = ${until} where uuid = ${uuid}`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function sqlCount(url: string, accountId: number): Promise<number[]> {
  const sql = connectPostgres(url, { max: 1 });
  try {
    const [row] = await sql<{ n: number }[]>`select count(*) as n from messages where account_id = ${accountId}`;
    return [row!.n];
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** How many of the fixture's messages each list case matches (checked by hand against the fixture). */
const EXPECTED_TOTALS = [
  'all=9 oldest first=9 a page=9 destination=3 status=9 status none=0 channel=4 sender=4 tags=3 traffic type=3',
  'sending method=0 traffic center=1 country=3 inbound=1 both directions=10 time window=3 content=2 content_nor=7',
  'ready_to_stop=9 not ready_to_stop=0 matches nothing=0 combined=2 message_uuid=2 message_uuid with junk=1',
].join(' ');
