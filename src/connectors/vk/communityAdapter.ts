/**
 * Adapter `community`: VK's own API with a community token (vk/communityClient.ts), one messages.send per message
 * (VK takes one text per call). The destination is a VK peer id: the sender's `peers` entry for it, else itself.
 */
import { communityErrorOutcome, type VkSendOutcome } from '../../domain/vkOutcomes.js';
import { sendCommunityMessage, type CommunityAccess } from '../../vk/communityClient.js';
import { randomIdOf } from '../../vk/randomId.js';
import type { OutboundMessage } from '../connector.js';
import type { VkConfig, VkSenderConfig } from './vkSettings.js';

export type CommunityResult = { taken: true; peerId: string; messageId: number; detail: string } | { taken: false; outcome: VkSendOutcome; detail: string };

export function communityAccess(config: VkConfig, sender: VkSenderConfig): CommunityAccess {
  return { apiBase: config.apiBase.replace(/\/+$/, ''), version: config.apiVersion, token: sender.communityToken ?? '', timeoutMs: config.requestTimeoutMs };
}

export function peerIdOf(sender: VkSenderConfig, destination: string): string {
  return Object.hasOwn(sender.peers, destination) ? sender.peers[destination]! : destination;
}

export async function sendThroughCommunity(access: CommunityAccess, sender: VkSenderConfig, message: OutboundMessage): Promise<CommunityResult> {
  const peerId = peerIdOf(sender, message.destination);
  const text = typeof message.content === 'string' ? message.content : '';
  const answer = await sendCommunityMessage(access, peerId, text, randomIdOf(message.uuid));
  if (answer.ok) return { taken: true, peerId, messageId: answer.messageId, detail: `community ${sender.groupId} message ${answer.messageId} to peer ${peerId}` };
  const detail = `community ${sender.groupId}: ${answer.code === null ? '' : `error ${answer.code} `}${answer.message}`;
  return { taken: false, outcome: communityErrorOutcome(answer.code), detail };
}
