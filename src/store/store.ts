import type { Account, ApprovedSender } from '../domain/account.js';
import type { Channel, TrafficType } from '../domain/channels.js';
import type { MessageFilter, MessagePage } from '../domain/listQuery.js';
import type { MessageRecord } from '../domain/message.js';
import type { Units } from '../domain/money.js';
import type { Rejection } from '../domain/businessChecks.js';
import type { InboundMessage } from '../domain/inboundMessage.js';
import type { InFlightMessage, OutboundMessage } from '../domain/outboundMessage.js';
import type { KeyType } from '../domain/principal.js';
import type { CallbackOutbox } from './callbackOutbox.js';
import type { MessageListing } from './messageListing.js';
import type { UnmatchedInbound } from '../domain/inboundRouting.js';
import type { StopCode } from '../domain/stop.js';
import type { ReportEnvelope } from '../domain/reportEnvelope.js';
import type { WhatsAppStateRepository } from './whatsappState.js';
import type { VkStateRepository } from './vkState.js';
import type { SmppUserRepository } from './smppUsers.js';
import type { SmppDoorRepository } from './smppDoor.js';
import type { AcceptCandidate, SmppOrigin } from './acceptCandidate.js';
import type { SandboxInboxRepository } from './sandboxInbox.js';

/**
 * The store port: everything the gateway keeps. One interface, one implementation per database
 * (SQLite now, PostgreSQL later), one contract test suite for all of them. Times are epoch ms.
 */
export interface Store {
  readonly accounts: AccountRepository;
  readonly keys: KeyRepository;
  readonly senders: SenderRepository;
  readonly blocklist: BlocklistRepository;
  readonly messages: MessageRepository;
  readonly idempotency: IdempotencyRepository;
  readonly engine: EngineRepository;
  readonly callbacks: CallbackOutbox;
  readonly whatsapp: WhatsAppStateRepository;
  readonly vk: VkStateRepository;
  readonly smppUsers: SmppUserRepository;
  readonly smpp: SmppDoorRepository;
  readonly sandboxInbox: SandboxInboxRepository;
  close(): Promise<void>;
}

export interface NewAccount {
  name: string;
  currency: string;
  balance: Units;
  billingEnabled: boolean;
}

export interface AccountRepository {
  create(account: NewAccount, now: number): Promise<Account>;
  list(): Promise<Account[]>;
  byName(name: string): Promise<Account | null>;
  byId(id: number): Promise<Account | null>;
  /** Adds (or with a negative amount, removes) booked balance; returns the updated account. */
  topUp(accountId: number, amount: Units): Promise<Account>;
  setSuspended(accountId: number, suspended: boolean): Promise<void>;
  setChannelEnabled(accountId: number, channel: Channel, enabled: boolean): Promise<void>;
  setFlashcallCodeLengths(accountId: number, lengths: number[]): Promise<void>;
  setBillingEnabled(accountId: number, enabled: boolean): Promise<void>;
  /** `whsec_…` or null to stop signing callbacks. */
  setSigningSecret(accountId: number, secret: string | null): Promise<void>;
}

export type { KeyType };

export interface ApiKeyRecord {
  id: number;
  keyId: string;
  secretHash: Buffer;
  type: KeyType;
  accountId: number;
  trafficCenterId: number;
  name: string | null;
  createdAt: number;
  revokedAt: number | null;
}

export interface KeyRepository {
  create(
    key: { keyId: string; secretHash: Buffer; type: KeyType; accountId: number; trafficCenterId: number; name?: string | null },
    now: number,
  ): Promise<ApiKeyRecord>;
  /** A key that is not revoked, with its account's suspension flag. */
  findActive(keyId: string): Promise<(ApiKeyRecord & { accountSuspended: boolean }) | null>;
  listForAccount(accountId: number): Promise<ApiKeyRecord[]>;
  /** Returns false when there is no such key or it was already revoked. */
  revoke(id: number, now: number): Promise<boolean>;
}

/** What an approval did: `sharedWith` names the other accounts that have the name, when `exclusive` refused it. */
export type SenderApproval = { approved: true } | { approved: false; sharedWith: string[] };

export interface SenderRepository {
  /**
   * Approves (or updates) the sender. `exclusive`: only when no other account has the name on the channel, checked
   * and written at once, so two approvals of one name for two accounts at the same time cannot both pass.
   */
  approve(sender: ApprovedSender, options?: { exclusive?: boolean }): Promise<SenderApproval>;
  list(accountId?: number): Promise<ApprovedSender[]>;
}

export interface BlocklistRepository {
  /** accountId null = the gateway-wide list. */
  add(accountId: number | null, destination: string): Promise<void>;
  remove(accountId: number | null, destination: string): Promise<boolean>;
  list(accountId: number | null): Promise<string[]>;
}

export type { AcceptCandidate, SmppOrigin };

export type AcceptResult = { accepted: true; uuid: string } | { accepted: false; rejection: Rejection };

export interface AcceptBatch {
  accountId: number;
  trafficCenterId: number;
  candidates: AcceptCandidate[];
  /**
   * When set, the response built from the results is stored with this key in the same transaction, provided the
   * claim still holds (else IdempotencyClaimLostError, and nothing is created).
   */
  idempotency?: HeldClaim & { respond: (results: AcceptResult[]) => StoredResponse };
}

/** The stop answers (domain/stop.ts decides them). */
export type { StopCode };

