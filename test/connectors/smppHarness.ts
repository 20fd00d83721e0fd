/** Shared set-up of the SMPP connector tests: a stand-in SMSC on a free port and a connector bound to it. */
import assert from 'node:assert/strict';
import type { CarrierEvent, InboundMessage, OutboundMessage } from '../../src/connectors/connector.js';
import { createSmppConnector, type SmppConnector } from '../../src/connectors/smpp/smppConnector.js';
import { SMPP_DEFAULTS, type SmscConfig } from '../../src/connectors/smpp/smppConfig.js';
import { SmscStandIn, type SmscStandInOptions } from '../support/smscStandIn.js';
import { ManualClock } from '../support/manualClock.js';

export interface Harness {
  smsc: SmscStandIn;
  connector: SmppConnector;
  clock: ManualClock;
  reports: CarrierEvent[];
  inbound: InboundMessage[];
  config: SmscConfig;
  /** Log lines the connector wrote, as `level message`. */
  logs: string[];
}

export interface HarnessOptions {
  smsc?: SmscStandInOptions;
  config?: Partial<SmscConfig>;
  /** Wait for this many submitting sessions before the test body (0 = don't wait). Default 1. */
  bound?: number;
}

/** Test-friendly timings: fast reconnects and timeouts. */
export function testConfig(port: number, overrides: Partial<SmscConfig> = {}): SmscConfig {
  return {
    ...SMPP_DEFAULTS,
    name: 'test',
    host: '127.0.0.1',
    port,
    systemId: 'test',
    password: 'secret',
    reconnectMinMs: 50,
    reconnectMaxMs: 400,
    responseTimeoutMs: 3_000,
    ...overrides,
  };
}

/** Runs `body` against a fresh stand-in and connector; always stops both; the stand-in must see no SMPP 3.4 violation. */
export async function withSmsc(options: HarnessOptions, body: (h: Harness) => Promise<void>): Promise<void> {
  const smsc = new SmscStandIn(options.smsc);
  const { port } = await smsc.start();
  const clock = new ManualClock();
  const logs: string[] = [];
  const logger = {
    info: (_detail: object, message: string) => logs.push(`info ${message}`),
    warn: (_detail: object, message: string) => logs.push(`warn ${message}`),
  };
  const config = testConfig(port, options.config);
  const connector = createSmppConnector(config, { clock, logger });
  const h: Harness = { smsc, connector, clock, reports: [], inbound: [], config, logs };
  await connector.start({ report: (event) => h.reports.push(event), inbound: (message) => h.inbound.push(message) });
  try {
    const bound = options.bound ?? 1;
    if (bound > 0) await connector.whenBound(15_000, bound);
    await body(h);
  } finally {
    await connector.stop();
    await smsc.close();
  }
  assert.deepEqual(smsc.violations, [], 'the stand-in saw SMPP 3.4 violations');
}

let counter = 0;

export function sms(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  counter += 1;
  return {
    uuid: `0196a000-0000-7000-8000-${String(counter).padStart(12, '0')}`,
    accountId: 1,
    channelType: 'SMS',
    senderName: 'Acme',
    destination: `7926${String(1_000_000 + counter).slice(-7)}`,
    content: 'Hello from the gateway',
    totalParts: 1,
    expiresAt: Date.parse('2026-05-02T11:00:00Z'),
    ...overrides,
  };
}

/** The deadline only turns a hang into a failure: generous, so that a loaded machine makes a test slower, not red. */
export async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
