import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_LIFETIME_SECONDS,
  nextSendMoment,
  scheduleZone,
  sendPlan,
  zonedWallClockToUtc,
  type ScheduleFields,
  type SendPlan,
} from '../../src/domain/schedule.js';

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const utc = (iso: string) => Date.parse(`${iso}Z`);
const MOSCOW = 'Europe/Moscow'; // UTC+3 all year: local = UTC + 3 h
/** Epoch ms of a Moscow wall clock. */
const msk = (iso: string) => utc(iso) - 3 * HOUR;

const unscheduled: ScheduleFields = {
  useLocalTime: null,
  localSendTime: null,
  localCompletionTime: null,
  hours: null,
  days: null,
  ttl: null,
};
/** A plan that never gets in the way, for tests of the window alone. */
const open: SendPlan = { sendAfter: null, completeBy: null, expiresAt: Number.MAX_SAFE_INTEGER };

// ---- zone ----

test('useLocalTime false reads the schedule in Moscow time', () => {
  assert.equal(scheduleZone({ useLocalTime: false }, '14155551234', 'US'), 'Europe/Moscow');
});

test('useLocalTime true or absent reads the schedule in the subscriber zone', () => {
  assert.equal(scheduleZone({ useLocalTime: true }, '14155551234', 'US'), 'America/Los_Angeles');
  assert.equal(scheduleZone({ useLocalTime: null }, '12125551234', 'US'), 'America/New_York');
  assert.equal(scheduleZone({ useLocalTime: null }, '999123456789', null), 'Europe/Moscow');
});

// ---- wall clock → UTC ----

test('a wall clock is read in the zone', () => {
  assert.equal(zonedWallClockToUtc('2026-03-10 12:00:00', MOSCOW), utc('2026-03-10T09:00:00'));
  assert.equal(zonedWallClockToUtc('2026-01-15 09:00:00', 'America/New_York'), utc('2026-01-15T14:00:00'));
  assert.equal(zonedWallClockToUtc('2026-07-15 09:00:00', 'America/New_York'), utc('2026-07-15T13:00:00'));
});

test('30- and 45-minute offsets', () => {
  assert.equal(zonedWallClockToUtc('2026-03-10 09:00:00', 'Asia/Kolkata'), utc('2026-03-10T03:30:00'));
  assert.equal(zonedWallClockToUtc('2026-03-10 09:00:00', 'Asia/Kathmandu'), utc('2026-03-10T03:15:00'));
});

test('a time in a DST gap moves forward to the first valid minute', () => {
  // New York springs forward 02:00 EST → 03:00 EDT (07:00Z).
  assert.equal(zonedWallClockToUtc('2026-03-08 02:30:00', 'America/New_York'), utc('2026-03-08T07:00:00'));
  assert.equal(zonedWallClockToUtc('2026-03-08 02:00:00', 'America/New_York'), utc('2026-03-08T07:00:00'));
  assert.equal(zonedWallClockToUtc('2026-03-08 01:59:59', 'America/New_York'), utc('2026-03-08T06:59:59'));
  assert.equal(zonedWallClockToUtc('2026-03-08 03:00:00', 'America/New_York'), utc('2026-03-08T07:00:00'));
  // Berlin: 02:00 CET → 03:00 CEST (01:00Z).
  assert.equal(zonedWallClockToUtc('2026-03-29 02:30:00', 'Europe/Berlin'), utc('2026-03-29T01:00:00'));
  // Lord Howe moves by 30 minutes: 02:00 (+10:30) → 02:30 (+11).
  assert.equal(zonedWallClockToUtc('2026-10-04 02:15:00', 'Australia/Lord_Howe'), utc('2026-10-03T15:30:00'));
});

test('an ambiguous time in a DST overlap takes the earlier instant', () => {
  // New York falls back 02:00 EDT → 01:00 EST: 01:30 happens at 05:30Z (EDT) and 06:30Z (EST).
  assert.equal(zonedWallClockToUtc('2026-11-01 01:30:00', 'America/New_York'), utc('2026-11-01T05:30:00'));
  assert.equal(zonedWallClockToUtc('2026-11-01 02:00:00', 'America/New_York'), utc('2026-11-01T07:00:00'));
});

test('a value that is not a wall clock is refused', () => {
  assert.throws(() => zonedWallClockToUtc('2026-02-30 10:00:00', MOSCOW), RangeError);
});

// ---- lifetime ----

const CREATED = utc('2026-03-10T09:00:00');

test('the default lifetime is 25 h from creation', () => {
  assert.equal(DEFAULT_LIFETIME_SECONDS, 90_000);
  const plan = sendPlan(unscheduled, MOSCOW, CREATED);
  assert.deepEqual(plan, { sendAfter: null, completeBy: null, expiresAt: CREATED + 25 * HOUR });
});

