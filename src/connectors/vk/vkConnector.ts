/**
 * VK (spec §6.5, §13; README "VK"), through a notifications provider (adapter `provider`) or VK's community API
 * (adapter `community`), chosen per sender name. It never writes messages: a hand-off answers with the platform's
 * id as the carrier ref, and the platform's statuses come back as webhooks, which the HTTP door turns into reports
 * (service/vkWebhook.ts). It reads and keeps the VK state every node shares through `VkStateView`.
 *
 * sendBatch(messages), each refusal before any call (no money spent):
 * 1. the sender name needs a `vk.senders` row, else `unsent` 614; a paused sender (circuit breaker) keeps its
 *    messages waiting;
 * 2. provider: the daily limit per phone and group, counted in the database (domain/vkLimits.ts), else `unsent` 613;
 * 3. pacing per group (groupPacer.ts): the excess waits in the queue;
 * 4. the calls: one provider request per profile and 1000 messages, one messages.send per community message.
 */
import type { Clock } from '../../clock.js';
import { VK_COMMUNITY_HANDOFF } from '../../domain/deliveryReports.js';
import { DAILY_WINDOW_MS, dailyLimitDetail } from '../../domain/vkLimits.js';
import type { VkSendOutcome } from '../../domain/vkOutcomes.js';
import { communityKey, providerKey, VK_CONNECTOR } from '../../vk/carrierKey.js';
import { MAX_ITEMS_PER_REQUEST } from '../../vk/providerProfile.js';
import type { Connector, ConnectorEvents, HandoffResult, OutboundMessage } from '../connector.js';
import { SenderBreaker } from '../senderBreaker.js';
import { communityAccess, sendThroughCommunity } from './communityAdapter.js';
import { GroupPacer } from './groupPacer.js';
import { providerTarget, sendThroughProvider } from './providerAdapter.js';
import type { VkLogger, VkStateView } from './vkState.js';
import { DEFAULT_COMMUNITY_THROUGHPUT, DEFAULT_PROVIDER_THROUGHPUT, type VkConfig, type VkSenderConfig } from './vkSettings.js';

export interface VkConnectorOptions {
  config: VkConfig;
  state: VkStateView;
  clock: Clock;
  logger?: VkLogger;
}

/** After no answer, a 429, a 5xx or a transient error code. */
const RETRY_AFTER_MS = 5_000;
/** How often a node purges the VK state of what no longer matters, and how old that is (a day past the longest ttl). */
const PURGE_EVERY_MS = 60 * 60 * 1000;
const KEEP_MS = 2 * DAILY_WINDOW_MS;

interface Pending {
  index: number;
  message: OutboundMessage;
  sender: VkSenderConfig;
  probe: boolean;
}

