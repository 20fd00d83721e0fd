/**
 * A gateway whose WHATSAPP goes to the Cloud API stand-in (whatsappStandIn.ts) over real HTTP, and whose webhook
 * URL the stand-in calls: the pair every WhatsApp test starts from. The engine runs by hand (`settle`), at a
 * ManualClock set to the real time (Meta's timestamps are real seconds).
 */
import type { GatewayConfig } from '../../src/config.js';
import type { WhatsAppSenderConfig } from '../../src/connectors/whatsapp/whatsappSettings.js';
import { call, startGateway, type TestGateway } from './gateway.js';
import { ManualClock } from './manualClock.js';
import { startWhatsAppStandIn, type StandInTemplate, type WhatsAppStandInOptions, type WhatsAppStandIn } from './whatsappStandIn.js';

export const WA = {
  senderName: 'ShopBot',
  phoneNumberId: '106540352242922',
  displayPhoneNumber: '15550783881',
  wabaId: '102290129340398',
  accessToken: 'EAAtest-token',
  appSecret: 'app-secret-1',
  verifyToken: 'verify-me',
} as const;

export const TEMPLATES: StandInTemplate[] = [
  { id: '880001', name: 'order_shipped', language: 'en_US', status: 'APPROVED', category: 'UTILITY', bodyText: 'Order {{1}} ships on {{2}}' },
  { id: '880002', name: 'login_code', language: 'en_US', status: 'APPROVED', category: 'AUTHENTICATION', bodyText: '{{1}} is your code' },
  { id: '880003', name: 'summer_sale', language: 'en_US', status: 'PAUSED', category: 'MARKETING', bodyText: 'Sale!' },
  { id: '880004', name: 'welcome', language: 'en_US', status: 'APPROVED', category: 'MARKETING', bodyText: 'Welcome to the shop' },
];

export interface WhatsAppTestPair {
  gateway: TestGateway;
  wa: WhatsAppStandIn;
  auth: string;
  accountId: number;
  clock: ManualClock;
  /** POST /api/v1/message with one WHATSAPP item; returns its uuid. */
  send(destination: string, content: unknown, extra?: Record<string, unknown>): Promise<string>;
  /** GET /api/v1/message/{uuid}. */
  message(uuid: string): Promise<any>;
  /** Engine rounds until quiet, the stand-in's webhooks answered, and again. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export function senderRow(overrides: Partial<WhatsAppSenderConfig> = {}): WhatsAppSenderConfig {
  return {
    senderName: WA.senderName,
    phoneNumberId: WA.phoneNumberId,
    wabaId: WA.wabaId,
    accessToken: WA.accessToken,
    appSecret: WA.appSecret,
    verifyToken: WA.verifyToken,
    graphVersion: null,
    throughput: 1000,
    inboundAccount: null,
    ...overrides,
  };
}

export async function startWhatsAppPair(
  options: { standIn?: Partial<WhatsAppStandInOptions>; config?: (config: GatewayConfig) => void } = {},
): Promise<WhatsAppTestPair> {
  const wa = await startWhatsAppStandIn({
    accessToken: WA.accessToken,
    appSecret: WA.appSecret,
    phoneNumbers: [{ phoneNumberId: WA.phoneNumberId, displayPhoneNumber: WA.displayPhoneNumber, wabaId: WA.wabaId }],
    templates: { [WA.wabaId]: TEMPLATES.map((t) => ({ ...t })) },
    ...options.standIn,
  });
  const clock = new ManualClock(Date.now());
  const gateway = await startGateway((config) => {
    config.channels.WHATSAPP.connector = 'whatsapp';
    config.whatsapp.graphBase = wa.baseUrl;
    config.whatsapp.pairIntervalMs = 0;
    config.whatsapp.requestTimeoutMs = 2_000;
    config.whatsapp.senders = [senderRow()];
    options.config?.(config);
  }, clock);
  wa.setWebhookUrl(`${gateway.url}/webhooks/whatsapp`);
  const { auth, accountId } = await gateway.account('wa-shop', { senders: [{ channel: 'WHATSAPP', name: WA.senderName }] });
  const settle = async () => {
    await gateway.settle();
    await wa.idle();
    await gateway.settle();
  };
  return {
    gateway,
    wa,
    auth,
    accountId,
    clock,
    async send(destination, content, extra = {}) {
      const answer = await call(gateway, 'POST', '/api/v1/message', {
        auth,
        body: [{ channelType: 'WHATSAPP', senderName: WA.senderName, destination, content, ...extra }],
      });
      const item = answer.body?.items?.[0] ?? answer.body?.[0] ?? answer.body;
      const uuid = item?.messageUuid;
      if (answer.status !== 200 || typeof uuid !== 'string') throw new Error(`not accepted: ${answer.status} ${answer.text}`);
      return uuid;
    },
    async message(uuid) {
      return (await call(gateway, 'GET', `/api/v1/message/${uuid}`, { auth })).body;
    },
    settle,
    async close() {
      await gateway.close();
      await wa.close();
    },
  };
}
