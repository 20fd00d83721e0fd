/**
 * Concatenated submits (`smpp-interface.md` §3): each part is stored durably before it is answered with its own
 * message_id, and the part that completes the group makes the one message, through the same acceptance as any
 * submit. A group not complete within 60 s makes each part it has an `unsent` message with code 616 (the sweep).
 *
 * What survives a crash: a part answered ESME_ROK is in the store. A group found complete by the sweep without its
 * message (the process died between the last part and its acceptance) is accepted then; one whose message exists
 * (it died before the parts were dropped) is only dropped.
 */
import { statusCallback } from '../domain/callbackPayloads.js';
import { ERROR_CODES } from '../domain/lifecycle.js';
import { SMPP_STATUS, sendsReceipt, statusOfInvalidItem, type ReceiptRequest } from '../domain/smppRules.js';
import type { MessageDraft } from '../domain/message.js';
import type { SmppUser } from '../domain/smppUser.js';
import { validateBatch } from '../domain/validateBatch.js';
import type { PriceTable } from '../domain/prices.js';
import { candidateOf } from '../service/sendMessages.js';
import { concatenationKey } from '../smpp/concatenation.js';
import { formatMessageId } from '../smpp/messageIds.js';
import type { SmppLogger } from '../smpp/session.js';
import { newMessageId } from '../store/messageIds.js';
import type { IncompletePartMessage, StaleGroup, StoredPart } from '../store/smppDoor.js';
import type { Store } from '../store/store.js';
import { SMPP_TRAFFIC_CENTER, type SubmitAcceptor, type SubmitOutcome } from './submitAcceptor.js';
import { joinParts, type MappedSubmit, type SubmitPart } from './submitMapping.js';

/** Spec §3: the parts of a message must all arrive within this. */
export const CONCATENATION_WAIT_MS = 60_000;

/** What a stored part keeps of its submit (the store's `item` text). */
interface PartRecord {
  item: Record<string, unknown>;
  receipts: ReceiptRequest;
  dataCoding: number;
  /** base64 */
  octets: string;
}

const recordOf = (part: StoredPart): PartRecord => JSON.parse(part.item) as PartRecord;

export interface ConcatenationDeps {
  store: Store;
  acceptor: SubmitAcceptor;
  prices: PriceTable;
  now: () => number;
  shortLinkBase: () => string;
  logger?: SmppLogger;
}

export class Concatenations {
  constructor(private readonly deps: ConcatenationDeps) {}

  /** A submit that is one part of a concatenated message: stored, and the message made when it is the last. */
  async submitPart(user: SmppUser, submit: MappedSubmit & { part: SubmitPart }): Promise<SubmitOutcome> {
    const { store } = this.deps;
    const now = this.deps.now();
    // The part's fields are checked now (with a stand-in text): a part the message could never be made of is refused
    // at once, not answered ESME_ROK and failed a minute later. Only SMS is concatenated, so the account's FLASHCALL
    // code lengths play no part.
    const probe = validateBatch([{ ...submit.item, content: 'x' }], { now, flashcallCodeLengths: [4] });
    if (!probe.ok) return { status: statusOfInvalidItem(probe.details) };

    const { part } = submit;
    const record: PartRecord = { item: submit.item, receipts: submit.receipts, dataCoding: part.dataCoding, octets: part.octets.toString('base64') };
    const groupKey = concatenationKey(String(user.id), String(submit.item.senderName), String(submit.item.destination), part.reference, part.referenceBits);
    const stored = await store.smpp.storePart(
      { smppUserId: user.id, groupKey, segment: part.segment, total: part.total, item: JSON.stringify(record), receivedAt: now },
      {
        newUuid: newMessageId,
        messageId: (uuid, segment, counter) => formatMessageId(user.messageIdFormat, { uuid, partNumber: segment, counter }),
      },
    );
    if (stored.state !== 'complete') return { status: SMPP_STATUS.ok, messageId: stored.part.messageId };

    const outcome = await this.makeMessage(user, stored.parts);
    if (outcome.status === SMPP_STATUS.ok) {
      await store.smpp.dropParts(user.id, groupKey);
      return { ...outcome, messageId: stored.part.messageId };
    }
    // Refused: this part is not kept, so the client may send it again; the others wait out their minute.
    await store.smpp.removePart(user.id, groupKey, part.segment);
    return outcome;
  }

