/**
 * What the SMPP door for clients (`smpp-interface.md`) keeps beside the messages: the sessions bound on every node
 * (for `maxBinds`, counted across nodes), the `message_id`s clients were answered with, the parts of concatenated
 * messages until the last one arrives, and the outbox of `deliver_sm` (receipts and inbound SMS) until a session of
 * the right user answers one. The messages themselves are made by `MessageRepository.accept` like any other.
 *
 * The receipt rows are written by the report fold in the transaction of the status change (`ReportsFold.smppReceipts`),
 * the inbound ones by `storeInbound` in the transaction that stores the message: nothing is sent that is not in
 * the outbox first. Times are epoch ms.
 */
import type { Status } from '../domain/channels.js';
import type { AcceptCandidate, SmppOrigin } from './acceptCandidate.js';

export interface SmppBind {
  /** This node's session number: unique among the sessions this store's node has open. */
  sessionId: number;
  bindType: 'transmitter' | 'receiver' | 'transceiver';
  remoteAddress: string;
}

/** A part of a concatenated message, as received and answered (its submit's fields already mapped to an item). */
export interface ConcatenationPart {
  smppUserId: number;
  /** domain concatenation key: user, addresses, reference. */
  groupKey: string;
  /** 1-based. */
  segment: number;
  total: number;
  /**
   * The part's submit as the door mapped it (JSON text, the door's to read): what the whole message is made of once
   * every part is there, or the part's own message when the group stays incomplete.
   */
  item: string;
  receivedAt: number;
}

export interface StoredPart extends ConcatenationPart {
  /** The message the parts make, chosen when the group's first part was stored. */
  messageUuid: string;
  /** What this part's submit_sm_resp said. */
  messageId: string;
}

export type StorePartResult =
  /** Stored; the group still waits for parts. */
  | { state: 'stored'; part: StoredPart }
  /** This segment of the group was stored before (the client sent it again): its first answer stands. */
  | { state: 'duplicate'; part: StoredPart }
  /** Stored, and it was the last one missing: every part of the group, by segment. Only one caller ever gets this. */
  | { state: 'complete'; part: StoredPart; parts: StoredPart[] };

/** How a new part's ids are made (the door's messageIdFormat): called inside the store's transaction. */
export interface PartIdMaker {
  /** A new message uuid for a group's first part. */
  newUuid(): string;
  /** The part's message_id, given the group's uuid and, for `hex`/`decimal`, a counter value the store took. */
  messageId(uuid: string, segment: number, counter: bigint): string;
}

/** A group whose first part is older than the wait (60 s): either complete but never made (a crash), or incomplete. */
export interface StaleGroup {
  smppUserId: number;
  groupKey: string;
  parts: StoredPart[];
  /** Whether a message with the group's uuid exists already (made before a crash, its parts not yet dropped). */
  messageExists: boolean;
}

/** A part that became a message of its own, `unsent` 616 (spec §3). */
export interface IncompletePartMessage {
  accountId: number;
  trafficCenterId: number;
  /**
   * The part alone, as `accept` would take it (its `smpp.uuid`: the group's for the lowest segment received, a new
   * one for each other part; its `smpp.partIds`: the part's own id), but born `unsent` with the error code.
   */
  candidate: AcceptCandidate & { smpp: SmppOrigin };
  /** Callback rows (the unsent status event), already made by the domain. */
  callbacks: { url: string; payload: string }[];
  /** Whether a receipt is owed (registered_delivery asked for it). */
  receipt: boolean;
}

/** One `deliver_sm` owed, with what it is made of, claimed under a lease. */
export interface ClaimedDeliver {
  id: string;
  kind: 'receipt' | 'mo';
  accountId: number;
  /** Receipts: the submitting user. Inbound: null (any user of the account). */
  smppUserId: number | null;
  messageUuid: string;
  /** The message's row: destination (receipt: source_addr; inbound: the subscriber), sender name / the number written to. */
  destination: string;
  senderName: string;
  /** The message's content as stored (JSON text). */
  content: string;
  /** When the message was created (receipt: submit date; inbound: when received). */
  createdAt: number;
  /** Receipts: the final status it reports, its §13 code and when it was reached. */
  status: Status | null;
  errorCode: number | null;
  doneAt: number | null;
  /** Receipts: every part's message_id, by segment (one receipt each). Inbound: []. */
  partIds: string[];
  attempts: number;
  createdOutboxAt: number;
  /** The lease token: pass it back. */
  leaseUntil: number;
}

/** What a node asks for: deliver_sm for these users (receipts) and their accounts (inbound), at most `limit` each. */
export interface DeliverDemand {
  smppUserId: number;
  accountId: number;
  limit: number;
}

export interface SmppDoorRepository {
  /**
   * Records a bound session of the user unless the user already has `maxBinds` sessions bound on all nodes together
   * (sessions of nodes that are dead no longer count: the store proves it as it does for idempotency owners).
   * Checked and written at once: two binds at the same moment on two nodes cannot both pass the limit.
   */
  openBind(smppUserId: number, maxBinds: number, bind: SmppBind, now: number): Promise<boolean>;
  closeBind(sessionId: number): Promise<void>;
  /** Sessions bound per user on every live node (for the operator). */
  boundCounts(): Promise<Map<number, number>>;

  /** `count` new values of the gateway-wide 63-bit counter of the `hex` and `decimal` formats, increasing. */
  takeCounters(count: number): Promise<bigint[]>;
  /** The message a user's message_id names (any of its parts), or null. */
  messageOf(smppUserId: number, messageId: string): Promise<string | null>;

  /** Stores a part (its ids made by `ids` when it is the group's first) and tells whether the group is complete. */
  storePart(part: ConcatenationPart, ids: PartIdMaker): Promise<StorePartResult>;
  /** Forgets a group's parts (its message was made). */
  dropParts(smppUserId: number, groupKey: string): Promise<void>;
  /** Forgets one part (the message it completed was refused: the client may send that part again). */
  removePart(smppUserId: number, groupKey: string, segment: number): Promise<void>;
  /** Groups whose first part was received before `before`, oldest first. */
  staleGroups(before: number, limit: number): Promise<StaleGroup[]>;
  /**
   * Makes the parts of an incomplete group messages of their own, `unsent` with `errorCode`, each with its timeline
   * entry, callbacks and receipt owed, and forgets the group, in one transaction.
   */
  failIncomplete(messages: IncompletePartMessage[], errorCode: number, now: number): Promise<void>;

  /**
   * Leases the oldest due deliver_sm for each demand: the user's receipts, and inbound messages of its account
   * (those of an account with several users go to whichever node claims them first).
   */
  claimDelivers(demand: DeliverDemand[], now: number, leaseMs: number): Promise<ClaimedDeliver[]>;
  /** Answered ESME_ROK (every part): done. Ignored when the lease is no longer the one given. */
  completeDelivers(done: { id: string; leaseUntil: number }[]): Promise<void>;
  /** Not answered, or refused: due again at `dueAt`, same content. */
  retryDelivers(retries: { id: string; leaseUntil: number; dueAt: number }[]): Promise<void>;
  /** Drops what no session took within the keeping time (72 h); returns how many. */
  purgeDelivers(createdBefore: number): Promise<number>;
  /** Owed deliver_sm, for tests, benchmarks and the operator. */
  pendingDelivers(smppUserId?: number): Promise<number>;
}
