/**
 * SMPP time format (SMPP 3.4 §7.1.1): `YYMMDDhhmmsstnnp`, 16 characters.
 * - absolute: t = tenths of a second, nn = offset from UTC in quarter hours, p = '+' or '-' (ahead of / behind UTC);
 * - relative: `YYMMDDhhmmss000R`, a duration.
 *
 * The message's end of lifetime becomes `validity_period` as an ABSOLUTE time in UTC (`…00+`): it is what we
 * store (epoch ms), it does not drift while a submit waits in the window or a throttled retry, and every
 * SMSC must accept it.
 */

const two = (n: number): string => String(n).padStart(2, '0');

/** Absolute SMPP time in UTC, e.g. 2026-11-27T15:04:05.678Z → `261127150405600+`. Tenths are truncated. */
export function toSmppAbsoluteTime(epochMs: number): string {
  if (!Number.isFinite(epochMs)) throw new RangeError(`not a time: ${epochMs}`);
  const d = new Date(epochMs);
  const year = d.getUTCFullYear();
  if (year < 2000 || year > 2099) throw new RangeError(`SMPP absolute time covers 2000–2099 only: ${d.toISOString()}`);
  return (
    two(year % 100) +
    two(d.getUTCMonth() + 1) +
    two(d.getUTCDate()) +
    two(d.getUTCHours()) +
    two(d.getUTCMinutes()) +
    two(d.getUTCSeconds()) +
    String(Math.floor(d.getUTCMilliseconds() / 100)) +
    '00+'
  );
}

/** Relative SMPP time for a duration in seconds (whole seconds, rounded down), e.g. 90061 s → `000001010101000R`. */
export function toSmppRelativeTime(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`not a duration: ${seconds}`);
  let rest = Math.floor(seconds);
  const ss = rest % 60;
  rest = Math.floor(rest / 60);
  const mm = rest % 60;
  rest = Math.floor(rest / 60);
  const hh = rest % 24;
  const days = Math.floor(rest / 24);
  // Years and months are calendar-dependent: keep everything up to 99 days in the DD field.
  if (days > 99) throw new RangeError(`relative SMPP time up to 99 days here, got ${seconds} s`);
  return '0000' + two(days) + two(hh) + two(mm) + two(ss) + '000R';
}

/** The validity_period for a message whose lifetime ends at `expiresAt` (epoch ms): absolute, UTC. */
export function validityPeriod(expiresAt: number): string {
  return toSmppAbsoluteTime(expiresAt);
}

export type ParsedSmppTime = { kind: 'absolute'; epochMs: number } | { kind: 'relative'; seconds: number };

const FORMAT = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d)(\d{2})([+\-R])$/;

/**
 * Reads an SMPP time (absolute with any UTC offset, or relative). Relative months and years count as 30 and
 * 365 days (approximate, as nothing better exists without a reference date). Undefined when malformed.
 */
export function parseSmppTime(text: string): ParsedSmppTime | undefined {
  const m = FORMAT.exec(text.trim());
  if (!m) return undefined;
  const [yy, mo, dd, hh, mi, ss, t, nn] = m.slice(1, 9).map(Number) as [number, number, number, number, number, number, number, number];
  const p = m[9];
  if (p === 'R') return { kind: 'relative', seconds: ((((yy * 365 + mo * 30 + dd) * 24 + hh) * 60 + mi) * 60) + ss };
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59 || nn > 48) return undefined;
  const local = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss, t * 100);
  const offsetMs = nn * 15 * 60_000;
  return { kind: 'absolute', epochMs: p === '+' ? local - offsetMs : local + offsetMs };
}