  /** The one message of a complete group, with the uuid and part ids its parts were answered with. */
  private async makeMessage(user: SmppUser, parts: StoredPart[]): Promise<SubmitOutcome> {
    const records = parts.map(recordOf);
    const text = joinParts(records.map((r) => ({ dataCoding: r.dataCoding, octets: Buffer.from(r.octets, 'base64') })));
    if (!text.ok) return { status: SMPP_STATUS.submitFailed };
    const first = records[0]!;
    const ids = { uuid: parts[0]!.messageUuid, partIds: parts.map((p) => p.messageId) };
    return this.deps.acceptor.accept(user, { ...first.item, content: text.text }, first.receipts, ids);
  }

  /**
   * Settles groups whose first part is older than the wait: a complete one is made (or dropped if made), an
   * incomplete one becomes one `unsent` 616 message per part. Returns how many groups it settled.
   */
  async sweep(users: (id: number) => Promise<SmppUser | null>, limit = 100): Promise<number> {
    const { store } = this.deps;
    const now = this.deps.now();
    const groups = await store.smpp.staleGroups(now - CONCATENATION_WAIT_MS, limit);
    for (const group of groups) {
      const user = await users(group.smppUserId);
      const complete = group.parts.length > 0 && group.parts.length === group.parts[0]!.total;
      if (complete && group.messageExists) {
        // Made before a crash; only its parts were left.
        await store.smpp.dropParts(group.smppUserId, group.groupKey);
      } else if (complete && user && !user.revokedAt && (await this.makeMessage(user, group.parts)).status === SMPP_STATUS.ok) {
        await store.smpp.dropParts(group.smppUserId, group.groupKey);
      } else {
        await store.smpp.failIncomplete(this.incompleteMessages(group, user), ERROR_CODES.concatenationIncomplete, now);
        this.deps.logger?.info({ smppUserId: group.smppUserId, parts: group.parts.length, total: group.parts[0]?.total }, 'SMPP concatenation incomplete after 60 s: its parts are unsent 616');
      }
    }
    return groups.length;
  }

  private incompleteMessages(group: StaleGroup, user: SmppUser | null): IncompletePartMessage[] {
    const now = this.deps.now();
    return group.parts.map((part, i): IncompletePartMessage => {
      const record = recordOf(part);
      const draft = partDraft(record, now);
      const candidate = candidateOf(draft, { prices: this.deps.prices, now, shortLinkBase: this.deps.shortLinkBase });
      // The group's uuid for its lowest part, unless a message has it (parts that came after the others failed).
      const uuid = i === 0 && !group.messageExists ? part.messageUuid : newMessageId();
      const payload = statusCallback({ ...draft, uuid }, { status: 'unsent', at: now, errorCode: ERROR_CODES.concatenationIncomplete });
      return {
        accountId: user?.accountId ?? 0,
        trafficCenterId: SMPP_TRAFFIC_CENTER,
        candidate: { ...candidate, smpp: { uuid, smppUserId: group.smppUserId, receipts: record.receipts, partIds: [part.messageId] } },
        callbacks: payload === null ? [] : [{ url: draft.callbackUrl!, payload: JSON.stringify(payload) }],
        receipt: sendsReceipt(record.receipts, 'unsent', ERROR_CODES.concatenationIncomplete),
      };
    });
  }
}

/**
 * The message a part of an incomplete group becomes: its own text, as far as it decodes alone (a character may have
 * begun in it and ended in a part that never came; what does not decode is shown as `.`). Its fields passed the
 * item's validation when the part arrived, so only the text can still fail it.
 */
function partDraft(record: PartRecord, now: number): MessageDraft {
  const octets = Buffer.from(record.octets, 'base64');
  const decoded = joinParts([{ dataCoding: record.dataCoding, octets }]);
  const text = decoded.ok && decoded.text.length > 0 ? decoded.text : octets.toString('latin1').replace(/[^\x20-\x7e]/g, '.') || '.';
  const context = { now, flashcallCodeLengths: [4] };
  const validation = validateBatch([{ ...record.item, content: text }], context);
  if (validation.ok) return validation.drafts[0]!;
  const fallback = validateBatch([{ ...record.item, content: '.' }], context);
  if (!fallback.ok) throw new Error(`a stored part no longer validates: ${fallback.msg}`);
  return { ...fallback.drafts[0]!, content: text.slice(0, 2048) };
}
