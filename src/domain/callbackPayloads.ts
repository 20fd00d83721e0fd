import type { CallbackEvent, Channel, Status } from './channels.js';
import { hasReadReceipts, type StatusChange } from './lifecycle.js';
import { unitsToNumber, type Units } from './money.js';
import { isoSeconds } from './messageView.js';

/** What callback selection needs to know about a message (spec §5.10, §11.2). */
export interface CallbackTarget {
  uuid: string;
  channelType: Channel;
  callbackUrl: string | null;
  callbackEvents: CallbackEvent[] | null;
  shortUrl: boolean | null;
}

/** One event object of a callback body (spec §11.4), snake_case. */
export type CallbackPayload = Record<string, unknown> & { callback_event: CallbackEvent };

const EVENT_OF_STATUS: Record<Status, CallbackEvent | null> = {
  sending: null,
  sent: 'sent',
  delivered: 'delivered',
  undelivered: 'delivered',
  unsent: 'delivered',
  read: 'read',
  unread: 'read',
};

function wants(target: CallbackTarget, event: CallbackEvent): boolean {
  if (target.callbackUrl === null || !(target.callbackEvents ?? []).includes(event)) return false;
  if (event === 'read') return hasReadReceipts(target.channelType);
  if (event === 'click') return target.shortUrl === true && target.channelType !== 'VOICECODE' && target.channelType !== 'FLASHCALL';
  return true;
}

export function statusCallback(target: CallbackTarget, change: StatusChange): CallbackPayload | null {
  const event = EVENT_OF_STATUS[change.status];
  if (event === null || !wants(target, event)) return null;
  const payload: CallbackPayload = {
    message_uuid: target.uuid,
    channel_type: target.channelType,
    callback_event: event,
    status: change.status,
    status_time: isoSeconds(change.at),
  };
  if (change.errorCode !== null) payload.error_code = change.errorCode;
  return payload;
}

export function priceCallback(
  target: CallbackTarget,
  price: { total: Units; currency: string; parts: number; final: boolean },
  at: number,
): CallbackPayload | null {
  if (!wants(target, 'price')) return null;
  return {
    message_uuid: target.uuid,
    channel_type: target.channelType,
    callback_event: 'price',
    price: { total_price: unitsToNumber(price.total), currency: price.currency, invoiced_parts: price.parts, final: price.final },
    status_time: isoSeconds(at),
  };
}

export function clickCallback(target: CallbackTarget, url: string, at: number): CallbackPayload | null {
  if (!wants(target, 'click')) return null;
  return { message_uuid: target.uuid, channel_type: target.channelType, callback_event: 'click', url, click_time: isoSeconds(at) };
}
