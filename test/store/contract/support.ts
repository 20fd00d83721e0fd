/**
 * Fixtures of the store contract suite: opening a store per describe block (or per test), accounts, drafts and
 * candidates built as the send service builds them, report envelopes, and a reader of the callback outbox.
 * Everything goes through the Store port only, so the same code runs against every backend.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Account } from '../../../src/domain/account.js';
import type { Channel, TrafficType } from '../../../src/domain/channels.js';
import { countryOf } from '../../../src/domain/country.js';
import type { Report } from '../../../src/domain/lifecycle.js';
import { parseListQuery, type MessageFilter, type MessagePage } from '../../../src/domain/listQuery.js';
import type { MessageDraft } from '../../../src/domain/message.js';
import { DEFAULT_PRICES, estimatePrice } from '../../../src/domain/prices.js';
import { scheduleZone, sendPlan } from '../../../src/domain/schedule.js';
import type { ShortLink } from '../../../src/domain/shortLinks.js';
import type { AcceptCandidate, ReportEnvelope, Store } from '../../../src/store/store.js';

export interface OpenedStore {
  store: Store;
  /** Another store on the same database: another node (PostgreSQL) or another process's store (SQLite). Closed by the caller. */
  another(): Promise<Store>;
  close(): Promise<void>;
}
/** Opens a fresh, empty store of one backend. */
export type OpenStore = () => Promise<OpenedStore>;

/** Friday 2026-05-01 10:00:00 UTC: the suite's epoch. */
export const T0 = Date.parse('2026-05-01T10:00:00Z');
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Far after every time the suite uses: the callback reader forms and claims everything there. */
export const FAR_FUTURE = Date.parse('2100-01-01T00:00:00Z');

/** A canonical lowercase UUID v7 (spec §2.4; DESIGN.md: time-ordered ids). */
export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A well-formed UUID that no store ever generated. */
export const UNKNOWN_UUID = '01890000-0000-7000-8000-000000000000';

/** The store a group of contract blocks shares; read `store` inside hooks and tests only. */
export interface SharedStore {
  readonly store: Store;
  /** As OpenedStore.another. */
  another(): Promise<Store>;
}

/** The store of a describe block: opened before its first test, closed after its last. */
export function storeForBlock(open: OpenStore): SharedStore {
  let opened: OpenedStore | undefined;
  before(async () => {
    opened = await open();
  });
  after(async () => {
    const closing = opened;
    opened = undefined;
    await closing?.close();
  });
  return {
    get store(): Store {
      if (!opened) throw new Error('the store of this block is not open');
      return opened.store;
    },
    another() {
      if (!opened) throw new Error('the store of this block is not open');
      return opened.another();
    },
  };
}

let counter = 0;
/** A name no other test uses (account names are unique, key ids too). */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/**
 * Disjoint time windows, each 30 days earlier than the one before: a test that takes its window from here sees
 * none of the earlier tests' messages in claims or expiries of a shared store (they are all due later).
 */
let windowIndex = 0;
export function earlierWindow(): number {
  windowIndex += 1;
  return T0 - windowIndex * 30 * DAY;
}

export interface SenderSpec {
  channel: Channel;
  name: string;
  trafficType?: TrafficType | null;
  startsAt?: number;
}

/** An account (1000.0000 RUB, billing on unless told), with its approved senders. */
export async function newAccount(
  store: Store,
  options: { balance?: number; billingEnabled?: boolean; currency?: string; senders?: SenderSpec[]; name?: string } = {},
): Promise<Account> {
  const account = await store.accounts.create(
    {
      name: options.name ?? unique('account'),
      currency: options.currency ?? 'RUB',
      balance: options.balance ?? 1000 * 10_000,
      billingEnabled: options.billingEnabled ?? true,
    },
    T0,
  );
  for (const s of options.senders ?? []) {
    await store.senders.approve({
      accountId: account.id,
      channel: s.channel,
      name: s.name,
      trafficType: s.trafficType ?? null,
      startsAt: s.startsAt ?? 0,
    });
  }
  return account;
}

/** The sender names `draft()` uses per channel; approve them with `SENDERS`. */
export const SENDERS: SenderSpec[] = [
  { channel: 'SMS', name: 'shop' },
  { channel: 'WHATSAPP', name: 'shop_wa' },
];

const DEFAULT_CONTENT: Record<Channel, MessageDraft['content']> = {
  SMS: 'hello',
  VK: 'hello vk',
  WHATSAPP: { contentType: 'text', text: 'hello whatsapp' },
  VOICECODE: { contentType: 'text', text: 'Your code is 1234' },
  FLASHCALL: '1234',
};
const DEFAULT_SENDER: Record<Channel, string> = {
  SMS: 'shop',
  VK: 'club',
  WHATSAPP: 'shop_wa',
  VOICECODE: 'voice',
  FLASHCALL: 'flash',
};

