/**
 * The store side of fair scheduling, on SQLite and PostgreSQL: what `dueDeliveries` shows and in which order,
 * `claimChosen` and `defer` with their guards, and `exchange` driven by a chooser.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DeliveryChooser, DueDelivery } from '../../src/store/callbackOutbox.js';
import { outboxBackends, type OutboxBackend } from './outboxBackends.js';

const FORM = { maxEvents: 100, fillWaitMs: 0 };
const LEASE = 30_000;
let T = Date.parse('2026-05-01T10:00:00Z');

for (const factory of outboxBackends()) {
  describe(`fair scheduling in the ${factory.name} outbox`, () => {
    let backend: OutboxBackend;
    before(async () => {
      backend = await factory.open();
    });
    after(async () => {
      await backend.close();
    });

    /** Each test in its own later window: what earlier tests left is never due in it... unless it is still pending. */
    const window = () => (T += 100 * 24 * 3_600_000);
    /** Settles whatever is still pending from earlier tests, so each test sees only its own deliveries. */
    async function settle(now: number) {
      for (;;) {
        const left = await backend.outbox.claimDue(now, LEASE, 1000);
        if (left.length === 0) return;
        await backend.outbox.recordAttempts(
          left.map((d) => ({
            leaseUntil: d.leaseUntil,
            at: now,
            nextAttemptAt: null,
            detail: { webhookId: d.id, url: d.url, attempt: d.attempts + 1, httpStatus: 200, error: null, latencyMs: 1, outcome: 'delivered' as const },
          })),
        );
      }
    }
    const byUrl = async () => new Map((await backend.deliveries()).map((row) => [row.url, row]));

    test('dueDeliveries: first attempts before retries, the accounts in turn, at most perAccount and total', async () => {
      const now = window();
      await settle(now + 10 * LEASE);
      const a = await backend.addAccount('a');
      const b = await backend.addAccount('b');
      await backend.addEvents(a, ['http://a.example/1', 'http://a.example/2', 'http://a.example/3', 'http://a.example/r1', 'http://a.example/r2'], now);
      await backend.addEvents(b, ['http://b.example/1', 'http://b.example/2', 'http://b.example/3', 'http://b.example/4', 'http://b.example/5'], now);
      assert.equal(await backend.outbox.formDeliveries(now, FORM), 10);
      const rows = await byUrl();
      await backend.makeRetries([rows.get('http://a.example/r1')!.id, rows.get('http://a.example/r2')!.id], 1, now - 5_000, now - 1);

      const urls = (list: DueDelivery[]) => list.map((d) => d.url.replace(/^http:\/\/|\.example/g, ''));
      assert.deepEqual(urls(await backend.outbox.dueDeliveries(now, { perAccount: 100, total: 100 })), [
        'a/1', 'b/1', 'a/2', 'b/2', 'a/3', 'b/3', 'b/4', 'b/5', 'a/r1', 'a/r2',
      ]);
      assert.deepEqual(urls(await backend.outbox.dueDeliveries(now, { perAccount: 2, total: 100 })), ['a/1', 'b/1', 'a/2', 'b/2']);
      assert.deepEqual(urls(await backend.outbox.dueDeliveries(now, { perAccount: 100, total: 3 })), ['a/1', 'b/1', 'a/2']);
      const retry = (await backend.outbox.dueDeliveries(now, { perAccount: 100, total: 100 })).at(-1)!;
      assert.deepEqual({ ...retry, id: '' }, { id: '', accountId: a, url: 'http://a.example/r2', attempts: 1, firstAttemptAt: now - 5_000, nextAttemptAt: now - 1 });
      assert.deepEqual(await backend.outbox.dueDeliveries(now - 2, { perAccount: 100, total: 100 }), [], 'nothing is due before its time');

      // Leased deliveries are not shown; the account's next one takes its turn.
      await backend.outbox.claimChosen([rows.get('http://a.example/1')!.id], now, LEASE);
      assert.deepEqual(urls(await backend.outbox.dueDeliveries(now, { perAccount: 100, total: 4 })), ['a/2', 'b/1', 'a/3', 'b/2']);
      await settle(now + 10 * LEASE);
    });

    test('claimChosen leases the chosen ids in their order, only while they are due and unleased', async () => {
      const now = window();
      await settle(now + 10 * LEASE);
      const a = await backend.addAccount('a');
      await backend.addEvents(a, ['http://c.example/1', 'http://c.example/2', 'http://c.example/3'], now);
      await backend.outbox.formDeliveries(now, FORM);
      const rows = await byUrl();
      const [one, two, three] = ['1', '2', '3'].map((n) => rows.get(`http://c.example/${n}`)!.id) as [string, string, string];
      await backend.makeRetries([three], 1, now - 5_000, now + 5_000);

      const claimed = await backend.outbox.claimChosen([two, 'no-such-id', three, one], now, LEASE);
      assert.deepEqual(claimed.map((d) => d.id), [two, one], 'three is not due yet; unknown ids are skipped');
      assert.deepEqual([claimed[0]!.attempts, claimed[0]!.leaseUntil, claimed[0]!.accountId, JSON.parse(claimed[0]!.body).length], [0, now + LEASE, a, 1]);
      assert.deepEqual(await backend.outbox.claimChosen([one, two], now + 1, LEASE), [], 'held under their leases');
      assert.deepEqual((await backend.outbox.claimChosen([one], now + LEASE, LEASE)).map((d) => d.id), [one], 'free again when the lease ends');
      await settle(now + 10 * LEASE);
    });

    test('defer moves due, unleased deliveries without an attempt; a never-tried one starts its 24 h then', async () => {
      const now = window();
      await settle(now + 10 * LEASE);
      const a = await backend.addAccount('a');
      await backend.addEvents(a, ['http://d.example/new', 'http://d.example/retry', 'http://d.example/leased'], now);
      await backend.outbox.formDeliveries(now, FORM);
      let rows = await byUrl();
      const [fresh, retry, leased] = ['new', 'retry', 'leased'].map((n) => rows.get(`http://d.example/${n}`)!.id) as [string, string, string];
      await backend.makeRetries([retry], 3, now - 60_000, now);
      await backend.outbox.claimChosen([leased], now, LEASE);

      const moved = await backend.outbox.defer(
        [
          { id: fresh, until: now + 5_000 },
          { id: retry, until: now + 7_000 },
          { id: leased, until: now + 9_000 },
        ],
        now + 10,
      );
      assert.equal(moved, 2, 'the leased one is its holder\'s');
      rows = await byUrl();
      const view = (url: string) => {
        const row = rows.get(url)!;
        return [row.attempts, row.state, row.next_attempt_at, row.first_attempt_at];
      };
      assert.deepEqual(view('http://d.example/new'), [0, 'pending', now + 5_000, now + 10]);
      assert.deepEqual(view('http://d.example/retry'), [3, 'pending', now + 7_000, now - 60_000], 'its schedule and its 24 h are kept');
      assert.deepEqual(view('http://d.example/leased'), [0, 'pending', now, null]);
      assert.deepEqual(await backend.outbox.dueDeliveries(now + 4_999, { perAccount: 10, total: 10 }), []);
      assert.deepEqual((await backend.outbox.dueDeliveries(now + 5_000, { perAccount: 10, total: 10 })).map((d) => d.id), [fresh]);
      assert.equal(await backend.outbox.defer([{ id: retry, until: now + 20_000 }], now + 10), 0, 'not due: not moved');
      await settle(now + 10 * LEASE);
    });

    test('exchange with a chooser: defers and claims what it says, forms new deliveries while slots are left and asks again', async () => {
      const now = window();
      await settle(now + 10 * LEASE);
      const a = await backend.addAccount('a');
      await backend.addEvents(a, ['http://e.example/claim', 'http://e.example/defer'], now);
      await backend.outbox.formDeliveries(now, FORM);
      await backend.addEvents(a, ['http://e.example/later'], now); // formed by the exchange
      const seen: string[][] = [];
      const chooser: DeliveryChooser = {
        look: { perAccount: 10, total: 10 },
        choose(due) {
          seen.push(due.map((d) => d.url));
          return {
            claim: due.filter((d) => !d.url.endsWith('/defer')).map((d) => d.id),
            defer: due.filter((d) => d.url.endsWith('/defer')).map((d) => ({ id: d.id, until: now + 5_000 })),
            slotsLeft: 5 - due.length,
            form: seen.length === 1,
          };
        },
      };
      const claimed = await backend.outbox.exchange([], now, { leaseMs: LEASE, limit: 5, form: FORM, choose: chooser });
      assert.deepEqual(seen, [['http://e.example/claim', 'http://e.example/defer'], ['http://e.example/later']]);
      assert.deepEqual(claimed.map((d) => d.url), ['http://e.example/claim', 'http://e.example/later']);
      assert.equal((await byUrl()).get('http://e.example/defer')!.next_attempt_at, now + 5_000);
      await settle(now + 10 * LEASE);
    });

    if (factory.name === 'PostgreSQL') {
      test('two nodes choosing the same deliveries at once: each is leased by one of them', async () => {
        const now = window();
        await settle(now + 10 * LEASE);
        const a = await backend.addAccount('a');
        await backend.addEvents(a, Array.from({ length: 50 }, (_, i) => `http://f.example/${i}`), now);
        await backend.outbox.formDeliveries(now, FORM);
        const nodes = [backend.node(), backend.node()];
        const due = await nodes[0]!.dueDeliveries(now, { perAccount: 100, total: 100 });
        assert.equal(due.length, 50);
        const ids = due.map((d) => d.id);
        const [one, two] = await Promise.all(nodes.map((node) => node.claimChosen(ids, now, LEASE)));
        const all = [...one!, ...two!].map((d) => d.id);
        assert.equal(all.length, 50);
        assert.equal(new Set(all).size, 50);
        await settle(now + 10 * LEASE);
      });
    }
  });
}
