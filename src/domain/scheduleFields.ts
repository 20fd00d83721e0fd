/** Scheduling values `YYYY-MM-DD hh:mm:ss` (spec §2.2) and their ranges (§5.8). */

/** The format only; impossible dates (2021-02-30, hour 24) are caught by `wallClockAsUtc`. */
export const WALL_CLOCK_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** localSendTime: now − 12 h … now + 7 days; localCompletionTime: up to now + 70 days (compared as if UTC). */
export const SEND_TIME_PAST = 12 * HOUR;
export const SEND_TIME_FUTURE = 7 * DAY;
export const COMPLETION_TIME_FUTURE = 70 * DAY;

const wallClockRegex = /^([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})$/;

/**
 * Epoch ms of a wall-clock value read as if it were UTC, or null when it is malformed or names no real moment.
 * The delivery engine reuses it to place local times.
 */
export function wallClockAsUtc(text: string): number | null {
  const match = wallClockRegex.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/** Why a localSendTime is not acceptable at `now`, or null when it is. */
export function localSendTimeProblem(text: string, now: number): string | null {
  const at = wallClockAsUtc(text);
  if (at === null) return 'is not a real date and time';
  if (at < now - SEND_TIME_PAST || at > now + SEND_TIME_FUTURE) return 'must be between now - 12 h and now + 7 days (UTC)';
  return null;
}

/**
 * Why a localCompletionTime is not acceptable, or null when it is.
 * `sendText` is the item's localSendTime; when it is absent or unreadable the lower bound is now − 12 h.
 */
export function localCompletionTimeProblem(text: string, sendText: string | null, now: number): string | null {
  const at = wallClockAsUtc(text);
  if (at === null) return 'is not a real date and time';
  const sendAt = sendText === null ? null : wallClockAsUtc(sendText);
  if (sendAt !== null && at < sendAt) return 'must not be earlier than localSendTime';
  if (at < now - SEND_TIME_PAST || at > now + COMPLETION_TIME_FUTURE) return 'must be between now - 12 h and now + 70 days (UTC)';
  return null;
}
