/**
 * Fair delivery (issue 10, item 4) with real HTTP on both stores: one tenant's dead receivers do not delay another
 * tenant's callbacks, due retries do not starve new events, a dead host is backed off as a whole and recovers.
 * "Dead" is a real TCP server that accepts connections and never answers (blackHole.ts); each port is one host.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { createCallbackSender, type CallbackSender, type CallbackSenderOptions } from '../../src/callbacks/callbackSender.js';
import { PER_ACCOUNT_CONCURRENCY, PER_HOST_CONCURRENCY, retryCap } from '../../src/callbacks/fairScheduler.js';
import { systemClock } from '../../src/clock.js';
import type { CallbackOutbox } from '../../src/store/callbackOutbox.js';
import { ManualClock } from '../support/manualClock.js';
import { startBlackHole, type BlackHole } from './blackHole.js';
import { outboxBackends, type OutboxBackend } from './outboxBackends.js';
import { startReceiver, type Answer } from './support.js';

const DEAD_URLS = 256;
const PORTS = 4;

/** Run in this order after each test: dead hosts first (their requests then fail at once), then senders, then the rest. */
let holes: BlackHole[] = [];
let senders: CallbackSender[] = [];
let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const hole of holes.splice(0)) await hole.close();
  for (const sender of senders.splice(0)) await sender.stop();
  for (const close of closers.splice(0).reverse()) await close();
});

async function open(factory: { open(): Promise<OutboxBackend> }): Promise<OutboxBackend> {
  const backend = await factory.open();
  closers.push(() => backend.close());
  return backend;
}

async function receiver(answer?: Answer) {
  const started = await startReceiver(answer);
  closers.push(() => started.close());
  return started;
}

function sender(outbox: CallbackOutbox, options: Partial<CallbackSenderOptions> = {}): CallbackSender {
  const created = createCallbackSender({ outbox, clock: systemClock, allowPrivateTargets: true, userAgent: 'direct-gateway/test', batchWaitMs: 200, ...options });
  senders.push(created);
  return created;
}

async function waitFor(what: string, ready: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(10);
  }
}

/** b's dead URLs: distinct paths spread over `PORTS` black holes. */
async function deadUrls(): Promise<string[]> {
  holes = await Promise.all(Array.from({ length: PORTS }, () => startBlackHole()));
  return Array.from({ length: DEAD_URLS }, (_, i) => `http://127.0.0.1:${holes[i % PORTS]!.port}/dead/${i}`);
}
const accepted = () => holes.reduce((sum, hole) => sum + hole.accepted, 0);
const openNow = () => holes.reduce((sum, hole) => sum + hole.open(), 0);

/** Puts a's one event in the outbox once b holds its slots, and measures how long until a's receiver has it. */
async function aWaits(backend: OutboxBackend, account: number, origin: string, arrivals: number[]): Promise<number> {
  const sent = Date.now();
  await backend.addEvents(account, [`${origin}/a`], sent);
  await waitFor("a's callback", () => arrivals.length > 0, 15_000);
  return arrivals[0]! - sent;
}

