/** The delivery of a message sent in several parts (an SMS split by the network's size limit). */
export type PartOutcome = { outcome: 'delivered' } | { outcome: 'undelivered'; errorCode: number | null } | null;

/**
 * A multipart message is delivered when every part is, and undelivered as soon as one part is
 * (with that part's code); until then it waits.
 */
export function multipartOutcome(parts: readonly PartOutcome[]): { kind: 'delivered' } | { kind: 'undelivered'; errorCode: number | null } | null {
  const failed = parts.find((p) => p?.outcome === 'undelivered');
  if (failed?.outcome === 'undelivered') return { kind: 'undelivered', errorCode: failed.errorCode };
  return parts.length > 0 && parts.every((p) => p?.outcome === 'delivered') ? { kind: 'delivered' } : null;
}
