/**
 * Whether the platform a message was handed to reports delivery. VK communities do not: VK's API says when a message
 * was read, never that it arrived. Such a message goes from `sent` straight to `read`, or to `unread` when its lifetime
 * ends (not `undelivered` 127, which would claim it never arrived). Hand-offs are recorded under a name (the message's
 * connector); these are the names of platforms without delivery reports.
 */
export const VK_COMMUNITY_HANDOFF = 'vk-community';

const WITHOUT_DELIVERY_REPORTS: ReadonlySet<string> = new Set([VK_COMMUNITY_HANDOFF]);

export function reportsDelivery(handoffConnector: string | null | undefined): boolean {
  return handoffConnector == null || !WITHOUT_DELIVERY_REPORTS.has(handoffConnector);
}
