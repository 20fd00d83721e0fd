import type { Report } from './lifecycle.js';
import { failedStatusCode } from './whatsappOutcomes.js';

/** A status webhook as the rules need it: Meta's `status`, its time, its error codes. */
export interface PlatformStatus {
  status: string;
  at: number;
  errorCodes: readonly number[];
  /** The price the platform's pricing block gives, when the status has one (domain/whatsappPrices.ts). */
  price?: number;
}

/**
 * What a WhatsApp status means for the message (spec §7, §13): `delivered`; `read`, and `played` for voice notes, as
 * read (the lifecycle records `delivered` first if it is missing); `failed` as `undelivered` at no price. `sent` is
 * the hand-off the gateway already recorded, and other statuses (`deleted`, `warning`…) change nothing: null.
 * Repeats and statuses that arrive out of order are harmless: statuses never go backwards (lifecycle.ts).
 */
export function reportOfStatus(status: PlatformStatus): Report | null {
  const price = status.price === undefined ? {} : { price: status.price };
  switch (status.status) {
    case 'delivered':
      return { kind: 'delivered', at: status.at, ...price };
    case 'read':
    case 'played':
      return { kind: 'read', at: status.at, ...price };
    case 'failed':
      return { kind: 'undelivered', at: status.at, errorCode: failedStatusCode(status.errorCodes), price: 0 };
    default:
      return null;
  }
}
