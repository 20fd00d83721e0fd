/** The enumerations of the Direct API (spec §12). */

export const CHANNELS = ['VOICECODE', 'FLASHCALL', 'SMS', 'WHATSAPP', 'VK'] as const;
export type Channel = (typeof CHANNELS)[number];

/** VIBER is accepted as a list filter value (it matches nothing), never on send (§12.1). */
export const FILTER_CHANNELS = [...CHANNELS, 'VIBER'] as const;

export const STATUSES = ['sending', 'sent', 'delivered', 'undelivered', 'unsent', 'read', 'unread'] as const;
export type Status = (typeof STATUSES)[number];

export const CALLBACK_EVENTS = ['delivered', 'sent', 'read', 'price', 'click'] as const;
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number];

export const TRAFFIC_TYPES = ['PROMO', 'SERVICE', 'AUTHORIZE', 'TRANSACT'] as const;
export type TrafficType = (typeof TRAFFIC_TYPES)[number];

/** §12.4: `API` and `UI` [doc]; `SMPP` for messages submitted over the SMPP door (smpp-interface.md) [ours]. */
export const SENDING_METHODS = ['API', 'UI', 'SMPP'] as const;
export type SendingMethod = (typeof SENDING_METHODS)[number];

export const DIRECTIONS = ['outbound', 'inbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Channels whose sender name must be approved for the account (§5.6). */
export const CHANNELS_NEEDING_APPROVED_SENDER: readonly Channel[] = ['SMS', 'WHATSAPP'];

/** Channels that take scheduling fields and shortUrl (§5.4). */
export const SCHEDULED_CHANNELS: readonly Channel[] = ['SMS', 'WHATSAPP', 'VK'];

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}