export function createVkConnector(options: VkConnectorOptions): Connector {
  const { config, state, clock, logger } = options;
  const senders = new Map(config.senders.map((sender) => [sender.senderName, sender]));
  // Worked out once per profile and community, not on every send.
  const providers = new Map(Object.entries(config.providers).map(([name, provider]) => [name, providerTarget(name, provider, config.requestTimeoutMs)]));
  const communities = new Map(config.senders.filter((s) => s.adapter === 'community').map((s) => [s.senderName, communityAccess(config, s)]));
  const pacer = new GroupPacer();
  const breaker = new SenderBreaker(state, config.pauseProbeMs);
  let purgeTimer: NodeJS.Timeout | null = null;

  const paceKey = (sender: VkSenderConfig) => (sender.adapter === 'community' ? `community:${sender.groupId}` : `service:${sender.provider}:${sender.service ?? sender.senderName}`);
  const throughputOf = (sender: VkSenderConfig) => sender.throughput ?? (sender.adapter === 'community' ? DEFAULT_COMMUNITY_THROUGHPUT : DEFAULT_PROVIDER_THROUGHPUT);

  /** An error's outcome as a hand-off result; a sender the platform refused is paused. */
  async function resultOf(pending: Pending, outcome: VkSendOutcome, detail: string, tripped: Set<string>): Promise<HandoffResult> {
    if (pending.probe) {
      await breaker.probeEnded(pending.sender.senderName, outcome.kind !== 'retry' && !(outcome.kind === 'unsent' && outcome.pauseSender), clock.now());
    }
    if (outcome.kind === 'retry') return { kind: 'retry', afterMs: RETRY_AFTER_MS, detail };
    if (outcome.kind === 'undelivered') return { kind: 'undelivered', errorCode: outcome.errorCode, detail };
    // Once per sender and batch: a refused request answers for up to 1000 messages of the same senders.
    if (outcome.pauseSender && !tripped.has(pending.sender.senderName)) {
      tripped.add(pending.sender.senderName);
      await breaker.trip(pending.sender.senderName, detail, clock.now());
      logger?.error(
        { senderName: pending.sender.senderName, adapter: pending.sender.adapter },
        'VK sender PAUSED: the platform refused its credentials or group; its messages wait until `direct-gateway vk senders resume` or a probe goes through',
      );
    }
    return { kind: 'refused', errorCode: outcome.errorCode, detail };
  }

  async function taken(pending: Pending): Promise<void> {
    if (!pending.probe) return;
    await breaker.probeEnded(pending.sender.senderName, true, clock.now());
    logger?.warn({ senderName: pending.sender.senderName }, 'VK sender resumed: a probe message went through');
  }

  /** Step 2: the daily limit of provider messages, in one call to the store. */
  async function underDailyLimit(pending: Pending[], results: HandoffResult[], now: number): Promise<Pending[]> {
    const counted = pending.filter((p) => p.sender.adapter === 'provider');
    if (config.dailyLimit === 0 || counted.length === 0) return pending;
    const granted = await state.takeDailySlots(
      counted.map((p) => ({ uuid: p.message.uuid, senderName: p.sender.senderName, phone: p.message.destination })),
      now,
      config.dailyLimit,
      DAILY_WINDOW_MS,
    );
    const refused = new Set<Pending>();
    counted.forEach((p, i) => {
      if (granted[i]) return;
      refused.add(p);
      results[p.index] = { kind: 'refused', errorCode: 613, detail: dailyLimitDetail(config.dailyLimit) };
    });
    // Refused by the gateway's own count: the probe proved nothing about the sender.
    for (const p of refused) if (p.probe) await breaker.probeEnded(p.sender.senderName, false, now);
    return pending.filter((p) => !refused.has(p));
  }

  /** Step 3: pacing per group. A message sent back keeps its daily slot: it counts once, whenever it goes. */
  async function paced(pending: Pending[], results: HandoffResult[], now: number): Promise<Pending[]> {
    const byGroup = new Map<string, Pending[]>();
    for (const p of pending) {
      const key = paceKey(p.sender);
      let group = byGroup.get(key);
      if (!group) byGroup.set(key, (group = []));
      group.push(p);
    }
    const going: Pending[] = [];
    for (const [key, group] of byGroup) {
      const waits = pacer.take(key, group.length, throughputOf(group[0]!.sender), now);
      for (const [i, p] of group.entries()) {
        if (waits[i] === 0) going.push(p);
        else {
          results[p.index] = { kind: 'retry', afterMs: waits[i]!, detail: 'paced: this group sent its messages of this second' };
          if (p.probe) await breaker.probeEnded(p.sender.senderName, false, now);
        }
      }
    }
    return going;
  }

  async function sendProviderShare(pending: Pending[], results: HandoffResult[], now: number, tripped: Set<string>): Promise<void> {
    const byProfile = new Map<string, Pending[]>();
    for (const p of pending) {
      const profile = p.sender.provider!;
      let share = byProfile.get(profile);
      if (!share) byProfile.set(profile, (share = []));
      share.push(p);
    }
    const release: string[] = [];
    await Promise.all(
      [...byProfile].map(async ([profile, share]) => {
        const answered = await sendThroughProvider(providers.get(profile)!, share, now);
        for (const [i, p] of share.entries()) {
          const answer = answered[i]!;
          if (answer.taken) {
            await taken(p);
            results[p.index] = { kind: 'sent', carrierRefs: [[providerKey(profile, answer.id)]], detail: answer.detail };
            continue;
          }
          if (answer.outcome.kind !== 'retry' && !(answer.outcome.kind === 'unsent' && answer.outcome.keepsDailySlot)) release.push(p.message.uuid);
          results[p.index] = await resultOf(p, answer.outcome, answer.detail, tripped);
        }
      }),
    );
    if (release.length > 0 && config.dailyLimit > 0) await state.releaseDailySlots(release);
  }

  async function sendCommunityMessage(p: Pending, results: HandoffResult[], tripped: Set<string>): Promise<void> {
    const answer = await sendThroughCommunity(communities.get(p.sender.senderName)!, p.sender, p.message);
    if (!answer.taken) {
      results[p.index] = await resultOf(p, answer.outcome, answer.detail, tripped);
      return;
    }
    // Kept for message_read, which says "read up to this id" (service/vkWebhook.ts).
    await state.recordCommunityMessage(p.sender.groupId!, answer.peerId, answer.messageId, clock.now());
    await taken(p);
    results[p.index] = { kind: 'sent', carrierRefs: [[communityKey(p.sender.groupId!, answer.messageId)]], detail: answer.detail, via: VK_COMMUNITY_HANDOFF };
  }

  async function sendBatch(messages: OutboundMessage[]): Promise<HandoffResult[]> {
    const results = new Array<HandoffResult>(messages.length);
    const now = clock.now();
    let pending: Pending[] = [];
    for (const [index, message] of messages.entries()) {
      const sender = senders.get(message.senderName);
      if (!sender) {
        results[index] = { kind: 'refused', errorCode: 614, detail: `no vk.senders row has senderName ${JSON.stringify(message.senderName)}` };
        continue;
      }
      const gate = await breaker.decide(sender.senderName, now);
      if (!gate.send) results[index] = { kind: 'retry', afterMs: gate.retryAfterMs, detail: gate.reason };
      else pending.push({ index, message, sender, probe: gate.probe });
    }
    pending = await underDailyLimit(pending, results, now);
    pending = await paced(pending, results, now);
    const tripped = new Set<string>();
    await Promise.all([
      sendProviderShare(pending.filter((p) => p.sender.adapter === 'provider'), results, now, tripped),
      ...pending.filter((p) => p.sender.adapter === 'community').map((p) => sendCommunityMessage(p, results, tripped)),
    ]);
    return results;
  }

  return {
    name: VK_CONNECTOR,
    maxBatch: MAX_ITEMS_PER_REQUEST,
    async start(_emit: ConnectorEvents) {
      const purge = () =>
        void state.purge(clock.now() - KEEP_MS).catch((error: unknown) => logger?.warn({ err: error }, 'VK state could not be purged: tried again later'));
      purge();
      purgeTimer = setInterval(purge, PURGE_EVERY_MS);
      purgeTimer.unref();
    },
    async send(message) {
      return (await sendBatch([message]))[0]!;
    },
    sendBatch,
    async stop() {
      if (purgeTimer) clearInterval(purgeTimer);
      purgeTimer = null;
    },
  };
}