test('an explicit ttl replaces the default', () => {
  assert.equal(sendPlan({ ...unscheduled, ttl: 60 }, MOSCOW, CREATED).expiresAt, CREATED + 60 * SECOND);
  assert.equal(sendPlan({ ...unscheduled, ttl: 86_400 }, MOSCOW, CREATED).expiresAt, CREATED + DAY);
});

test('a later localSendTime starts the lifetime: a scheduled message does not expire before its window', () => {
  const fields = { ...unscheduled, localSendTime: '2026-03-13 12:00:00', ttl: 60 };
  const plan = sendPlan(fields, MOSCOW, CREATED);
  assert.equal(plan.sendAfter, msk('2026-03-13T12:00:00'));
  assert.equal(plan.expiresAt, msk('2026-03-13T12:00:00') + 60 * SECOND);
  assert.equal(nextSendMoment(fields, plan, MOSCOW, CREATED), plan.sendAfter);
  assert.equal(nextSendMoment(fields, plan, MOSCOW, plan.expiresAt - 1), plan.expiresAt - 1);
  assert.equal(nextSendMoment(fields, plan, MOSCOW, plan.expiresAt), null);
});

test('an earlier localSendTime leaves the lifetime starting at creation', () => {
  const plan = sendPlan({ ...unscheduled, localSendTime: '2026-03-10 06:00:00' }, MOSCOW, CREATED);
  assert.equal(plan.sendAfter, msk('2026-03-10T06:00:00'));
  assert.equal(plan.expiresAt, CREATED + 25 * HOUR);
  assert.equal(nextSendMoment(unscheduled, plan, MOSCOW, CREATED), CREATED);
});

test('localSendTime and localCompletionTime are read in the schedule zone', () => {
  const fields = { ...unscheduled, localSendTime: '2026-03-10 18:00:00', localCompletionTime: '2026-03-10 20:00:00' };
  const plan = sendPlan(fields, 'America/Los_Angeles', CREATED); // PDT, UTC−7
  assert.equal(plan.sendAfter, utc('2026-03-11T01:00:00'));
  assert.equal(plan.completeBy, utc('2026-03-11T03:00:00'));
  assert.equal(plan.expiresAt, utc('2026-03-11T01:00:00') + 25 * HOUR);
});

test('voice channels (no scheduling fields): no window, the lifetime starts at creation', () => {
  const plan = sendPlan({ ...unscheduled, ttl: 30 }, MOSCOW, CREATED);
  assert.deepEqual(plan, { sendAfter: null, completeBy: null, expiresAt: CREATED + 30 * SECOND });
  assert.equal(nextSendMoment(unscheduled, plan, MOSCOW, CREATED + 5 * SECOND), CREATED + 5 * SECOND);
});

// ---- window: no restriction ----

test('without hours or days the moment is max(now, sendAfter)', () => {
  const now = msk('2026-03-10T10:00:00');
  assert.equal(nextSendMoment(unscheduled, open, MOSCOW, now), now);
  assert.equal(nextSendMoment(unscheduled, { ...open, sendAfter: now + HOUR }, MOSCOW, now), now + HOUR);
  assert.equal(nextSendMoment(unscheduled, { ...open, sendAfter: now - HOUR }, MOSCOW, now), now);
});

// ---- hours ----

const nine = { hours: [9], days: null };

test('hours: just before the allowed hour waits for its start', () => {
  assert.equal(nextSendMoment(nine, open, MOSCOW, msk('2026-03-10T08:59:59')), msk('2026-03-10T09:00:00'));
  assert.equal(nextSendMoment(nine, open, MOSCOW, msk('2026-03-10T08:59:59') + 500), msk('2026-03-10T09:00:00'));
  assert.equal(nextSendMoment(nine, open, MOSCOW, msk('2026-03-10T00:00:00')), msk('2026-03-10T09:00:00'));
});

test('hours: inside the allowed hour the moment is now', () => {
  for (const time of ['09:00:00', '09:30:00', '09:59:59']) {
    const now = msk(`2026-03-10T${time}`);
    assert.equal(nextSendMoment(nine, open, MOSCOW, now), now, time);
  }
  assert.equal(nextSendMoment(nine, open, MOSCOW, msk('2026-03-10T09:59:59') + 999), msk('2026-03-10T09:59:59') + 999);
});

test('hours: after the allowed hour waits for it the next day', () => {
  assert.equal(nextSendMoment(nine, open, MOSCOW, msk('2026-03-10T10:00:00')), msk('2026-03-11T09:00:00'));
  assert.equal(nextSendMoment(nine, open, MOSCOW, msk('2026-03-10T23:59:59')), msk('2026-03-11T09:00:00'));
});

