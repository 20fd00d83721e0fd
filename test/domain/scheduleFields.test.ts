import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMPLETION_TIME_FUTURE,
  SEND_TIME_FUTURE,
  SEND_TIME_PAST,
  localCompletionTimeProblem,
  localSendTimeProblem,
  wallClockAsUtc,
} from '../../src/domain/scheduleFields.js';

const NOW = Date.UTC(2024, 0, 10, 12, 0, 0);
/** The wall-clock text of an epoch ms, read as UTC. */
const wall = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

test('wallClockAsUtc reads the value as if it were UTC', () => {
  assert.equal(wallClockAsUtc('2021-02-02 15:00:00'), Date.UTC(2021, 1, 2, 15, 0, 0));
  assert.equal(wallClockAsUtc('2024-12-31 23:59:59'), Date.UTC(2024, 11, 31, 23, 59, 59));
  assert.equal(wallClockAsUtc('2024-01-01 00:00:00'), Date.UTC(2024, 0, 1));
});

test('wallClockAsUtc keeps years 0-99 as written', () => {
  assert.equal(new Date(wallClockAsUtc('0050-03-01 00:00:00')!).getUTCFullYear(), 50);
});

test('wallClockAsUtc rejects impossible dates and times', () => {
  for (const text of [
    '2021-02-30 00:00:00',
    '2021-02-29 00:00:00',
    '2100-02-29 00:00:00',
    '2021-04-31 00:00:00',
    '2021-13-01 00:00:00',
    '2021-00-10 00:00:00',
    '2021-01-00 00:00:00',
    '2021-01-32 00:00:00',
    '2021-01-10 24:00:00',
    '2021-01-10 23:60:00',
    '2021-01-10 23:59:60',
  ]) {
    assert.equal(wallClockAsUtc(text), null, text);
  }
  assert.equal(wallClockAsUtc('2024-02-29 00:00:00'), Date.UTC(2024, 1, 29));
  assert.equal(wallClockAsUtc('2000-02-29 00:00:00'), Date.UTC(2000, 1, 29));
});

test('wallClockAsUtc rejects other formats', () => {
  for (const text of [
    '2021-02-02T15:00:00',
    '2021-02-02 15:00:00Z',
    '2021-02-02 15:00',
    '2021-2-2 15:00:00',
    '2021-02-02  15:00:00',
    ' 2021-02-02 15:00:00',
    '2021-02-02 15:00:00.000',
    '２０２１-02-02 15:00:00',
    '',
  ]) {
    assert.equal(wallClockAsUtc(text), null, text);
  }
});

test('localSendTime: now - 12 h to now + 7 days, bounds included', () => {
  assert.equal(localSendTimeProblem(wall(NOW - SEND_TIME_PAST), NOW), null);
  assert.match(localSendTimeProblem(wall(NOW - SEND_TIME_PAST - 1000), NOW)!, /between/);
  assert.equal(localSendTimeProblem(wall(NOW + SEND_TIME_FUTURE), NOW), null);
  assert.match(localSendTimeProblem(wall(NOW + SEND_TIME_FUTURE + 1000), NOW)!, /between/);
  assert.equal(SEND_TIME_PAST, 12 * 3600_000);
  assert.equal(SEND_TIME_FUTURE, 7 * 86_400_000);
});

test('localSendTime: an impossible date is reported as such', () => {
  assert.equal(localSendTimeProblem('2024-01-32 00:00:00', NOW), 'is not a real date and time');
});

test('localCompletionTime: up to now + 70 days', () => {
  assert.equal(COMPLETION_TIME_FUTURE, 70 * 86_400_000);
  assert.equal(localCompletionTimeProblem(wall(NOW + COMPLETION_TIME_FUTURE), null, NOW), null);
  assert.match(localCompletionTimeProblem(wall(NOW + COMPLETION_TIME_FUTURE + 1000), null, NOW)!, /70 days/);
});

test('localCompletionTime without localSendTime: lower bound now - 12 h', () => {
  assert.equal(localCompletionTimeProblem(wall(NOW - SEND_TIME_PAST), null, NOW), null);
  assert.match(localCompletionTimeProblem(wall(NOW - SEND_TIME_PAST - 1000), null, NOW)!, /between/);
});

test('localCompletionTime: not earlier than localSendTime; equal is fine', () => {
  const send = wall(NOW + 3600_000);
  assert.equal(localCompletionTimeProblem(send, send, NOW), null);
  assert.equal(localCompletionTimeProblem(wall(NOW + 3599_000), send, NOW), 'must not be earlier than localSendTime');
});

test('localCompletionTime: an unreadable localSendTime falls back to now - 12 h', () => {
  assert.equal(localCompletionTimeProblem(wall(NOW), '2024-02-30 00:00:00', NOW), null);
  assert.equal(localCompletionTimeProblem('2024-02-30 00:00:00', wall(NOW), NOW), 'is not a real date and time');
});
