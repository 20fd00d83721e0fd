import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextAttemptAt, RETRY_WINDOW_MS, retryDelayMs } from '../../src/callbacks/retrySchedule.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const noJitter = () => 0.5;

test('delays are 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then every hour', () => {
  const delays = [1, 2, 3, 4, 5, 6, 7, 8, 20, 100].map((n) => retryDelayMs(n, noJitter));
  assert.deepEqual(delays, [5 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR, HOUR, HOUR, HOUR, HOUR]);
});

test('jitter stays within ±10 %', () => {
  assert.equal(retryDelayMs(1, () => 0), 4_500);
  assert.equal(retryDelayMs(1, () => 0.999999), 5_500);
  assert.equal(retryDelayMs(6, () => 0), 0.9 * HOUR);
  for (let i = 0; i < 1000; i++) {
    const delay = retryDelayMs(2, Math.random);
    assert.ok(delay >= 27_000 && delay <= 33_000, `${delay}`);
  }
});

test('jitter actually varies the delay', () => {
  const seen = new Set(Array.from({ length: 50 }, () => retryDelayMs(6)));
  assert.ok(seen.size > 1);
});

test('a retry is scheduled after the failure time', () => {
  assert.equal(nextAttemptAt(1, 1_000, 2_000, noJitter), 7_000);
});

test('no retry after 24 h from the first attempt: the delivery is dropped', () => {
  const first = 1_000_000;
  // A retry landing exactly at the 24 h mark is still made; a millisecond later it is not.
  assert.equal(nextAttemptAt(10, first, first + RETRY_WINDOW_MS - HOUR, noJitter), first + RETRY_WINDOW_MS);
  assert.equal(nextAttemptAt(10, first, first + RETRY_WINDOW_MS - HOUR + 1, noJitter), null);
  assert.equal(nextAttemptAt(1, first, first + RETRY_WINDOW_MS, noJitter), null);
});

test('with no jitter the whole schedule has 29 attempts within 24 h', () => {
  const first = 0;
  let at = first;
  let attempts = 1;
  for (let next = nextAttemptAt(attempts, first, at, noJitter); next !== null; next = nextAttemptAt(attempts, first, at, noJitter)) {
    at = next;
    attempts += 1;
  }
  assert.equal(attempts, 29);
  assert.equal(at, 23 * HOUR + 42 * MINUTE + 35 * SECOND);
});
