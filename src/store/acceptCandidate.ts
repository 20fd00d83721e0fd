import type { MessageDraft } from '../domain/message.js';
import type { Units } from '../domain/money.js';
import type { ShortLink } from '../domain/shortLinks.js';
import type { ReceiptRequest } from '../domain/smppRules.js';

/** An item that passed validation, with what the gateway worked out for it before the business checks. */
export interface AcceptCandidate {
  draft: MessageDraft;
  price: Units;
  countryCode: string | null;
  /** When it may be sent and when it expires (domain/schedule.ts), in epoch ms. */
  schedule: { timeZone: string; sendAfter: number | null; completeBy: number | null; expiresAt: number };
  /** The links of the text replaced by short links (spec §5.11). */
  shortLinks: ShortLink[];
  /** Set for a message submitted over SMPP: it has `sendingMethod` SMPP and this origin. */
  smpp?: SmppOrigin;
}

/** Where a message submitted over SMPP came from, and what it owes that client (smpp-interface.md §3, §4). */
export interface SmppOrigin {
  /** Chosen by the door (a concatenation's parts were answered with ids that name it before it existed). */
  uuid: string;
  smppUserId: number;
  /** `registered_delivery` bits 0–1: which final statuses get a receipt. */
  receipts: ReceiptRequest;
  /** The message_id each part was answered with, by segment (one for a message in one part). */
  partIds: string[];
}

