/** Lifetimes (spec §5.7) and sending windows (§5.8), as pure functions of epoch milliseconds. */
import { wallClockAsUtc } from './scheduleFields.js';
import { MOSCOW_ZONE, zoneForDestination } from './timeZones.js';

export interface ScheduleFields {
  useLocalTime: boolean | null;
  localSendTime: string | null;
  localCompletionTime: string | null;
  hours: number[] | null;
  days: number[] | null;
  ttl: number | null;
}

export const DEFAULT_LIFETIME_SECONDS = 90_000; // 25 h

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A window never lies further ahead than localCompletionTime's 70-day bound; a guard against endless stepping. */
const SEARCH_LIMIT = 71 * DAY;

/** The IANA zone the schedule is read in: the subscriber's (useLocalTime true/null on scheduled channels) or Europe/Moscow (false). */
export function scheduleZone(fields: Pick<ScheduleFields, 'useLocalTime'>, destination: string, countryCode: string | null): string {
  return fields.useLocalTime === false ? MOSCOW_ZONE : zoneForDestination(destination, countryCode);
}

interface LocalTime {
  hour: number;
  minute: number;
  second: number;
  /** Monday = 1 … Sunday = 7. */
  weekday: number;
  /** Local minus UTC, ms. */
  offset: number;
}

// Building a DateTimeFormat costs far more than using one; the engine asks for the same few zones all day.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

// `format` and a regex cost a third of `formatToParts`; en-US with h23 prints "3/10/2026, 09:05:00".
const localFields = /(\d+)\D+(\d+)\D+(\d+)\D+(\d+)\D+(\d+)\D+(\d+)/;

function localTime(at: number, zone: string): LocalTime {
  const match = localFields.exec(formatterFor(zone).format(at));
  if (match === null) throw new RangeError(`cannot read the local time in ${zone}`);
  const [month, day, year, rawHour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const hour = rawHour % 24; // some ICU builds print midnight as 24
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const utcDay = new Date(wallAsUtc).getUTCDay();
  return {
    hour,
    minute,
    second,
    weekday: utcDay === 0 ? 7 : utcDay,
    offset: wallAsUtc - Math.floor(at / SECOND) * SECOND,
  };
}

const offsetAt = (at: number, zone: string): number => localTime(at, zone).offset;

/** The first whole second in (from, to] whose offset differs from the offset at `from`; the caller knows there is one. */
function transitionAfter(from: number, to: number, zone: string): number {
  const offsetBefore = offsetAt(from, zone);
  let low = Math.floor(from / SECOND);
  let high = Math.floor(to / SECOND);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetAt(middle * SECOND, zone) === offsetBefore) low = middle;
    else high = middle;
  }
  return high * SECOND;
}

/**
 * Wall-clock `YYYY-MM-DD hh:mm:ss` in `zone` → epoch ms (UTC). A time in a DST gap moves forward to the first valid
 * minute; an ambiguous time (DST overlap) takes the earlier instant.
 */
export function zonedWallClockToUtc(text: string, zone: string): number {
  const wallAsUtc = wallClockAsUtc(text);
  if (wallAsUtc === null) throw new RangeError(`not a wall-clock time: ${text}`);
  // Offsets never exceed ±14 h, so a day either side brackets the instant and any transition near it.
  const offsetBefore = offsetAt(wallAsUtc - DAY, zone);
  const offsetAfter = offsetAt(wallAsUtc + DAY, zone);
  if (offsetBefore === offsetAfter) return wallAsUtc - offsetBefore; // no transition near: the common case
  const readings = [wallAsUtc - offsetBefore, wallAsUtc - offsetAfter].filter((at) => offsetAt(at, zone) === wallAsUtc - at);
  if (readings.length > 0) return Math.min(...readings);
  // No instant reads this wall clock: it fell in a gap, whose end is the transition itself.
  const earlier = Math.min(wallAsUtc - offsetBefore, wallAsUtc - offsetAfter);
  const later = Math.max(wallAsUtc - offsetBefore, wallAsUtc - offsetAfter);
  return transitionAfter(earlier, later, zone);
}

/** The smallest allowed hour after `hour` on the same day, or null. */
function nextAllowedHour(hours: readonly number[], hour: number): number | null {
  let best: number | null = null;
  for (const allowed of hours) if (allowed > hour && (best === null || allowed < best)) best = allowed;
  return best;
}

export interface SendPlan {
  /** localSendTime in UTC, or null. */
  sendAfter: number | null;
  /** localCompletionTime in UTC, or null. */
  completeBy: number | null;
  /** The end of the lifetime. */
  expiresAt: number;
}

/** §5.7: the lifetime starts at max(createdAt, sendAfter) and lasts ttl seconds (default 25 h). */
export function sendPlan(
  fields: Pick<ScheduleFields, 'localSendTime' | 'localCompletionTime' | 'ttl'>,
  zone: string,
  createdAt: number,
): SendPlan {
  const sendAfter = fields.localSendTime === null ? null : zonedWallClockToUtc(fields.localSendTime, zone);
  const completeBy = fields.localCompletionTime === null ? null : zonedWallClockToUtc(fields.localCompletionTime, zone);
  // A scheduled message must not expire before its window opens.
  const lifetimeStart = sendAfter === null ? createdAt : Math.max(createdAt, sendAfter);
  return { sendAfter, completeBy, expiresAt: lifetimeStart + (fields.ttl ?? DEFAULT_LIFETIME_SECONDS) * SECOND };
}

/**
 * §5.8: the first moment t ≥ max(now, sendAfter) at which hour(t) in `zone` ∈ hours and weekday(t) (Monday = 1 …
 * Sunday = 7) ∈ days; null if that moment is after completeBy or at/after expiresAt (→ unsent 605).
 * With no hours/days restriction it is max(now, sendAfter).
 */
export function nextSendMoment(
  fields: Pick<ScheduleFields, 'hours' | 'days'>,
  plan: SendPlan,
  zone: string,
  now: number,
): number | null {
  const { hours, days } = fields;
  const start = Math.max(now, plan.sendAfter ?? now);
  const tooLate = (at: number) => at >= plan.expiresAt || (plan.completeBy !== null && at > plan.completeBy);
  if (hours === null && days === null) return tooLate(start) ? null : start;

  let at = start;
  let local = localTime(at, zone);
  while (!tooLate(at) && at - start <= SEARCH_LIMIT) {
    const dayAllowed = days === null || days.includes(local.weekday);
    if (dayAllowed && (hours === null || hours.includes(local.hour))) return at;
    // While the offset holds, the next candidate is the next allowed hour today, else the next midnight.
    const intoHour = (local.minute * 60 + local.second) * SECOND + (at % SECOND);
    const laterHour = dayAllowed && hours !== null ? nextAllowedHour(hours, local.hour) : null;
    let next = at + ((laterHour ?? 24) - local.hour) * HOUR - intoHour;
    let nextLocal = localTime(next, zone);
    if (nextLocal.offset !== local.offset) {
      // A DST or offset change on the way moves the local clock: look again right at the change.
      next = transitionAfter(at, next, zone);
      nextLocal = localTime(next, zone);
    }
    at = next;
    local = nextLocal;
  }
  return null;
}