test('hours: the next allowed hour of several, and midnight', () => {
  const fields = { hours: [0, 13, 20], days: null };
  assert.equal(nextSendMoment(fields, open, MOSCOW, msk('2026-03-10T10:15:00')), msk('2026-03-10T13:00:00'));
  assert.equal(nextSendMoment(fields, open, MOSCOW, msk('2026-03-10T14:00:00')), msk('2026-03-10T20:00:00'));
  assert.equal(nextSendMoment(fields, open, MOSCOW, msk('2026-03-10T21:00:00')), msk('2026-03-11T00:00:00'));
});

test('hours are read in the zone, not in UTC', () => {
  // 09:00 in Los Angeles (PDT) is 16:00Z.
  const zone = 'America/Los_Angeles';
  assert.equal(nextSendMoment(nine, open, zone, utc('2026-03-10T12:00:00')), utc('2026-03-10T16:00:00'));
});

test('hours start after sendAfter', () => {
  const plan = { ...open, sendAfter: msk('2026-03-10T09:40:00') };
  assert.equal(nextSendMoment(nine, plan, MOSCOW, msk('2026-03-10T08:00:00')), msk('2026-03-10T09:40:00'));
  const late = { ...open, sendAfter: msk('2026-03-10T10:00:00') };
  assert.equal(nextSendMoment(nine, late, MOSCOW, msk('2026-03-10T08:00:00')), msk('2026-03-11T09:00:00'));
});

// ---- days (2026-03-08 and 2026-03-15 are Sundays) ----

const sunday = { hours: null, days: [7] };

test('days: Sunday is 7', () => {
  const now = msk('2026-03-08T12:00:00');
  assert.equal(nextSendMoment(sunday, open, MOSCOW, now), now);
  assert.equal(nextSendMoment(sunday, open, MOSCOW, msk('2026-03-08T23:59:59')), msk('2026-03-08T23:59:59'));
  assert.equal(nextSendMoment({ hours: null, days: [1] }, open, MOSCOW, msk('2026-03-09T00:00:00')), msk('2026-03-09T00:00:00'));
});

test('days: a barred day waits for the next allowed midnight', () => {
  assert.equal(nextSendMoment(sunday, open, MOSCOW, msk('2026-03-14T15:00:00')), msk('2026-03-15T00:00:00'));
  assert.equal(nextSendMoment(sunday, open, MOSCOW, msk('2026-03-09T00:00:00')), msk('2026-03-15T00:00:00'));
});

test('hours and days together', () => {
  const mondayNine = { hours: [9], days: [1] };
  assert.equal(nextSendMoment(mondayNine, open, MOSCOW, msk('2026-03-08T10:00:00')), msk('2026-03-09T09:00:00'));
  assert.equal(nextSendMoment(mondayNine, open, MOSCOW, msk('2026-03-09T09:15:00')), msk('2026-03-09T09:15:00'));
  assert.equal(nextSendMoment(mondayNine, open, MOSCOW, msk('2026-03-09T10:00:00')), msk('2026-03-16T09:00:00'));
  // Sunday 09:00 is not Monday 09:00, and Monday 10:00 is not 09:00.
  const weekend = { hours: [9, 18], days: [6, 7] };
  assert.equal(nextSendMoment(weekend, open, MOSCOW, msk('2026-03-08T18:30:00')), msk('2026-03-08T18:30:00'));
  assert.equal(nextSendMoment(weekend, open, MOSCOW, msk('2026-03-08T19:00:00')), msk('2026-03-14T09:00:00'));
});

// ---- completion and expiry ----

test('completeBy: a moment equal to it is allowed, one second later is not', () => {
  const opens = msk('2026-03-10T09:00:00');
  const from = msk('2026-03-10T08:00:00');
  assert.equal(nextSendMoment(nine, { ...open, completeBy: opens }, MOSCOW, from), opens);
  assert.equal(nextSendMoment(nine, { ...open, completeBy: opens - SECOND }, MOSCOW, from), null);
  assert.equal(nextSendMoment(unscheduled, { ...open, completeBy: from }, MOSCOW, from), from);
  assert.equal(nextSendMoment(unscheduled, { ...open, completeBy: from }, MOSCOW, from + SECOND), null);
});

test('completeBy read from localCompletionTime closes a window that has not opened', () => {
  const fields = { ...unscheduled, hours: [9], localCompletionTime: '2026-03-10 08:59:59' };
  const plan = sendPlan(fields, MOSCOW, msk('2026-03-10T08:00:00'));
  assert.equal(nextSendMoment(fields, plan, MOSCOW, msk('2026-03-10T08:00:00')), null);
});