/** A validated item of the given channel, every optional field resolved as validateBatch resolves it. */
export function draft(overrides: Partial<MessageDraft> = {}): MessageDraft {
  const channelType = overrides.channelType ?? 'SMS';
  return {
    channelType,
    senderName: DEFAULT_SENDER[channelType],
    destination: '79261234567',
    content: DEFAULT_CONTENT[channelType],
    ttl: null,
    tags: [],
    externalMessageId: null,
    callbackUrl: null,
    callbackEvents: null,
    useLocalTime: null,
    localSendTime: null,
    localCompletionTime: null,
    hours: null,
    days: null,
    shortUrl: null,
    totalParts: 1,
    ...overrides,
  };
}

export interface CandidateOptions {
  price?: number;
  /** Replaces parts of the schedule worked out from the draft (e.g. a sendAfter in the future). */
  schedule?: Partial<AcceptCandidate['schedule']>;
  shortLinks?: ShortLink[];
}

/** A candidate as src/service/sendMessages.ts makes it: country, schedule zone and plan, estimated price. */
export function candidate(d: MessageDraft, now: number, options: CandidateOptions = {}): AcceptCandidate {
  const countryCode = countryOf(d.destination);
  const timeZone = scheduleZone(d, d.destination, countryCode);
  return {
    draft: d,
    price: options.price ?? estimatePrice(d, DEFAULT_PRICES),
    countryCode,
    schedule: { timeZone, ...sendPlan(d, timeZone, now), ...options.schedule },
    shortLinks: options.shortLinks ?? [],
  };
}

/** Accepts candidates that must all be accepted; returns their uuids in order. */
export async function acceptAll(
  store: Store,
  accountId: number,
  candidates: AcceptCandidate[],
  now: number,
  trafficCenterId = 1,
): Promise<string[]> {
  const results = await store.messages.accept({ accountId, trafficCenterId, candidates }, now);
  return results.map((r, i) => {
    assert.ok(r.accepted, `item ${i} was rejected: ${JSON.stringify(r)}`);
    return r.uuid;
  });
}

/** Accepts one message built from a draft; returns its uuid. */
export async function acceptOne(
  store: Store,
  accountId: number,
  d: MessageDraft,
  now: number,
  options: CandidateOptions = {},
): Promise<string> {
  const [uuid] = await acceptAll(store, accountId, [candidate(d, now, options)], now);
  return uuid!;
}

export const report = {
  sent: (uuid: string, at: number, price: number, handoff?: ReportEnvelope['handoff']): ReportEnvelope => ({
    uuid,
    source: 'test-connector',
    report: { kind: 'sent', at, price },
    ...(handoff ? { handoff } : {}),
  }),
  of: (uuid: string, r: Report, source = 'test-connector', detail?: string): ReportEnvelope => ({
    uuid,
    source,
    report: r,
    ...(detail === undefined ? {} : { detail }),
  }),
};

/** Reads a message that must exist. */
export async function mustGet(store: Store, accountId: number, uuid: string) {
  const message = await store.messages.get(accountId, uuid);
  assert.ok(message, `message ${uuid} not found`);
  return message;
}

/** Reads an account that must exist. */
export async function mustAccount(store: Store, accountId: number): Promise<Account> {
  const account = await store.accounts.byId(accountId);
  assert.ok(account, `account ${accountId} not found`);
  return account;
}

/** A list query as the HTTP layer parses it (spec §8.1). */
export function query(values: Record<string, string | string[]> = {}): { filter: MessageFilter; page: MessagePage } {
  const parsed = parseListQuery(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])));
  assert.ok(parsed.ok, `bad query ${JSON.stringify(values)}`);
  return { filter: parsed.filter, page: parsed.page };
}

export type CallbackPayload = Record<string, unknown> & { message_uuid: string; callback_event: string };

const seenCallbacks = new WeakMap<Store, CallbackPayload[]>();

/**
 * Every callback event the store has put into its outbox so far, in the order of the delivery bodies: forms all
 * deliveries and claims them far in the future (where their leases keep them from being claimed twice), so it can
 * be called by many tests sharing one store. Leaves no timeline rows (no attempt is recorded).
 */
export async function outboxEvents(store: Store): Promise<CallbackPayload[]> {
  let seen = seenCallbacks.get(store);
  if (!seen) seenCallbacks.set(store, (seen = []));
  await store.callbacks.formDeliveries(FAR_FUTURE, { maxEvents: 100, fillWaitMs: 0 });
  const deliveries = await store.callbacks.claimDue(FAR_FUTURE, HOUR, 100_000);
  for (const d of deliveries) seen.push(...(JSON.parse(d.body) as CallbackPayload[]));
  return seen;
}

/** The callback events of one message, in order. */
export async function callbacksOf(store: Store, uuid: string): Promise<CallbackPayload[]> {
  return (await outboxEvents(store)).filter((e) => e.message_uuid === uuid);
}

/** The timeline kinds of a message that must exist. */
export async function timelineKinds(store: Store, accountId: number, uuid: string): Promise<string[]> {
  const timeline = await store.messages.timeline(accountId, uuid);
  assert.ok(timeline, `no timeline for ${uuid}`);
  return timeline.map((e) => e.kind);
}

export function sorted<T>(values: Iterable<T>): T[] {
  return [...values].sort();
}
