/**
 * The SIP connector end to end (issue 4): a test gateway whose VOICECODE and FLASHCALL go through the SIP
 * connector to sipp (test/support/sipp.ts) as the callee over real UDP on 127.0.0.1, with the scenarios of
 * test/connectors/sip/scenarios; the delivery pipeline driven in real time, since a call takes real time.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from '../../../src/config.js';
import { startCallbackReceiver, type CallbackEventBody, type CallbackReceiver } from '../../support/callbackReceiver.js';
import { messageOf, pause, startDeliveryGateway, timelineOf, type TimelineEntryView } from '../../support/delivery.js';
import type { TestGateway } from '../../support/gateway.js';
import { sendOk, uniqueName } from '../../support/http.js';
import { describeSipp, freeUdpPort, SCENARIO_DIR, startSipp, type SippResult, type SippRun } from '../../support/sipp.js';

export { firstMessage, parseSippMessages, type SippLogEntry } from './sippLog.js';

/** The scenarios' numbers: the gateway's default caller number, and the callee every test calls. */
export const CALLER = '74950000000';
export const CALLEE = '79001234567';
/** config.sip.flashcallNumberPattern's default, which flashcall-*.xml check the caller ID against. */
export const FLASHCALL_PATTERN = '7495123XXXX';

/** From dist/test/connectors/sip/ back to the sources: tsc does not copy the XML files. */
const OWN_SCENARIO_DIR = fileURLToPath(new URL('../../../../test/connectors/sip/scenarios/', import.meta.url));

/** startSipp takes a name in test/sip/scenarios: ours, relative to it. */
export function scenario(name: string): string {
  return path.relative(SCENARIO_DIR, path.join(OWN_SCENARIO_DIR, name));
}

export interface SipGateway {
  gateway: TestGateway;
  /** Where the gateway's trunk is: each test starts its own sipp on this port. */
  trunkPort: number;
  auth: string;
  callbacks: CallbackReceiver;
  close(): Promise<void>;
}

/**
 * A test gateway with VOICECODE and FLASHCALL on the SIP connector, its trunk on a port sipp will listen on, RTP
 * from `rtpPorts` (away from sipp's media ports, 6000 and up), callbacks to a local receiver.
 */
export async function startSipGateway(options: {
  rtpPorts: [number, number];
  /** A free port when absent. */
  trunkPort?: number;
  configure?: (config: GatewayConfig) => void;
}): Promise<SipGateway> {
  const trunkPort = options.trunkPort ?? (await freeUdpPort());
  const gateway = await startDeliveryGateway((config) => {
    config.channels.VOICECODE.connector = 'sip';
    config.channels.FLASHCALL.connector = 'sip';
    config.sip.trunkHost = '127.0.0.1';
    config.sip.trunkPort = trunkPort;
    config.sip.localAddress = '127.0.0.1';
    config.sip.rtpPortMin = options.rtpPorts[0];
    config.sip.rtpPortMax = options.rtpPorts[1];
    config.callbacks.allowPrivateTargets = true;
    options.configure?.(config);
  });
  const callbacks = await startCallbackReceiver();
  const { auth } = await gateway.account(uniqueName('sip'));
  return {
    gateway,
    trunkPort,
    auth,
    callbacks,
    async close() {
      await gateway.close();
      await callbacks.close();
    },
  };
}

/** Starts sipp with one of our scenarios on the gateway's trunk port. */
export function startCallee(sip: SipGateway, name: string, options: { timeoutSeconds?: number; args?: string[] } = {}): Promise<SippRun> {
  return startSipp({ scenario: scenario(name), port: sip.trunkPort, timeoutSeconds: options.timeoutSeconds ?? 10, args: options.args ?? [] });
}

export function assertSippPassed(result: SippResult): void {
  assert.equal(result.exitCode, 0, describeSipp(result));
}

/** Sends one message over HTTP with `sent` and `delivered` callbacks to the receiver; returns its uuid. */
export async function sendMessage(sip: SipGateway, item: Record<string, unknown>): Promise<string> {
  const [uuid] = await sendOk(sip.gateway, sip.auth, [
    { destination: CALLEE, callbackUrl: sip.callbacks.url(`/cb/${uniqueName('m')}`), callbackEvents: ['sent', 'delivered'], ...item },
  ]);
  return uuid!;
}

