/** RFC 3339: the doc's `2020-01-01T00:00:00Z`, also with an offset or fractional seconds (§2.2). */
const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** A query timestamp (`time_from`, `time_to`) as epoch ms, or null when it is not one (spec §2.2, §8.1). */
export function parseTimestamp(text: string): number | null {
  if (!timestampPattern.test(text)) return null;
  const [date, time] = text.toUpperCase().split('T') as [string, string];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm, ss] = time.slice(0, 8).split(':').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d, hh, mm, ss));
  const valid =
    probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d && hh < 24 && mm < 60 && ss < 60;
  if (!valid) return null;
  const ms = Date.parse(text.toUpperCase());
  if (Number.isNaN(ms)) return null;
  // Message times are whole milliseconds: a finer fraction rounds up, keeping both bounds exact.
  const fraction = /\.(\d+)/.exec(time)?.[1] ?? '';
  return /[1-9]/.test(fraction.slice(3)) ? ms + 1 : ms;
}
