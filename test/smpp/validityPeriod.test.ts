import { test } from 'node:test';
import assert from 'node:assert/strict';
import smpp from 'smpp';
import { parseSmppTime, toSmppAbsoluteTime, toSmppRelativeTime, validityPeriod } from '../../src/smpp/validityPeriod.js';

test('absolute UTC: YYMMDDhhmmsstnnp with 00+', () => {
  assert.equal(toSmppAbsoluteTime(Date.parse('2026-11-27T15:04:05.678Z')), '261127150405600+');
  assert.equal(toSmppAbsoluteTime(Date.parse('2026-01-02T03:04:05.000Z')), '260102030405000+');
  assert.equal(toSmppAbsoluteTime(Date.parse('2000-12-31T23:59:59.999Z')), '001231235959900+');
  assert.equal(validityPeriod(Date.parse('2026-05-02T11:00:00Z')), '260502110000000+');
  assert.equal(validityPeriod(Date.parse('2026-05-02T11:00:00Z')).length, 16);
});

test('absolute times outside 2000–2099 or not finite throw', () => {
  assert.throws(() => toSmppAbsoluteTime(Date.parse('1999-12-31T23:59:59Z')), RangeError);
  assert.throws(() => toSmppAbsoluteTime(Date.parse('2100-01-01T00:00:00Z')), RangeError);
  assert.throws(() => toSmppAbsoluteTime(Number.NaN), RangeError);
});

test('relative: YYMMDDhhmmss000R', () => {
  assert.equal(toSmppRelativeTime(60), '000000000100000R');
  assert.equal(toSmppRelativeTime(86400), '000001000000000R');
  assert.equal(toSmppRelativeTime(90061), '000001010101000R');
  assert.throws(() => toSmppRelativeTime(-1), RangeError);
});

test('parse: absolute in UTC and with offsets, relative, malformed', () => {
  const at = Date.parse('2026-11-27T15:04:05.600Z');
  assert.deepEqual(parseSmppTime('261127150405600+'), { kind: 'absolute', epochMs: at });
  // 18:04:05 local, 12 quarter hours (3 h) ahead of UTC = 15:04:05 UTC.
  assert.deepEqual(parseSmppTime('261127180405612+'), { kind: 'absolute', epochMs: at });
  assert.deepEqual(parseSmppTime('261127120405612-'), { kind: 'absolute', epochMs: at });
  assert.deepEqual(parseSmppTime('000001010101000R'), { kind: 'relative', seconds: 90061 });
  assert.equal(parseSmppTime('2611271504'), undefined);
  assert.equal(parseSmppTime('261327150405600+'), undefined);
  for (const ms of [0, 123, 999, 59_999]) {
    const t = Date.parse('2031-07-15T08:09:10Z') + ms;
    assert.deepEqual(parseSmppTime(toSmppAbsoluteTime(t)), { kind: 'absolute', epochMs: t - (t % 100) });
  }
});

test('the smpp library writes our validity_period string unchanged', () => {
  const value = validityPeriod(Date.parse('2026-05-02T11:00:00Z'));
  const raw = new smpp.PDU('submit_sm', { destination_addr: '1', validity_period: value, short_message: Buffer.from('x') }).toBuffer();
  assert.ok(raw.includes(Buffer.from(value + '\0', 'ascii')));
});
