/** Strict SMPP 3.4 §7.1.1 times of a client's submit (smpp-interface.md §3), against times the `smpp` library writes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSubmitTime } from '../../src/smpp/smppTime.js';
import { toSmppAbsoluteTime, toSmppRelativeTime } from '../../src/smpp/validityPeriod.js';
import { libraryEncode, libraryRawFields } from '../support/smppLibraryRaw.js';

const NOW = Date.parse('2026-05-02T10:00:00.000Z');
const at = (text: string, now = NOW): number | null => {
  const result = parseSubmitTime(text, now);
  assert.ok(result.ok, `${text}: ${JSON.stringify(result)}`);
  return result.ok ? result.at : null;
};
const rejected = (text: string, pattern?: RegExp): void => {
  const result = parseSubmitTime(text, NOW);
  assert.equal(result.ok, false, `${JSON.stringify(text)} should be rejected`);
  if (!result.ok && pattern) assert.match(result.reason, pattern);
};

test('empty: no time', () => {
  assert.deepEqual(parseSubmitTime('', NOW), { ok: true, at: null });
});

test('absolute: UTC, tenths, + and − offsets in quarter hours', () => {
  const utc = Date.parse('2026-11-27T15:04:05.600Z');
  assert.equal(at('261127150405600+'), utc);
  assert.equal(at('261127150405600-'), utc); // offset 0 either sign
  assert.equal(at('261127180405612+'), utc); // local 18:04 at UTC+3
  assert.equal(at('261127120405612-'), utc); // local 12:04 at UTC−3
  assert.equal(at('261127153405602+'), utc); // UTC+0:30
  assert.equal(at('261128030405648+'), utc); // UTC+12, the next day locally
  assert.equal(at('261127030405648-'), utc); // UTC−12
  assert.equal(at('260101013000008+'), Date.parse('2025-12-31T23:30:00.000Z')); // UTC+2 crosses the year back
  assert.equal(at('261127150405900+'), Date.parse('2026-11-27T15:04:05.900Z'));
});

test('absolute: YY 00–99 is 2000–2099; leap days', () => {
  assert.equal(at('000101000000000+'), Date.parse('2000-01-01T00:00:00Z'));
  assert.equal(at('991231235959900+'), Date.parse('2099-12-31T23:59:59.900Z'));
  assert.equal(at('240229120000000+'), Date.parse('2024-02-29T12:00:00Z'));
  assert.equal(at('000229120000000+'), Date.parse('2000-02-29T12:00:00Z'));
  rejected('250229120000000+', /day 29 of 2025-02/);
  rejected('260431120000000+', /day 31 of 2026-04/);
});

test('absolute times the smpp library writes from a Date read back to the tenth', () => {
  for (const iso of ['2026-11-27T15:04:05.678Z', '2030-01-01T00:00:00.000Z', '2026-05-02T23:59:59.999Z']) {
    const raw = libraryRawFields(libraryEncode('submit_sm', { short_message: 'x', validity_period: new Date(iso), schedule_delivery_time: new Date(iso) }));
    const t = Date.parse(iso);
    assert.equal(at(raw['validity_period'] as string), t - (t % 100), iso);
    assert.equal(at(raw['schedule_delivery_time'] as string), t - (t % 100), iso);
  }
  // And our own client side's writing.
  assert.equal(at(toSmppAbsoluteTime(Date.parse('2026-11-27T15:04:05.678Z'))), Date.parse('2026-11-27T15:04:05.600Z'));
});

test('relative: YYMMDDhhmmss000R from now', () => {
  assert.equal(at('000000000000000R'), NOW);
  assert.equal(at('000000000001000R'), NOW + 1000);
  assert.equal(at('000001010101000R'), NOW + 90_061_000);
  assert.equal(at('000000240000000R'), NOW + 86_400_000);
  assert.equal(at('000000009900000R'), NOW + 99 * 60_000); // fields of a duration may exceed a clock's
  assert.equal(at('000000000099000R'), NOW + 99_000);
  assert.equal(at(toSmppRelativeTime(3600)), NOW + 3_600_000);
  // As the smpp library writes a short relative time ('10000' → 000000010000000R).
  const raw = libraryRawFields(libraryEncode('submit_sm', { short_message: 'x', validity_period: '10000', schedule_delivery_time: '003000' }));
  assert.equal(raw['validity_period'], '000000010000000R');
  assert.equal(at(raw['validity_period'] as string), NOW + 3_600_000);
  assert.equal(at(raw['schedule_delivery_time'] as string), NOW + 30 * 60_000);
});

test('relative: months and years move the calendar date (clamped), in UTC', () => {
  assert.equal(at('000100000000000R', Date.parse('2026-05-02T10:00:00.250Z')), Date.parse('2026-06-02T10:00:00.250Z'));
  assert.equal(at('000100000000000R', Date.parse('2024-01-31T22:15:00Z')), Date.parse('2024-02-29T22:15:00Z'));
  assert.equal(at('000100000000000R', Date.parse('2025-01-31T22:15:00Z')), Date.parse('2025-02-28T22:15:00Z'));
  assert.equal(at('010000000000000R', Date.parse('2024-02-29T08:00:00Z')), Date.parse('2025-02-28T08:00:00Z'));
  assert.equal(at('001300000000000R', Date.parse('2026-12-15T00:00:00Z')), Date.parse('2028-01-15T00:00:00Z'));
  assert.equal(at('000102030405000R', Date.parse('2026-12-31T23:00:00Z')), Date.parse('2027-02-03T02:04:05Z'));
});

test('malformed times are rejected', () => {
  rejected('2611271504', /16 characters, got 10/);
  rejected('261127150405600+0', /got 17/);
  rejected(' 61127150405600+', /not YYMMDDhhmmsstnnp/);
  rejected('261127150405600 ', /not YYMMDDhhmmsstnnp/);
  rejected('26112715040560+0', /not YYMMDDhhmmsstnnp/);
  rejected('2611a7150405600+', /not YYMMDDhhmmsstnnp/);
  rejected('261127150405600X', /not YYMMDDhhmmsstnnp/);
  rejected('261127150405600r', /not YYMMDDhhmmsstnnp/);
  rejected('-61127150405600+', /not YYMMDDhhmmsstnnp/);
  rejected('２61127150405600+'); // a non-ASCII digit
  rejected('261327150405600+', /month 13/);
  rejected('261027150405600+'.replace('10', '00'), /month 0/);
  rejected('261100150405600+', /day 0/);
  rejected('261132150405600+', /day 32/);
  rejected('261127240405600+', /hour 24/);
  rejected('261127156005600+', /minute 60/);
  rejected('261127150460600+', /second 60/);
  rejected('261127150405649+', /offset of 49/);
  rejected('261127150405699-', /offset of 99/);
  rejected('000001000000100R', /000R/);
  rejected('000001000000010R', /000R/);
  rejected('000001000000001R', /000R/);
  assert.equal(parseSubmitTime('000001000000000R', Number.NaN).ok, false);
});
