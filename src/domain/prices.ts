import type { Channel } from './channels.js';
import type { MessageDraft } from './message.js';
import type { Units } from './money.js';

/** Price of one message (one SMS part) per channel, in the account's currency, in units (see money.ts). */
export type PriceTable = Record<Channel, Units>;

/** Defaults, in units of 1/10000: SMS 2.50 per part, VOICECODE 3.00, FLASHCALL 0.80, WHATSAPP 1.20, VK 0.50. */
export const DEFAULT_PRICES: PriceTable = {
  SMS: 25_000,
  VOICECODE: 30_000,
  FLASHCALL: 8_000,
  WHATSAPP: 12_000,
  VK: 5_000,
};

/** The estimated price reserved at acceptance: per part for SMS, per message elsewhere. */
export function estimatePrice(draft: Pick<MessageDraft, 'channelType' | 'totalParts'>, table: PriceTable): Units {
  return table[draft.channelType] * draft.totalParts;
}
