import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callbackHostOf } from '../../src/callbacks/callbackHost.js';
import { dueLook, fairRound, FlightCounts, FORM_INTERVAL_MS, retryCap, type FairnessLimits } from '../../src/callbacks/fairScheduler.js';
import type { HostState } from '../../src/callbacks/hostBackoff.js';
import { RETRY_WINDOW_MS } from '../../src/callbacks/retrySchedule.js';
import type { DueDelivery } from '../../src/store/callbackOutbox.js';

const NOW = Date.parse('2026-05-01T10:00:00Z');
const LIMITS: FairnessLimits = { concurrency: 8, perHost: 4, perAccount: 6 };

let n = 0;
function due(accountId: number, url: string, attempts = 0, firstAttemptAt: number | null = attempts > 0 ? NOW - 5_000 : null): DueDelivery {
  n += 1;
  return { id: `d${n}`, accountId, url, attempts, firstAttemptAt, nextAttemptAt: NOW };
}
const many = (count: number, make: (i: number) => DueDelivery) => Array.from({ length: count }, (_, i) => make(i));

interface RoundOptions {
  limits?: FairnessLimits;
  inFlight?: FlightCounts;
  hosts?: Record<string, HostState>;
  probeWaitMs?: number;
  formedAt?: number | null;
}

function round(options: RoundOptions = {}) {
  return fairRound({
    now: NOW,
    limits: options.limits ?? LIMITS,
    inFlight: options.inFlight ?? new FlightCounts(),
    hostState: (host) => options.hosts?.[host] ?? { kind: 'up' },
    probeWaitMs: options.probeWaitMs ?? 10_000,
    formedAt: options.formedAt ?? null,
  });
}

test('the host is the origin: scheme, host name and port (default ports filled in), never credentials or path', () => {
  assert.equal(callbackHostOf('http://127.0.0.1:9001/a?x=1'), 'http://127.0.0.1:9001');
  assert.equal(callbackHostOf('http://user:pass@127.0.0.1:9001/b'), 'http://127.0.0.1:9001');
  assert.notEqual(callbackHostOf('http://127.0.0.1:9001/a'), callbackHostOf('http://127.0.0.1:9002/a'));
  assert.equal(callbackHostOf('https://Example.COM/cb'), 'https://example.com:443');
  assert.equal(callbackHostOf('http://example.com/cb'), 'http://example.com:80');
  assert.notEqual(callbackHostOf('http://example.com/cb'), callbackHostOf('https://example.com/cb'));
  assert.equal(callbackHostOf('http://[::1]:8080/x'), 'http://[::1]:8080');
  assert.match(callbackHostOf('not a url'), /^invalid:/);
});

test('caps: at most perHost to one host, perAccount for one account, concurrency in all', () => {
  const h1 = 'http://127.0.0.1:1';
  const h2 = 'http://127.0.0.1:2';
  const h3 = 'http://127.0.0.1:3';
  // Account 1: 10 for host 1 and 10 for host 2; account 2: 10 for host 3.
  const list = [...many(10, () => due(1, `${h1}/x`)), ...many(10, () => due(1, `${h2}/x`)), ...many(10, () => due(2, `${h3}/x`))];
  const choice = round().choose(list);
  const chosen = list.filter((d) => choice.claim.includes(d.id));
  const count = (pick: (d: DueDelivery) => boolean) => chosen.filter(pick).length;
  assert.equal(chosen.length, 8, 'concurrency');
  assert.ok(count((d) => d.url.startsWith(h1)) <= 4 && count((d) => d.url.startsWith(h2)) <= 4, 'perHost');
  assert.equal(count((d) => d.accountId === 1), 6, 'perAccount: account 1 is held to 6 …');
  assert.equal(count((d) => d.accountId === 2), 2, '… and account 2 gets the rest');
  assert.deepEqual(choice.defer, []);
  assert.equal(choice.slotsLeft, 0);
});

test('caps count what is already in flight', () => {
  const inFlight = new FlightCounts();
  for (let i = 0; i < 4; i++) inFlight.add('http://127.0.0.1:1', 1, false);
  const list = [...many(3, () => due(1, 'http://127.0.0.1:1/a')), ...many(5, () => due(1, 'http://127.0.0.1:2/a'))];
  const choice = round({ inFlight }).choose(list);
  assert.equal(choice.claim.length, 2, 'host 1 is full; account 1 has 2 of its 6 left');
  assert.ok(choice.claim.every((id) => list.find((d) => d.id === id)!.url.includes(':2/')));
  assert.equal(choice.slotsLeft, 2);
});

test('first attempts before retries, and a quarter of every cap is kept for them', () => {
  const limits: FairnessLimits = { concurrency: 8, perHost: 8, perAccount: 8 };
  assert.equal(retryCap(8), 6);
  assert.equal(retryCap(1), 1, 'a cap of one still lets a retry through');
  const retries = many(20, () => due(1, 'http://127.0.0.1:1/r', 1));
  const fresh = due(1, 'http://127.0.0.1:1/new');
  // The retries come first in the list (older), yet the new event is chosen, and retries take only 6 of 8 slots.
  const first = round({ limits }).choose([...retries, fresh]);
  assert.equal(first.claim[0], fresh.id);
  assert.equal(first.claim.length, 7);
  assert.equal(first.slotsLeft, 1, 'one slot stays free for the next first attempt');
  // With 6 retries in flight, none more; a first attempt still fits.
  const inFlight = new FlightCounts();
  for (let i = 0; i < 6; i++) inFlight.add('http://127.0.0.1:1', 1, true);
  const later = round({ limits, inFlight }).choose([...retries.slice(6), due(1, 'http://127.0.0.1:1/new2')]);
  assert.equal(later.claim.length, 1);
  assert.equal(later.slotsLeft, 1);
});

