import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { hashSecret, generateApiKey } from '../../src/auth/apiKeys.js';
import type { Clock } from '../../src/clock.js';
import type { GatewayConfig } from '../../src/config.js';
import { defaultConfig } from '../../src/configLoad.js';
import { createInlineGateway } from '../../src/gateway.js';
import type { Delivery } from '../../src/delivery/delivery.js';
import type { KeyType, Store } from '../../src/store/store.js';
import { ManualClock } from './manualClock.js';
import type { SmppDoor } from '../../src/smppDoor/startSmppDoor.js';

export interface TestGateway {
  url: string;
  store: Store;
  clock: ManualClock;
  config: GatewayConfig;
  app: FastifyInstance;
  engine: Delivery['engine'];
  callbacks: Delivery['callbacks'];
  /** The SMPP door for clients, when the overrides enable `smppServer`. */
  smpp: SmppDoor | null;
  /**
   * Runs engine rounds and callback rounds until nothing moves (simulator timers included): the
   * delivery pipeline driven by hand, at the ManualClock's time.
   */
  settle(options?: { quietRounds?: number; maxRounds?: number }): Promise<void>;
  /** Creates an account with a key and returns its `Authorization` header value. */
  account(name: string, options?: AccountOptions): Promise<{ auth: string; accountId: number }>;
  close(): Promise<void>;
}

export interface AccountOptions {
  balance?: number;
  currency?: string;
  keyType?: KeyType;
  billing?: boolean;
  senders?: { channel: 'SMS' | 'WHATSAPP' | 'VK' | 'FLASHCALL'; name: string }[];
}

/**
 * A real gateway on a real port, on a fresh SQLite file, with an injected clock. The engine and the
 * callback sender do not run by themselves: tests drive them with `settle()` (or `engine.runOnce()`).
 * The simulator reports 1 ms after a hand-off unless the overrides say otherwise: in the next round, so that
 * tests see `sent` first (a delay of 0 would report in the hand-off's own round).
 */
export async function startGateway(overrides: (config: GatewayConfig) => void = () => {}, clock = new ManualClock()): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-test-'));
  const config = defaultConfig();
  config.database = join(dir, 'gateway.db');
  config.logLevel = 'silent';
  config.http.port = 0;
  config.simulator = { deliveryDelayMs: 1, slowDelayMs: 1, readDelayMs: 1 };
  overrides(config);
  const gateway = await createInlineGateway(config, clock as Clock);
  const { store, app } = gateway;
  const { engine, callbacks } = gateway.delivery;
  await engine.startConnectors();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    clock,
    config,
    app,
    engine,
    callbacks,
    smpp: gateway.smpp,
    async settle({ quietRounds = 3, maxRounds = 200 } = {}) {
      let quiet = 0;
      for (let round = 0; round < maxRounds && quiet < quietRounds; round++) {
        const work = (await engine.runOnce()) + (await callbacks.tick());
        quiet = work === 0 ? quiet + 1 : 0;
        // Lets simulator timers (1 ms) and HTTP exchanges with receivers complete between rounds.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async account(name, options = {}) {
      const account = await store.accounts.create(
        { name, currency: options.currency ?? 'RUB', balance: (options.balance ?? 1000) * 10_000, billingEnabled: options.billing ?? true },
        clock.now(),
      );
      const key = generateApiKey();
      await store.keys.create(
        { keyId: key.keyId, secretHash: hashSecret(key.secret), type: options.keyType ?? 1, accountId: account.id, trafficCenterId: 1 },
        clock.now(),
      );
      for (const sender of options.senders ?? []) {
        await store.senders.approve({ accountId: account.id, channel: sender.channel, name: sender.name, trafficType: null, startsAt: 0 });
      }
      return { auth: `Basic ${key.token}`, accountId: account.id };
    },
    async close() {
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** fetch with JSON in and out. */
export async function call(
  gateway: TestGateway,
  method: string,
  path: string,
  options: { auth?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) headers.authorization = options.auth;
  let body: string | Uint8Array | undefined = options.rawBody === undefined || typeof options.rawBody === "string" ? options.rawBody : new Uint8Array(options.rawBody);
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(gateway.url + path, { method, headers, body: body as BodyInit | undefined });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

export const CANONICAL_VOICECODE = {
  channelType: 'VOICECODE',
  senderName: 'voicecode',
  destination: '14085553911',
  content: { contentType: 'text', text: 'Код авторизации от revicom: 3 4 5 6' },
  callbackUrl: 'https://company.com/callback',
  callbackEvents: ['sent', 'delivered'],
  tags: ['tag1', 'tag2'],
};
