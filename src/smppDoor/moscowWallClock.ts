/** An instant as the wall clock of Moscow, `YYYY-MM-DD hh:mm:ss`: what `useLocalTime: false` reads (direct-api.md §5.8). */
import { MOSCOW_ZONE } from '../domain/timeZones.js';

// sv-SE writes dates and times as ISO does.
const format = new Intl.DateTimeFormat('sv-SE', {
  timeZone: MOSCOW_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

export function moscowWallClock(at: number): string {
  return format.format(new Date(at));
}
