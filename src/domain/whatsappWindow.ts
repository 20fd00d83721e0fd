/**
 * The customer service window (spec §6.4): each message a subscriber sends to one of our numbers opens 24 hours
 * during which free-form text may be sent to them from that number; outside it, only templates.
 */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 3600 * 1000;

/** Whether text may be sent now, given when the subscriber last wrote (null: never). */
export function isWindowOpen(lastSubscriberMessageAt: number | null, now: number): boolean {
  return lastSubscriberMessageAt !== null && now < lastSubscriberMessageAt + CUSTOMER_SERVICE_WINDOW_MS;
}