for (const factory of outboxBackends()) {
  describe(`fair callback delivery on ${factory.name}`, () => {
    test(`b's ${DEAD_URLS} dead URLs on ${PORTS} ports (10 s timeout each) delay a's callback by less than 2 s`, async (t) => {
      const backend = await open(factory);
      const arrivals: number[] = [];
      const aReceiver = await receiver(() => (arrivals.push(Date.now()), 200));
      const a = await backend.addAccount('a');
      const b = await backend.addAccount('b');
      await backend.addEvents(b, await deadUrls(), Date.now());
      sender(backend.outbox).start(); // the production defaults: 10 s timeout, 200 ms batch wait, default caps
      await waitFor('b to fill its slots', () => openNow() >= 64, 10_000);
      await delay(300);

      const waited = await aWaits(backend, a, aReceiver.origin, arrivals);
      t.diagnostic(`a's callback arrived after ${waited} ms; b holds ${openNow()} connections`);
      assert.ok(waited < 2_000, `a's callback arrived after ${waited} ms (target: < 2000 ms)`);
      assert.ok(openNow() <= PER_ACCOUNT_CONCURRENCY, `b holds ${openNow()} connections, at most its ${PER_ACCOUNT_CONCURRENCY}`);
      for (const hole of holes) assert.ok(hole.open() <= PER_HOST_CONCURRENCY, `port ${hole.port} holds ${hole.open()}`);
    });

    if (factory.name === 'PostgreSQL') {
      test(`two nodes: b's ${DEAD_URLS} dead URLs delay a's callback by less than 2 s; the caps are per node`, async (t) => {
        const backend = await open(factory);
        const arrivals: number[] = [];
        const aReceiver = await receiver(() => (arrivals.push(Date.now()), 200));
        const a = await backend.addAccount('a');
        const b = await backend.addAccount('b');
        await backend.addEvents(b, await deadUrls(), Date.now());
        sender(backend.node()).start();
        sender(backend.node()).start();
        await waitFor('b to fill its slots', () => openNow() >= 128, 10_000);
        await delay(300);

        const waited = await aWaits(backend, a, aReceiver.origin, arrivals);
        t.diagnostic(`a's callback arrived after ${waited} ms; b holds ${openNow()} connections on two nodes`);
        assert.ok(waited < 2_000, `a's callback arrived after ${waited} ms (target: < 2000 ms)`);
        assert.ok(openNow() <= 2 * PER_ACCOUNT_CONCURRENCY, `b holds ${openNow()} connections, at most its ${PER_ACCOUNT_CONCURRENCY} per node`);
        assert.equal(new Set((await backend.deliveries()).map((d) => d.id)).size, DEAD_URLS + 1);
      });
    }

    test(`b's dead hosts are backed off as a whole: after the first timeouts no more connections, the rest deferred without an attempt`, async () => {
      const backend = await open(factory);
      const b = await backend.addAccount('b');
      const started = Date.now();
      await backend.addEvents(b, await deadUrls(), started);
      const perHost = 8;
      sender(backend.outbox, { timeoutMs: 300, batchWaitMs: 0, perHostConcurrency: perHost }).start();
      // Settled: every delivery either tried (and its failure recorded) or deferred.
      const settled = async () => {
        const now = Date.now();
        const rows = await backend.deliveries();
        return rows.every((d) => d.attempts === 1 || d.next_attempt_at > now) && rows.some((d) => d.attempts === 0);
      };
      await waitFor('every host to be marked down', settled, 15_000);

      assert.ok(accepted() <= PORTS * perHost, `${accepted()} connections: only the first ${perHost} per host, none once it is down`);
      const rows = await backend.deliveries();
      const tried = rows.filter((d) => d.attempts === 1);
      const waiting = rows.filter((d) => d.attempts === 0);
      assert.equal(tried.length + waiting.length, DEAD_URLS);
      assert.ok(tried.length <= PORTS * perHost);
      for (const row of waiting) {
        // Deferred to the end of the host's first interval (5 s after its first timeout), its 24 h started.
        assert.ok(row.next_attempt_at >= started + 5_000 + 300 && row.next_attempt_at <= Date.now() + 5_000, `next attempt ${row.next_attempt_at - started} ms after the start`);
        assert.ok(row.first_attempt_at !== null && row.first_attempt_at >= started && row.first_attempt_at <= Date.now());
      }
      await delay(500);
      assert.ok(accepted() <= PORTS * perHost, 'still none while the hosts are down');
    });

    test('due retries do not starve a new event: it gets a slot kept for first attempts on the same busy host', async (t) => {
      const backend = await open(factory);
      const arrivals: number[] = [];
      const slow = await receiver((_, request) => {
        if (request.url === '/a') return arrivals.push(Date.now()), 200; // the new event (aWaits)
        return { status: 500, afterMs: 4_000 }; // answers, so the host is not backed off, but holds the slot
      });
      const r = await backend.addAccount('r');
      const now = Date.now();
      await backend.addEvents(r, Array.from({ length: 200 }, (_, i) => `${slow.origin}/retry/${i}`), now);
      await backend.outbox.formDeliveries(now, { maxEvents: 100, fillWaitMs: 0 });
      await backend.makeRetries((await backend.deliveries()).map((d) => d.id), 1, now - 5_000, now);
      sender(backend.outbox).start();
      await waitFor('the retries to hold their slots', () => slow.requests.length >= 40, 10_000);
      await delay(300);

      const retriesHeld = slow.requests.length;
      const waited = await aWaits(backend, r, slow.origin, arrivals).catch(() => Infinity);
      t.diagnostic(`the new event arrived after ${waited} ms with ${retriesHeld} retries in flight`);
      assert.ok(waited < 2_000, `the new event arrived after ${waited} ms (target: < 2000 ms, retries answer after 4 s)`);
      assert.ok(retriesHeld <= retryCap(PER_HOST_CONCURRENCY), `${retriesHeld} retries in flight to the host, at most ${retryCap(PER_HOST_CONCURRENCY)}`);
    });

    test('a backed-off host: deferred without attempts, probed once per interval, cleared by the first answer; schedules kept', async () => {
      const backend = await open(factory);
      let mode: 'hang' | 200 = 'hang';
      const host = await receiver(() => mode);
      const clock = new ManualClock();
      const T = clock.now();
      const tick = createCallbackSender({
        outbox: backend.outbox,
        clock,
        allowPrivateTargets: true,
        userAgent: 'direct-gateway/test',
        timeoutMs: 300,
        batchWaitMs: 0,
        random: () => 0.5, // the schedule's exact delays
      });
      senders.push(tick);
      const a = await backend.addAccount('a');
      const rows = async () => new Map((await backend.deliveries()).map((d) => [d.url.slice(host.origin.length), d]));
      const state = async (path: string) => {
        const row = (await rows()).get(path)!;
        return [row.attempts, row.next_attempt_at - T];
      };

      await backend.addEvents(a, ['/1', '/2', '/3'].map((p) => host.origin + p), T);
      assert.equal(await tick.tick(), 3, 'three attempts; all time out: the host is down for 5 s');
      assert.deepEqual(await state('/1'), [1, 5_000], 'its own retry in 5 s (spec §11.1)');

      clock.set(T + 1_000);
      await backend.addEvents(a, ['/4', '/5'].map((p) => host.origin + p), T + 1_000);
      assert.equal(await tick.tick(), 0, 'new events for a down host are deferred, not sent');
      assert.equal(host.requests.length, 3);
      for (const path of ['/4', '/5']) {
        const row = (await rows()).get(path)!;
        assert.deepEqual([row.attempts, row.next_attempt_at - T, row.first_attempt_at! - T], [0, 5_000, 1_000]);
      }

      clock.set(T + 5_000);
      assert.equal(await tick.tick(), 1, 'the interval is over: one probe, the others wait for it');
      const probe = host.requests[3]!.url;
      const other = probe === '/4' ? '/5' : '/4';
      assert.ok(probe === '/4' || probe === '/5', 'the probe is a first attempt');
      assert.deepEqual(await state(probe), [1, 10_000], 'the probe timed out: its own retry in 5 s; the host is down 10 s more');
      for (const path of ['/1', '/2', '/3']) assert.deepEqual(await state(path), [1, 5_300]);
      assert.deepEqual(await state(other), [0, 5_300]);

      clock.set(T + 5_300);
      assert.equal(await tick.tick(), 0);
      clock.set(T + 10_000);
      assert.equal(await tick.tick(), 0);
      assert.equal(host.requests.length, 4, 'nothing sent while the host is down');
      for (const path of ['/1', '/2', '/3', '/4', '/5']) assert.equal((await state(path))[1], 15_000);

      mode = 200;
      clock.set(T + 15_000);
      assert.equal(await tick.tick(), 1, 'one probe again; it is answered and clears the host');
      assert.equal(host.requests[4]!.url, other);
      clock.set(T + 15_300);
      assert.equal(await tick.tick(), 4, 'the host is up: everything else goes');
      const done = await rows();
      assert.ok([...done.values()].every((d) => d.state === 'delivered'));
      assert.deepEqual(
        ['/1', '/2', '/3', '/4', '/5'].map((p) => [p, done.get(p)!.attempts]),
        [['/1', 2], ['/2', 2], ['/3', 2], [probe, 2], [other, 1]].sort(),
        'deferrals are not attempts',
      );
      assert.equal(done.get(other)!.first_attempt_at, T + 1_000, 'its 24 h counts from when it was first held back');
    });
  });
}
