/**
 * Turns submits into messages the way `POST /api/v1/message` does (direct-api.md §5.2 steps 4–6: validation, the
 * business checks, creation with the reservation), each submit on its own but many in one transaction: the submits
 * of an account that arrive in one turn of the event loop (a window's worth from every session) are accepted
 * together, so that one commit makes a hundred submits durable instead of one. A submit's answer is sent only after
 * that commit (spec §3: `ESME_ROK` only when durable, the same rule as a 201).
 */
import { statusOfInvalidItem, statusOfRejection, SMPP_STATUS, type ReceiptRequest } from '../domain/smppRules.js';
import type { SmppUser } from '../domain/smppUser.js';
import { validateBatch } from '../domain/validateBatch.js';
import type { PriceTable } from '../domain/prices.js';
import { candidateOf } from '../service/sendMessages.js';
import { formatMessageId } from '../smpp/messageIds.js';
import { newMessageId } from '../store/messageIds.js';
import type { AcceptCandidate, SmppOrigin, Store } from '../store/store.js';
import type { SmppLogger } from '../smpp/session.js';

/** A message whose ids were given before it existed: a concatenation's parts. */
export interface KnownIds {
  uuid: string;
  partIds: string[];
}

export interface SubmitOutcome {
  status: number;
  /** Set when accepted: the message's (single) message_id. */
  messageId?: string;
}

interface Pending {
  user: SmppUser;
  item: Record<string, unknown>;
  receipts: ReceiptRequest;
  ids: KnownIds | null;
  resolve(outcome: SubmitOutcome): void;
}

/** The API's own limit of items per acceptance (direct-api.md §14). */
const MAX_PER_ACCEPT = 1000;

/** SMPP users are not API keys: their messages are counted under this traffic center. */
export const SMPP_TRAFFIC_CENTER = 1;

export interface SubmitAcceptorDeps {
  store: Store;
  prices: PriceTable;
  now: () => number;
  shortLinkBase: () => string;
  logger?: SmppLogger;
}

export class SubmitAcceptor {
  private readonly waiting = new Map<number, Pending[]>();
  private scheduled = false;

  constructor(private readonly deps: SubmitAcceptorDeps) {}

  /** Accepts the item as a message of the user's account, or says which command_status refuses it. */
  accept(user: SmppUser, item: Record<string, unknown>, receipts: ReceiptRequest, ids: KnownIds | null = null): Promise<SubmitOutcome> {
    return new Promise((resolve) => {
      let queue = this.waiting.get(user.accountId);
      if (!queue) this.waiting.set(user.accountId, (queue = []));
      queue.push({ user, item, receipts, ids, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batches = [...this.waiting];
    this.waiting.clear();
    for (const [accountId, pending] of batches) {
      for (let start = 0; start < pending.length; start += MAX_PER_ACCEPT) {
        const chunk = pending.slice(start, start + MAX_PER_ACCEPT);
        this.acceptChunk(accountId, chunk).catch((error: unknown) => {
          this.deps.logger?.warn({ err: String(error), accountId, submits: chunk.length }, 'SMPP submits could not be accepted');
          for (const entry of chunk) entry.resolve({ status: SMPP_STATUS.systemError });
        });
      }
    }
  }

  private async acceptChunk(accountId: number, chunk: Pending[]): Promise<void> {
    const { store } = this.deps;
    const now = this.deps.now();
    const account = await store.accounts.byId(accountId);
    if (!account || account.suspended) {
      for (const entry of chunk) entry.resolve({ status: SMPP_STATUS.submitFailed });
      return;
    }
    const valid: { entry: Pending; candidate: AcceptCandidate }[] = [];
    for (const entry of chunk) {
      const validation = validateBatch([entry.item], { now, flashcallCodeLengths: account.flashcallCodeLengths });
      if (!validation.ok) {
        entry.resolve({ status: statusOfInvalidItem(validation.details) });
        continue;
      }
      valid.push({ entry, candidate: candidateOf(validation.drafts[0]!, { prices: this.deps.prices, now, shortLinkBase: this.deps.shortLinkBase }) });
    }
    if (valid.length === 0) return;
    const counting = valid.filter(({ entry }) => entry.ids === null && entry.user.messageIdFormat !== 'uuid');
    const counters = counting.length > 0 ? await store.smpp.takeCounters(counting.length) : [];
    let next = 0;
    for (const { entry, candidate } of valid) {
      let ids = entry.ids;
      if (ids === null) {
        const uuid = newMessageId();
        const counter = entry.user.messageIdFormat === 'uuid' ? 0n : counters[next++]!;
        ids = { uuid, partIds: [formatMessageId(entry.user.messageIdFormat, { uuid, partNumber: 1, counter })] };
      }
      const origin: SmppOrigin = { uuid: ids.uuid, smppUserId: entry.user.id, receipts: entry.receipts, partIds: ids.partIds };
      candidate.smpp = origin;
    }
    const results = await store.messages.accept(
      { accountId, trafficCenterId: SMPP_TRAFFIC_CENTER, candidates: valid.map((v) => v.candidate) },
      now,
    );
    results.forEach((result, i) => {
      const { entry, candidate } = valid[i]!;
      entry.resolve(
        result.accepted
          ? { status: SMPP_STATUS.ok, messageId: candidate.smpp!.partIds[0]! }
          : { status: statusOfRejection(result.rejection.code) },
      );
    });
  }
}
