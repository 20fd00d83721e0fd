/**
 * A gateway whose VK goes to the provider stand-in (vkProviderStandIn.ts) and the community stand-in
 * (vkCommunityStandIn.ts) over real HTTP, and whose webhook URLs they call: the pair every VK test starts from.
 * The engine runs by hand (`settle`), at a ManualClock set to the real time (the platforms' times are real).
 */
import type { GatewayConfig } from '../../src/config.js';
import type { VkProviderConfig, VkSenderConfig } from '../../src/connectors/vk/vkSettings.js';
import { DEFAULT_FIELD_NAMES } from '../../src/vk/providerProfile.js';
import { call, startGateway, type TestGateway } from './gateway.js';
import { ManualClock } from './manualClock.js';
import { startVkCommunityStandIn, type VkCommunityStandIn, type VkCommunityStandInOptions } from './vkCommunityStandIn.js';
import { startVkProviderStandIn, type VkProviderStandIn, type VkProviderStandInOptions } from './vkProviderStandIn.js';

export const VK = {
  profile: 'notify',
  authValue: 'Bearer provider-key',
  callbackSecret: 'provider-callback-secret',
  senderName: 'ShopVK',
  communitySender: 'ShopCommunity',
  groupId: '218000111',
  communityToken: 'vk1.a.community-token',
  communitySecret: 'community-secret',
  confirmationCode: 'a1b2c3d4',
} as const;

/** The `vk.providers` profile of the stand-in at `baseUrl`, with the test's credentials. */
export function providerProfile(baseUrl: string): VkProviderConfig {
  return {
    baseUrl,
    authHeader: 'Authorization',
    authValue: VK.authValue,
    callbackSecret: VK.callbackSecret,
    signatureHeader: 'X-Signature',
    callbackUrl: null,
    fieldNames: { ...DEFAULT_FIELD_NAMES },
  };
}

export function providerSender(overrides: Partial<VkSenderConfig> = {}): VkSenderConfig {
  return {
    senderName: VK.senderName,
    adapter: 'provider',
    provider: VK.profile,
    service: null,
    throughput: 1000,
    groupId: null,
    communityToken: null,
    callbackSecret: null,
    confirmationCode: null,
    peers: {},
    ...overrides,
  };
}

export function communitySender(overrides: Partial<VkSenderConfig> = {}): VkSenderConfig {
  return {
    senderName: VK.communitySender,
    adapter: 'community',
    provider: null,
    service: null,
    throughput: 1000,
    groupId: VK.groupId,
    communityToken: VK.communityToken,
    callbackSecret: VK.communitySecret,
    confirmationCode: VK.confirmationCode,
    peers: {},
    ...overrides,
  };
}

export interface VkTestPair {
  gateway: TestGateway;
  provider: VkProviderStandIn;
  community: VkCommunityStandIn;
  auth: string;
  accountId: number;
  clock: ManualClock;
  /** POST /api/v1/message with one VK item; returns its uuid. */
  send(destination: string, content?: string, extra?: Record<string, unknown>): Promise<string>;
  /** POST /api/v1/message with many VK items; returns their uuids. */
  sendMany(items: { destination: string; content?: string; senderName?: string }[]): Promise<string[]>;
  /** GET /api/v1/message/{uuid}. */
  message(uuid: string): Promise<any>;
  /** Engine rounds until quiet, the stand-ins' callbacks answered, and again. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface VkPairOptions {
  provider?: Partial<VkProviderStandInOptions>;
  community?: Partial<VkCommunityStandInOptions>;
  config?: (config: GatewayConfig) => void;
  /** Another database (a PostgreSQL URL) instead of a fresh SQLite file. */
  database?: string;
}

export async function startVkPair(options: VkPairOptions = {}): Promise<VkTestPair> {
  const provider = await startVkProviderStandIn({ authValue: VK.authValue, callbackSecret: VK.callbackSecret, groupRatePerSecond: 0, ...options.provider });
  const community = await startVkCommunityStandIn({
    accessToken: VK.communityToken,
    groupId: Number(VK.groupId),
    secret: VK.communitySecret,
    confirmationCode: VK.confirmationCode,
    ratePerSecond: 0,
    ...options.community,
  });
  const clock = new ManualClock(Date.now());
  let webhookBase = '';
  const gateway = await startGateway((config) => {
    if (options.database) config.database = options.database;
    config.channels.VK.connector = 'vk';
    config.vk.apiBase = community.baseUrl;
    config.vk.requestTimeoutMs = 2_000;
    config.vk.providers = { [VK.profile]: providerProfile(provider.baseUrl) };
    config.vk.senders = [providerSender(), communitySender()];
    options.config?.(config);
  }, clock);
  webhookBase = `${gateway.url}/webhooks/vk`;
  provider.setCallbackUrl(`${webhookBase}/${VK.profile}`);
  community.setCallbackUrl(`${webhookBase}/community`);
  const senderNames = [...new Set(gateway.config.vk.senders.map((s) => s.senderName))];
  const { auth, accountId } = await gateway.account(`vk-${Math.random().toString(36).slice(2, 8)}`, { senders: senderNames.map((name) => ({ channel: 'VK' as const, name })) });
  const settle = async () => {
    await gateway.settle();
    await provider.idle();
    await community.idle();
    await gateway.settle();
  };
  const sendMany = async (items: { destination: string; content?: string; senderName?: string }[]) => {
    const answer = await call(gateway, 'POST', '/api/v1/message', {
      auth,
      body: items.map((item) => ({ channelType: 'VK', senderName: item.senderName ?? VK.senderName, destination: item.destination, content: item.content ?? 'Your code is 1234' })),
    });
    const rows: any[] = answer.body?.items ?? answer.body ?? [];
    const uuids = rows.map((row) => row?.messageUuid);
    if (answer.status !== 200 || uuids.some((u) => typeof u !== 'string')) throw new Error(`not accepted: ${answer.status} ${answer.text}`);
    return uuids as string[];
  };
  return {
    gateway,
    provider,
    community,
    auth,
    accountId,
    clock,
    async send(destination, content = 'Your code is 1234', extra = {}) {
      const answer = await call(gateway, 'POST', '/api/v1/message', {
        auth,
        body: [{ channelType: 'VK', senderName: VK.senderName, destination, content, ...extra }],
      });
      const item = answer.body?.items?.[0] ?? answer.body?.[0] ?? answer.body;
      const uuid = item?.messageUuid;
      if (answer.status !== 200 || typeof uuid !== 'string') throw new Error(`not accepted: ${answer.status} ${answer.text}`);
      return uuid;
    },
    sendMany,
    async message(uuid) {
      return (await call(gateway, 'GET', `/api/v1/message/${uuid}`, { auth })).body;
    },
    settle,
    async close() {
      await gateway.close();
      await provider.close();
      await community.close();
    },
  };
}