test('a host that is down uses no slot: its due deliveries are deferred to the end of its interval', () => {
  const down = 'http://127.0.0.1:1';
  const list = [...many(30, () => due(1, `${down}/x`)), ...many(3, () => due(1, `${down}/y`, 2)), due(2, 'http://127.0.0.1:2/ok')];
  const choice = round({ hosts: { [down]: { kind: 'down', until: NOW + 5_000 } } }).choose(list);
  assert.deepEqual(choice.claim, [list.at(-1)!.id]);
  assert.equal(choice.defer.length, 33);
  assert.ok(choice.defer.every((d) => d.until === NOW + 5_000));
  assert.equal(choice.slotsLeft, 7);
});

test('a deferral never carries a delivery past its 24 h; at the end it is attempted (and dropped if that fails)', () => {
  const down = 'http://127.0.0.1:1';
  const hosts: Record<string, HostState> = { [down]: { kind: 'down', until: NOW + 300_000 } };
  const nearEnd = due(1, `${down}/x`, 20, NOW - RETRY_WINDOW_MS + 60_000);
  const atEnd = due(1, `${down}/y`, 21, NOW - RETRY_WINDOW_MS);
  const neverTried = due(1, `${down}/z`, 0, null);
  const choice = round({ hosts }).choose([nearEnd, atEnd, neverTried]);
  assert.deepEqual(choice.claim, [atEnd.id], 'its life ends now: one last attempt, host down or not');
  assert.deepEqual(choice.defer, [
    { id: neverTried.id, until: NOW + 300_000 },
    { id: nearEnd.id, until: NOW + 60_000 },
  ]);
});

test('a host whose interval is over gets one probe; its other deliveries wait for the probe, then follow it', () => {
  const host = 'http://127.0.0.1:1';
  const hosts: Record<string, HostState> = { [host]: { kind: 'probing' } };
  const list = [...many(3, () => due(1, `${host}/r`, 1)), ...many(3, () => due(1, `${host}/n`))];
  const chooser = round({ hosts, probeWaitMs: 300 });
  const choice = chooser.choose(list);
  assert.deepEqual(choice.claim, [list[3]!.id], 'one probe, the oldest first attempt');
  assert.deepEqual(choice.defer.map((d) => d.until), new Array<number>(5).fill(NOW + 300));
  // The same round, after forming: still only the one probe.
  assert.deepEqual(chooser.choose([due(1, `${host}/later`)]).claim, []);
  // A probe already in flight (a request started before the mark counts too): nothing more goes.
  const inFlight = new FlightCounts();
  inFlight.add(host, 1, true);
  assert.deepEqual(round({ hosts, inFlight }).choose([due(1, `${host}/n`)]).claim, []);
});

test('a second look in the same round adds to the first choice; counts are not changed outside the round', () => {
  const inFlight = new FlightCounts();
  const chooser = round({ inFlight });
  const first = chooser.choose(many(4, () => due(1, 'http://127.0.0.1:1/a')));
  assert.equal(first.claim.length, 4);
  const second = chooser.choose(many(4, () => due(1, 'http://127.0.0.1:1/b')));
  assert.equal(second.claim.length, 0, 'host 1 is full with the first four');
  assert.equal(second.slotsLeft, 4);
  assert.equal(inFlight.total, 0);
});

test('FlightCounts: in all, per host, per account, retries apart; back to nothing', () => {
  const counts = new FlightCounts();
  counts.add('h1', 1, false);
  counts.add('h1', 2, true);
  counts.add('h2', 1, true);
  assert.deepEqual([counts.total, counts.retries], [3, 2]);
  assert.deepEqual(counts.host('h1'), { all: 2, retries: 1 });
  assert.deepEqual(counts.account(1), { all: 2, retries: 1 });
  counts.remove('h1', 1, false);
  counts.remove('h1', 2, true);
  counts.remove('h2', 1, true);
  assert.deepEqual([counts.total, counts.retries, counts.host('h1'), counts.account(1)], [0, 0, { all: 0, retries: 0 }, { all: 0, retries: 0 }]);
});

test('forming: once a round while slots are free; with more due than one look shows, at most every FORM_INTERVAL_MS', () => {
  const few = many(3, () => due(1, 'http://127.0.0.1:1/a'));
  const sawAll = round({ formedAt: NOW });
  assert.equal(sawAll.choose(few).form, true, 'everything due was seen and slots are free: only forming can fill them');
  assert.equal(sawAll.formAsked, true);
  assert.equal(sawAll.choose([]).form, false, 'once a round');
  const full = round({ limits: { concurrency: 8, perHost: 1, perAccount: 8 } });
  const backlog = many(full.look.total, () => due(1, 'http://127.0.0.1:1/a'));
  assert.equal(full.choose(backlog).form, true, 'never formed yet');
  const recent = round({ limits: { concurrency: 8, perHost: 1, perAccount: 8 }, formedAt: NOW - FORM_INTERVAL_MS + 1 });
  assert.equal(recent.choose(backlog).form, false, 'a backlog larger than the look, formed a moment ago');
  assert.equal(recent.formAsked, false);
  const due100 = round({ limits: { concurrency: 8, perHost: 1, perAccount: 8 }, formedAt: NOW - FORM_INTERVAL_MS });
  assert.equal(due100.choose(backlog).form, true, 'but again after the interval, so that a new event is never held back long');
  const busy = many(8, (i) => due(i + 1, `http://127.0.0.1:${i + 10}/a`));
  assert.equal(round().choose(busy).form, false, 'no slot left');
});

test('the look grows with the free slots', () => {
  assert.deepEqual(dueLook(0), { perAccount: 32, total: 32 });
  assert.deepEqual(dueLook(128), { perAccount: 288, total: 288 });
});
