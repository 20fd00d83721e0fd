import type { ReportEnvelope } from '../domain/reportEnvelope.js';

/** Reports of one group at most: a group is one transaction, and must stay short. */
const MAX_GROUP = 5_000;

/**
 * Group commit for reports that arrive on many requests at once (the platforms' webhooks): while one group is being
 * written, the reports of the requests that arrive meanwhile wait, and go together in the next write: one
 * transaction (one fsync) for many requests instead of one each, and no timer: a lone request is written at once.
 * Each caller's promise settles when its own reports are written (or their write failed).
 */
export function applyInGroups(apply: (reports: ReportEnvelope[], now: number) => Promise<void>, now: () => number) {
  const waiting: { reports: ReportEnvelope[]; done: (error?: unknown) => void }[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    while (waiting.length > 0) {
      let size = 0;
      let count = 0;
      while (count < waiting.length && (count === 0 || size + waiting[count]!.reports.length <= MAX_GROUP)) size += waiting[count++]!.reports.length;
      const group = waiting.splice(0, count);
      try {
        await apply(group.flatMap((g) => g.reports), now());
        for (const g of group) g.done();
      } catch (error) {
        for (const g of group) g.done(error);
      }
    }
    writing = false;
  }

  return (reports: ReportEnvelope[]): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ reports, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!writing) void drain();
    });
}