export interface MessageRepository {
  /**
   * Runs the business checks for every candidate in order and creates the accepted ones with their
   * reservation, all in one transaction (spec §5.2 steps 5–6).
   */
  accept(batch: AcceptBatch, now: number): Promise<AcceptResult[]>;
  get(accountId: number, uuid: string): Promise<MessageRecord | null>;
  /** `now` decides which messages are still stoppable (`ready_to_stop`). */
  list(accountId: number, filter: MessageFilter, page: MessagePage, now: number): Promise<{ total: number; messages: MessageRecord[] }>;
  /** The same page read a chunk at a time (messageListing.ts): what the HTTP list answers from. */
  listChunks(accountId: number, filter: MessageFilter, page: MessagePage, now: number): Promise<MessageListing>;
  /** One code per uuid, in order (spec §9); stopped messages become unsent 606 and are refunded. */
  stop(accountId: number, uuids: string[], now: number): Promise<StopCode[]>;
  /**
   * Stores a message a subscriber sent (direction inbound) for the account named by the connector, or else the one
   * account with an approved sender equal to `to` (domain/inboundRouting.ts). With no such single account it is kept
   * in the unmatched list instead, and the result is null: never guessed, never dropped.
   */
  storeInbound(message: InboundMessage): Promise<string | null>;
  /** Inbound messages that reached no account, newest first. */
  unmatchedInbound(limit: number): Promise<UnmatchedInbound[]>;
  /** A short link's message and original URL, counting the click; null for an unknown slug. */
  followShortLink(slug: string): Promise<{ uuid: string; url: string } | null>;
  /** Stores the result of a FLASHCALL verification; false when no FLASHCALL message of the account has that uuid. */
  recordFlashcallConversion(accountId: number, uuid: string, result: string, code: string | null, now: number): Promise<boolean>;
  /** The message's timeline (`GET /message/{uuid}/events`): acceptance, then every recorded event; null for another account's. */
  timeline(accountId: number, uuid: string): Promise<TimelineEntry[] | null>;
}

/** Stored responses are replayed for 24 h (spec §5.12); older keys count as never used. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3600 * 1000;

export interface StoredResponse {
  status: number;
  body: string;
}

/** A claim this process holds on a key: the token tells it from a later claim on the same key (a takeover). */
export interface HeldClaim {
  key: string;
  token: string;
}

export type IdempotencyClaim =
  | { state: 'claimed'; token: string }
  | { state: 'replay'; response: StoredResponse }
  | { state: 'mismatch' }
  | { state: 'pending' };

/** The claim was taken over (its holder was thought dead, or was slower than `staleAfterMs`): its work is not stored. */
export class IdempotencyClaimLostError extends Error {
  constructor(key: string) {
    super(`the claim on idempotency key ${JSON.stringify(key)} was taken over`);
  }
}

/**
 * Idempotency keys (spec §5.12). A claim records its owner: a node (PostgreSQL) or a process's store (SQLite) whose
 * death the other owners can prove, so the claim of a dead owner is taken over at once and never outlives it.
 */
export interface IdempotencyRepository {
  /**
   * Claims the key for this body, or reports what happened to an earlier claim. A pending claim is taken over when
   * its owner is dead, or when it is older than `staleAfterMs` (its request broke the answer limit).
   */
  claim(accountId: number, key: string, bodyHash: string, now: number, staleAfterMs: number): Promise<IdempotencyClaim>;
  /** Stores the response of a request that created nothing; IdempotencyClaimLostError when the claim no longer holds. */
  complete(accountId: number, claim: HeldClaim, response: StoredResponse): Promise<void>;
  /** Gives a pending claim up (its request failed): the key counts as never used. */
  release(accountId: number, claim: HeldClaim): Promise<void>;
  purgeOlderThan(cutoff: number): Promise<number>;
}

export type { Account, ApprovedSender, Channel, TrafficType };

/** A message claimed for hand-off, with what the engine needs to decide and send it. */
export interface ClaimedMessage extends OutboundMessage {
  stopRequested: boolean;
  attempts: number;
  timeZone: string;
  sendAfter: number | null;
  completeBy: number | null;
  hours: number[] | null;
  days: number[] | null;
}

export type { ReportEnvelope };

export interface TimelineEntry {
  at: number;
  kind: string;
  detail: Record<string, unknown> | null;
}

export interface EngineRepository {
  /** Leases up to `limit` due `sending` messages to `owner` (guard: no live lease held by anyone). */
  claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedMessage[]>;
  /** Gives claimed messages back, due again at `dueAt` (a schedule window, a throttled carrier). */
  reschedule(owner: string, items: { uuid: string; dueAt: number; note: string }[], now: number): Promise<void>;
  /** The subset of `uuids` whose stop was requested while they were claimed (stop answered 202). */
  stopRequested(uuids: string[]): Promise<Set<string>>;
  /**
   * Applies reports in order, each with its status changes, money, timeline and callback events, in one
   * transaction. A report naming a part not known yet is kept, and applied when that part's hand-off is.
   */
  apply(reports: ReportEnvelope[], now: number): Promise<void>;
  /** Messages whose lifetime ended while they wait for a final status or a read (spec §5.7). */
  dueForExpiry(now: number, limit: number): Promise<string[]>;
  /**
   * Handed-off messages still waiting for an outcome, for the connectors to re-arm after a restart; with a
   * filter, only one connector's messages handed off before `sentBefore`.
   */
  inFlight(filter?: { connector: string; sentBefore: number }): Promise<(InFlightMessage & { connector: string | null })[]>;
  /** Free-form timeline notes (hand-off attempts, carrier answers). */
  note(entries: { uuid: string; at: number; kind: string; detail: Record<string, unknown> }[]): Promise<void>;
}
