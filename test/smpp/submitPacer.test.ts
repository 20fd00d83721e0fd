/** Pacing of submit_sm per bind: the token bucket and the slow-down on throttling. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SubmitPacer, THROTTLE_BACKOFF_MAX_MS, THROTTLE_BACKOFF_MIN_MS } from '../../src/smpp/submitPacer.js';

test('pacer: a token bucket at the configured rate with a burst of 0.1 s', () => {
  const pacer = new SubmitPacer(100, 10);
  let sent = 0;
  for (let now = 0; now < 1000; now++) {
    while (pacer.waitMs(now) === 0) {
      pacer.take();
      sent++;
    }
  }
  assert.ok(sent >= 100 && sent <= 111, `${sent} in one second at 100/s`);
});

test('pacer: throttling pauses with a doubling backoff, halves window and rate once per episode, and they grow back', () => {
  const pacer = new SubmitPacer(0, 100);
  assert.equal(pacer.throttled(0), THROTTLE_BACKOFF_MIN_MS);
  assert.equal(pacer.window, 50);
  assert.equal(pacer.throttled(10), THROTTLE_BACKOFF_MIN_MS - 10, 'responses of the same burst: no second halving');
  assert.equal(pacer.window, 50);
  assert.equal(pacer.waitMs(20), 30);
  assert.equal(pacer.throttled(60), THROTTLE_BACKOFF_MIN_MS * 2);
  assert.equal(pacer.window, 25);
  for (let i = 0; i < 20; i++) pacer.accepted();
  assert.equal(pacer.window, 35);
  assert.equal(pacer.throttled(1_000), THROTTLE_BACKOFF_MIN_MS, 'an accepted submit resets the backoff');
  let backoff = 0;
  for (let at = 2_000; at < 60_000; at += 3_000) backoff = pacer.throttled(at);
  assert.equal(backoff, THROTTLE_BACKOFF_MAX_MS);
  assert.equal(pacer.window, 1);

  const rated = new SubmitPacer(200, 100);
  rated.throttled(0);
  assert.equal(rated.currentRate, 100);
  rated.waitMs(1_100);
  assert.equal(rated.currentRate, 150);
  rated.waitMs(2_200);
  assert.equal(rated.currentRate, 200);
});