test('expiry: the window must open strictly before the lifetime ends', () => {
  const opens = msk('2026-03-10T09:00:00');
  const from = msk('2026-03-10T08:00:00');
  assert.equal(nextSendMoment(nine, { ...open, expiresAt: opens }, MOSCOW, from), null);
  assert.equal(nextSendMoment(nine, { ...open, expiresAt: opens + SECOND }, MOSCOW, from), opens);
  assert.equal(nextSendMoment(unscheduled, { ...open, expiresAt: from }, MOSCOW, from), null);
});

test('the default lifetime runs out before a window 26 hours away', () => {
  const from = msk('2026-03-10T10:00:00');
  const plan = sendPlan(unscheduled, MOSCOW, from);
  assert.equal(nextSendMoment(nine, plan, MOSCOW, from), msk('2026-03-11T09:00:00'));
  assert.equal(nextSendMoment({ hours: [12], days: null }, plan, MOSCOW, from + 3 * HOUR), null);
});

// ---- DST and odd offsets ----

const NEW_YORK = 'America/New_York';

test('DST gap: an hour that does not exist that day is skipped', () => {
  // 2026-03-08: 01:59:59 EST is followed by 03:00:00 EDT (07:00Z).
  const from = utc('2026-03-08T05:30:00'); // 00:30 EST
  assert.equal(nextSendMoment({ hours: [3], days: null }, open, NEW_YORK, from), utc('2026-03-08T07:00:00'));
  assert.equal(nextSendMoment({ hours: [2], days: null }, open, NEW_YORK, from), utc('2026-03-09T06:00:00'));
  assert.equal(nextSendMoment({ hours: [9], days: null }, open, NEW_YORK, from), utc('2026-03-08T13:00:00'));
});

test('DST overlap: the repeated hour counts from its first occurrence', () => {
  // 2026-11-01: 01:59:59 EDT (05:59:59Z) is followed by 01:00:00 EST (06:00Z).
  const from = utc('2026-11-01T04:30:00'); // 00:30 EDT
  assert.equal(nextSendMoment({ hours: [1], days: null }, open, NEW_YORK, from), utc('2026-11-01T05:00:00'));
  assert.equal(nextSendMoment({ hours: [1], days: null }, open, NEW_YORK, utc('2026-11-01T06:10:00')), utc('2026-11-01T06:10:00'));
  assert.equal(nextSendMoment({ hours: [2], days: null }, open, NEW_YORK, from), utc('2026-11-01T07:00:00'));
});

test('days across a DST change start at local midnight', () => {
  const from = utc('2026-03-08T05:30:00'); // Sunday 00:30 EST
  assert.equal(nextSendMoment({ hours: null, days: [1] }, open, NEW_YORK, from), utc('2026-03-09T04:00:00'));
  const autumn = utc('2026-11-01T04:30:00'); // Sunday 00:30 EDT
  assert.equal(nextSendMoment({ hours: null, days: [1] }, open, NEW_YORK, autumn), utc('2026-11-02T05:00:00'));
});

test('a 30-minute offset zone (Asia/Kolkata)', () => {
  const zone = 'Asia/Kolkata';
  assert.equal(nextSendMoment(nine, open, zone, utc('2026-03-10T02:40:00')), utc('2026-03-10T03:30:00')); // 08:10 IST
  assert.equal(nextSendMoment(nine, open, zone, utc('2026-03-10T04:29:59')), utc('2026-03-10T04:29:59')); // 09:59:59
  assert.equal(nextSendMoment(nine, open, zone, utc('2026-03-10T04:30:00')), utc('2026-03-11T03:30:00')); // 10:00
});

test('a 45-minute offset zone (Asia/Kathmandu)', () => {
  const zone = 'Asia/Kathmandu';
  assert.equal(nextSendMoment(nine, open, zone, utc('2026-03-10T03:05:00')), utc('2026-03-10T03:15:00')); // 08:50 NPT
  assert.equal(nextSendMoment(nine, open, zone, utc('2026-03-10T04:05:00')), utc('2026-03-10T04:05:00')); // 09:50
  assert.equal(nextSendMoment(sunday, open, zone, utc('2026-03-07T18:00:00')), utc('2026-03-07T18:15:00')); // Sun 00:00
});

test('a 30-minute DST shift (Australia/Lord_Howe)', () => {
  const zone = 'Australia/Lord_Howe';
  // 2026-10-04 02:00 (+10:30) becomes 02:30 (+11) at 15:30Z the day before.
  assert.equal(nextSendMoment({ hours: [2], days: null }, open, zone, utc('2026-10-03T15:15:00')), utc('2026-10-03T15:30:00'));
  // 2026-04-05 02:00 (+11) becomes 01:30 (+10:30) at 15:00Z; hour 2 comes again at 15:30Z.
  assert.equal(nextSendMoment({ hours: [2], days: null }, open, zone, utc('2026-04-04T14:50:00')), utc('2026-04-04T15:30:00'));
});
