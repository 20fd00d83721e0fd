import type { Status } from './channels.js';

/** Statuses after which delivery is over (spec §7); `delivered` may still become read/unread on messengers. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set<Status>(['delivered', 'undelivered', 'unsent', 'read', 'unread']);

export function isFinal(status: Status): boolean {
  return FINAL_STATUSES.has(status);
}