export function voicecodeItem(text = 'Код авторизации от revicom: 3 4 5 6'): Record<string, unknown> {
  return { channelType: 'VOICECODE', senderName: 'voicecode', content: { contentType: 'text', text } };
}

export function flashcallItem(code: string): Record<string, unknown> {
  return { channelType: 'FLASHCALL', senderName: 'any sender', content: code };
}

/**
 * Runs engine and callback rounds in real time (every ~10 ms) until stopped: the SIP connector reports the
 * call's progress as it happens, and each round records what came in.
 */
export function driveDelivery(gateway: TestGateway): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      await gateway.engine.runOnce();
      await gateway.callbacks.tick();
      await pause(10);
    }
  })();
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      running = false;
      // The last rounds deliver the callbacks of the last status.
      stopped ??= loop.then(() => gateway.settle());
      return stopped;
    },
  };
}

/**
 * Places one call: starts sipp, sends the message, drives delivery until sipp exits and the message has a final
 * status, and returns what sipp saw and the message. sipp failing fails the test with its stderr and traces.
 */
export async function placeCall(
  sip: SipGateway,
  options: {
    scenario: string;
    item: Record<string, unknown>;
    sippArgs?: string[];
    timeoutSeconds?: number;
    /** Called as soon as sipp has exited (after the last message of its scenario). */
    onSippExit?: () => void;
  },
): Promise<{ uuid: string; sipp: SippResult; message: Record<string, any> }> {
  const callee = await startCallee(sip, options.scenario, {
    ...(options.sippArgs ? { args: options.sippArgs } : {}),
    ...(options.timeoutSeconds ? { timeoutSeconds: options.timeoutSeconds } : {}),
  });
  const driver = driveDelivery(sip.gateway);
  try {
    const uuid = await sendMessage(sip, options.item);
    const result = await callee.done;
    options.onSippExit?.();
    assertSippPassed(result);
    await waitForStatus(sip, uuid, ['delivered', 'undelivered', 'unsent'], 15_000);
    await driver.stop();
    return { uuid, sipp: result, message: await messageOf(sip.gateway, sip.auth, uuid) };
  } finally {
    callee.kill();
    await driver.stop();
  }
}

export async function waitForStatus(sip: SipGateway, uuid: string, statuses: string[], timeoutMs: number): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = await messageOf(sip.gateway, sip.auth, uuid);
    if (statuses.includes(message.status as string)) return message;
    if (Date.now() > deadline) assert.fail(`message ${uuid} is ${message.status}, expected one of ${statuses.join(', ')}`);
    await pause(20);
  }
}

/** The events the callback receiver got for a message, without the fields that carry time. */
export function callbackEventsOf(sip: SipGateway, uuid: string): Record<string, unknown>[] {
  return sip.callbacks.eventsFor(uuid).map((event: CallbackEventBody) => {
    const { status_time: statusTime, ...rest } = event;
    assert.match(String(statusTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    return rest;
  });
}

export async function timeline(sip: SipGateway, uuid: string): Promise<TimelineEntryView[]> {
  return timelineOf(sip.gateway, sip.auth, uuid);
}

// ---- audio ----

/** Root mean square of samples. */
export function rms(samples: Int16Array): number {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}

/**
 * Stretches of speech: runs of 20 ms frames louder than `threshold` RMS, split by at least `minGapMs` of quieter
 * frames (the pauses between words and digits). Returns each segment's [start, end) in ms.
 */
export function voicedSegments(samples: Int16Array, threshold = 300, minGapMs = 120): [number, number][] {
  const frame = 160;
  const segments: [number, number][] = [];
  let start = -1;
  let lastVoiced = -1;
  for (let i = 0; i * frame < samples.length; i++) {
    const voiced = rms(samples.subarray(i * frame, (i + 1) * frame)) > threshold;
    if (!voiced) continue;
    if (start >= 0 && (i - lastVoiced - 1) * 20 >= minGapMs) {
      segments.push([start * 20, (lastVoiced + 1) * 20]);
      start = -1;
    }
    if (start < 0) start = i;
    lastVoiced = i;
  }
  if (start >= 0) segments.push([start * 20, (lastVoiced + 1) * 20]);
  return segments;
}
