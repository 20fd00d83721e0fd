/**
 * What a VK webhook changes (README "VK"), once its signature or secret was checked: a provider's status callbacks,
 * and a community's Callback API events, become reports, applied in one transaction like an SMPP receipt. Every write
 * is done before the door answers, so a callback accepted is never lost; one that is not (the process died) is sent
 * again, and nothing is counted twice: statuses never go backwards, and an event id is remembered once applied.
 */
import { VK_COMMUNITY_HANDOFF } from '../domain/deliveryReports.js';
import type { ReportEnvelope } from '../domain/reportEnvelope.js';
import { providerStatusReport } from '../domain/vkOutcomes.js';
import type { CallbackEvent } from '../vk/callbackEvents.js';
import { readMessageRead } from '../vk/callbackEvents.js';
import { communityKey, providerKey, VK_CONNECTOR } from '../vk/carrierKey.js';
import type { StatusCallback } from '../vk/providerProfile.js';
import type { VkStateRepository } from '../store/vkState.js';

export type ApplyReports = (reports: ReportEnvelope[]) => Promise<void>;

/** A provider's callbacks as reports, by the provider's id under its profile: a status that overtakes its hand-off waits for it. */
export async function takeProviderCallbacks(applyReports: ApplyReports, profile: string, callbacks: readonly StatusCallback[]): Promise<{ reports: number; skipped: number }> {
  const reports: ReportEnvelope[] = [];
  for (const callback of callbacks) {
    const report = providerStatusReport({ status: callback.status, reason: callback.reason, at: callback.at });
    if (!report) continue;
    reports.push({
      carrierRef: { connector: VK_CONNECTOR, keys: [providerKey(profile, callback.id)] },
      source: VK_CONNECTOR,
      report,
      detail: `VK provider ${profile}: ${callback.status}${callback.reason === null ? '' : ` (${callback.reason})`}, id ${callback.id}`,
    });
  }
  if (reports.length > 0) await applyReports(reports);
  return { reports: reports.length, skipped: callbacks.length - reports.length };
}

/**
 * One Callback API event of a community (its secret already checked). `message_read` reads every message of the
 * community to that peer up to `read_message_id` that is still waiting for it. Other types change nothing.
 */
export async function takeCommunityEvent(state: VkStateRepository, applyReports: ApplyReports, groupId: string, event: CallbackEvent, now: number): Promise<'applied' | 'repeated' | 'ignored'> {
  const eventId = event.event_id;
  if (eventId !== undefined && (await state.seenEvent(groupId, eventId))) return 'repeated';
  const read = event.type === 'message_read' ? readMessageRead(event.object) : null;
  let outcome: 'applied' | 'ignored' = 'ignored';
  if (read) {
    const peerId = String(read.peer_id);
    const ids = await state.communityMessagesThrough(groupId, peerId, read.read_message_id);
    if (ids.length > 0) {
      await applyReports(
        ids.map((id) => ({
          carrierRef: { connector: VK_COMMUNITY_HANDOFF, keys: [communityKey(groupId, id)] },
          source: VK_COMMUNITY_HANDOFF,
          report: { kind: 'read', at: now },
          detail: `VK community ${groupId}: message_read up to ${read.read_message_id} by peer ${peerId}`,
        })),
      );
      // After the reports: a crash between the two makes VK's retry apply them again, harmlessly.
      await state.forgetCommunityMessages(groupId, peerId, ids);
    }
    outcome = 'applied';
  }
  if (eventId !== undefined) await state.rememberEvent(groupId, eventId, now);
  return outcome;
}
