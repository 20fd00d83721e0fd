/**
 * Adapter `provider`: VK notifications by phone number through an aggregator's API (vk/providerProfile.ts). The
 * messages given here passed the connector's checks; each provider profile's share goes in requests of up to 1000
 * items, all at once. Answers are read by domain/vkOutcomes.ts.
 */
import { providerItemOutcome, providerRequestOutcome, type VkSendOutcome } from '../../domain/vkOutcomes.js';
import { validitySeconds } from '../../domain/vkLimits.js';
import { postMessages, type ProviderAccess } from '../../vk/providerClient.js';
import { MAX_ITEMS_PER_REQUEST, type ProviderItem } from '../../vk/providerProfile.js';
import type { OutboundMessage } from '../connector.js';
import type { VkProviderConfig, VkSenderConfig } from './vkSettings.js';

/** What one message came to: taken (the provider's id) or an outcome of an error. */
export type ProviderResult = { taken: true; id: string; detail: string } | { taken: false; outcome: VkSendOutcome; detail: string };

/** A `vk.providers` profile as the adapter uses it, worked out once. */
export interface ProviderTarget {
  name: string;
  callbackUrl: string | null;
  access: ProviderAccess;
}

export function providerTarget(name: string, provider: VkProviderConfig, timeoutMs: number): ProviderTarget {
  return {
    name,
    callbackUrl: provider.callbackUrl,
    access: {
      baseUrl: provider.baseUrl.replace(/\/+$/, ''),
      authHeader: provider.authHeader,
      authValue: provider.authValue,
      fieldNames: provider.fieldNames,
      timeoutMs,
    },
  };
}

type Addressed = { message: OutboundMessage; sender: VkSenderConfig };

/** Sends the messages of one profile, in requests of up to 1000 at once; the results in the same order. */
export async function sendThroughProvider(target: ProviderTarget, messages: readonly Addressed[], now: number): Promise<ProviderResult[]> {
  const requests: Promise<ProviderResult[]>[] = [];
  for (let i = 0; i < messages.length; i += MAX_ITEMS_PER_REQUEST) requests.push(sendRequest(target, messages.slice(i, i + MAX_ITEMS_PER_REQUEST), now));
  return (await Promise.all(requests)).flat();
}

async function sendRequest(target: ProviderTarget, messages: readonly Addressed[], now: number): Promise<ProviderResult[]> {
  const profile = target.name;
  const items: ProviderItem[] = messages.map(({ message, sender }) => ({
    phone: message.destination,
    service: sender.service ?? sender.senderName,
    text: typeof message.content === 'string' ? message.content : '',
    validitySeconds: validitySeconds(message.expiresAt, now),
    callbackUrl: target.callbackUrl,
    callbackData: message.uuid,
  }));
  const answer = await postMessages(target.access, items);
  if (!answer.ok) {
    const outcome = providerRequestOutcome(answer.httpStatus);
    return messages.map(() => ({ taken: false, outcome, detail: `provider ${profile}: ${answer.message}` }));
  }
  return answer.results.map((result): ProviderResult => {
    // Left out of the answer: sent again, the provider deduplicates it by callbackData.
    if (result === null) return { taken: false, outcome: { kind: 'retry' }, detail: `provider ${profile}: the answer has no result for this message` };
    if (result.ok) return { taken: true, id: result.id, detail: `provider ${profile} id ${result.id}` };
    return { taken: false, outcome: providerItemOutcome(result.code), detail: `provider ${profile}: ${result.code}${result.message ? ` ${result.message}` : ''}` };
  });
}
