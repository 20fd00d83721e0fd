import type { Channel, TrafficType } from './channels.js';
import type { Units } from './money.js';

export interface Account {
  id: number;
  name: string;
  currency: string;
  /** Booked balance; the available balance subtracts `reserved`. */
  balance: Units;
  reserved: Units;
  billingEnabled: boolean;
  suspended: boolean;
  /** Allowed FLASHCALL code lengths (spec §6.2.1): a subset of 4..6, default [4]. */
  flashcallCodeLengths: number[];
  disabledChannels: Channel[];
}

export interface ApprovedSender {
  accountId: number;
  channel: Channel;
  name: string;
  trafficType: TrafficType | null;
  /** Epoch ms; the sender may be used from this moment on. */
  startsAt: number;
}

export function availableBalance(account: Pick<Account, 'balance' | 'reserved'>): Units {
  return account.balance - account.reserved;
}
