/**
 * Small readers shared by the VK connector tests (test/connectors/vk/*.test.ts): the timeline of a message, the
 * items the provider stand-in received for a phone, and the breaker's pauses.
 */
import assert from 'node:assert/strict';
import { resumedWaiting } from '../../../src/connectors/senderBreaker.js';
import { call } from '../../support/gateway.js';
import { VK, type VkTestPair } from '../../support/vkGateway.js';

/** The connector's retry time after a transient error (vkConnector.ts RETRY_AFTER_MS), plus a margin. */
export const PAST_RETRY_MS = 5_001;

export interface TimelineEvent {
  time: string;
  kind: string;
  detail: Record<string, any> | null;
}

export async function timeline(pair: VkTestPair, uuid: string): Promise<TimelineEvent[]> {
  const answer = await call(pair.gateway, 'GET', `/api/v1/message/${uuid}/events`, { auth: pair.auth });
  assert.equal(answer.status, 200, answer.text);
  return answer.body as TimelineEvent[];
}

/** The statuses the timeline records, in order. */
export async function timelineStatuses(pair: VkTestPair, uuid: string): Promise<string[]> {
  return (await timeline(pair, uuid)).flatMap((e) => (e.detail?.statuses as string[] | undefined) ?? []);
}

/** Every item the provider stand-in received for this phone (each request that carried it, answered or not). */
export function itemsTo(pair: VkTestPair, phone: string): Record<string, any>[] {
  return pair.provider.requests.flatMap((r) => (((r.body as any)?.messages ?? []) as Record<string, any>[]).filter((m) => m?.phone === phone));
}

/** The provider requests that carried an item for this phone. */
export function requestsTo(pair: VkTestPair, phone: string) {
  return pair.provider.requests.filter((r) => (((r.body as any)?.messages ?? []) as Record<string, any>[]).some((m) => m?.phone === phone));
}

export async function pausedNames(pair: VkTestPair): Promise<string[]> {
  return (await pair.gateway.store.vk.pausedSenders()).map((p) => p.senderName);
}

/** Leaves the sender unpaused and the breaker refreshed (it reads the pauses every 2 s). */
export async function resume(pair: VkTestPair, senderName: string = VK.senderName): Promise<void> {
  await pair.gateway.store.vk.resumeSender(senderName, resumedWaiting(pair.clock.now()));
  pair.clock.advance(3_000);
}

/** The accepted provider item of a message (by callbackData = uuid). */
export function providerSendOf(pair: VkTestPair, uuid: string) {
  const send = pair.provider.sends.find((s) => s.callbackData === uuid);
  assert.ok(send, `the provider stand-in accepted ${uuid}`);
  return send;
}
