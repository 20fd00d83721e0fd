import type { LoadedRow } from './stateColumns.js';

/**
 * The state of messages as their claim left it, kept by the claim for the plan of their hand-off, which would
 * otherwise read each row again a moment later. A kept state may be out of date (the claim was given back, the
 * message changed since): the write finds that out (applyReports.ts) and the reports are planned again from the
 * rows themselves.
 */
export class ClaimedStates {
  /** More than a few rounds claim: what is never used (a claim given back) is dropped at this size. */
  private static readonly LIMIT = 20_000;
  private readonly rows = new Map<string, LoadedRow>();

  keep(uuid: string, row: LoadedRow): void {
    if (this.rows.size >= ClaimedStates.LIMIT) this.rows.clear();
    this.rows.set(uuid, row);
  }

  take(uuid: string): LoadedRow | undefined {
    const row = this.rows.get(uuid);
    if (row) this.rows.delete(uuid);
    return row;
  }
}
