/**
 * Helpers for the end-to-end delivery tests (test/delivery/): a gateway whose callbacks may target the local
 * receiver and are formed at once, plus readers for the message, its timeline and the account's money.
 */
import type { GatewayConfig } from '../../src/config.js';
import { call, startGateway, type TestGateway } from './gateway.js';
import { ManualClock } from './manualClock.js';

/** Friday 2026-05-01 10:00:00 UTC = 13:00 Moscow time: the tests' epoch. */
export const T0 = Date.parse('2026-05-01T10:00:00Z');

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/**
 * A test gateway for delivery: callbacks to 127.0.0.1 allowed (the local receiver), no batch fill wait (the
 * ManualClock does not move by itself), simulator delays 0 unless the overrides say otherwise.
 */
export async function startDeliveryGateway(overrides: (config: GatewayConfig) => void = () => {}): Promise<TestGateway> {
  return startGateway((config) => {
    config.callbacks.allowPrivateTargets = true;
    config.callbacks.batchWaitMs = 0;
    overrides(config);
  }, new ManualClock(T0));
}

export interface TimelineEntryView {
  time: string;
  kind: string;
  detail: Record<string, any> | null;
}

/** GET /api/v1/message/{uuid}/events, which must answer 200. */
export async function timelineOf(gateway: TestGateway, auth: string, uuid: string): Promise<TimelineEntryView[]> {
  const response = await call(gateway, 'GET', `/api/v1/message/${uuid}/events`, { auth });
  if (response.status !== 200) throw new Error(`timeline of ${uuid}: ${response.status} ${response.text}`);
  return response.body as TimelineEntryView[];
}

/** The kinds of a message's timeline, in order. */
export async function timelineKinds(gateway: TestGateway, auth: string, uuid: string): Promise<string[]> {
  return (await timelineOf(gateway, auth, uuid)).map((e) => e.kind);
}

/** GET /api/v1/message/{uuid}, which must answer 200. */
export async function messageOf(gateway: TestGateway, auth: string, uuid: string): Promise<Record<string, any>> {
  const response = await call(gateway, 'GET', `/api/v1/message/${uuid}`, { auth });
  if (response.status !== 200) throw new Error(`message ${uuid}: ${response.status} ${response.text}`);
  return response.body as Record<string, any>;
}

export async function statusOf(gateway: TestGateway, auth: string, uuid: string): Promise<string> {
  return (await messageOf(gateway, auth, uuid)).status as string;
}

/** Booked balance and reservations of an account, in units of 1/10000 (store view: the API shows only the available balance). */
export async function moneyOf(gateway: TestGateway, accountId: number): Promise<{ balance: number; reserved: number; available: number }> {
  const account = await gateway.store.accounts.byId(accountId);
  if (!account) throw new Error(`no account ${accountId}`);
  return { balance: account.balance, reserved: account.reserved, available: account.balance - account.reserved };
}

/** An API amount (JSON number, ≤ 4 decimals) as integer units, so sums stay exact. */
export function units(amount: number): number {
  return Math.round(amount * 10_000);
}

/** Lets real-time work finish: simulator timers, HTTP exchanges. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sets the clock and runs exactly one engine round (claims, hand-offs, expiries, carrier events already received). */
export async function engineRoundAt(gateway: TestGateway, at: number): Promise<number> {
  gateway.clock.set(at);
  return gateway.engine.runOnce();
}

/** Sets the clock, then runs engine and callback rounds until quiet. */
export async function settleAt(gateway: TestGateway, at: number): Promise<void> {
  gateway.clock.set(at);
  await gateway.settle();
}

/** A Russian mobile number ending in the given magic digits (docs/simulator.md). */
export function ruNumber(lastFour: string): string {
  return `7926000${lastFour}`;
}

/** `YYYY-MM-DD hh:mm:ss` of an instant read in Moscow time (UTC+3, no DST), for `useLocalTime: false`. */
export function moscowWallClock(ms: number): string {
  return new Date(ms + 3 * HOUR).toISOString().slice(0, 19).replace('T', ' ');
}

/** ISO 8601 with milliseconds, as the timeline writes its times. */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}
