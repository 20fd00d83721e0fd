/**
 * A client's `validity_period` / `schedule_delivery_time` (SMPP 3.4 §7.1.1, `smpp-interface.md` §3), read
 * strictly: a malformed time is refused (`ESME_RINVEXPIRY` / `ESME_RINVSCHED`), never guessed.
 * - absolute `YYMMDDhhmmsstnnp`: t tenths of a second, nn the offset from UTC in quarter hours (00–48), p '+'
 *   (local time ahead of UTC) or '-'; YY 00–99 is 2000–2099; the date must exist (no 31 April, 29 February
 *   only in leap years);
 * - relative `YYMMDDhhmmss000R`: a duration from `now`; each field is 00–99 (a duration, not a date); years and
 *   months move the calendar date in UTC (the day clamped to the end of a shorter month: 31 Jan + 1 month =
 *   28/29 Feb), then days, hours, minutes and seconds are added as fixed lengths;
 * - the empty string: no time given (null).
 *
 * `parseSmppTime` in validityPeriod.ts is the client side's lenient reading of an SMSC's times; this one is for
 * the server side.
 */

export type SmppTimeResult = { ok: true; at: number | null } | { ok: false; reason: string };

const FORMAT = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d)(\d{2})([+\-R])$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `at`: epoch ms (absolute, or `now` + the relative duration); null for the empty string. */
export function parseSubmitTime(text: string, now: number): SmppTimeResult {
  if (text === '') return { ok: true, at: null };
  if (text.length !== 16) return { ok: false, reason: `an SMPP time has 16 characters, got ${text.length}` };
  const m = FORMAT.exec(text);
  if (!m) return { ok: false, reason: `not YYMMDDhhmmsstnnp: ${JSON.stringify(text)}` };
  const [yy, mo, dd, hh, mi, ss, t, nn] = m.slice(1, 9).map(Number) as [number, number, number, number, number, number, number, number];
  const p = m[9]!;

  if (p === 'R') {
    if (t !== 0 || nn !== 0) return { ok: false, reason: `a relative SMPP time ends in 000R: ${JSON.stringify(text)}` };
    if (!Number.isFinite(now)) return { ok: false, reason: `no current time for a relative SMPP time` };
    const from = new Date(now);
    const months = from.getUTCMonth() + yy * 12 + mo;
    const year = from.getUTCFullYear() + Math.floor(months / 12);
    const month = months % 12;
    const day = Math.min(from.getUTCDate(), daysInMonth(year, month + 1));
    const timeOfDay = now - Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
    const moved = Date.UTC(year, month, day) + timeOfDay;
    return { ok: true, at: moved + ((dd * 24 + hh) * 60 + mi) * 60_000 + ss * 1000 };
  }

  const year = 2000 + yy;
  if (mo < 1 || mo > 12) return { ok: false, reason: `month ${mo} in ${JSON.stringify(text)}` };
  if (dd < 1 || dd > daysInMonth(year, mo)) return { ok: false, reason: `day ${dd} of ${year}-${String(mo).padStart(2, '0')} in ${JSON.stringify(text)}` };
  if (hh > 23) return { ok: false, reason: `hour ${hh} in ${JSON.stringify(text)}` };
  if (mi > 59) return { ok: false, reason: `minute ${mi} in ${JSON.stringify(text)}` };
  if (ss > 59) return { ok: false, reason: `second ${ss} in ${JSON.stringify(text)}` };
  if (nn > 48) return { ok: false, reason: `UTC offset of ${nn} quarter hours (00–48) in ${JSON.stringify(text)}` };
  const local = Date.UTC(year, mo - 1, dd, hh, mi, ss, t * 100);
  const offsetMs = nn * 15 * 60_000;
  return { ok: true, at: p === '+' ? local - offsetMs : local + offsetMs };
}
