import type { CallbackEvent, Channel, Direction, SendingMethod, Status, TrafficType } from './channels.js';
import type { Units } from './money.js';

export interface VoicecodeContent {
  contentType: 'text';
  text: string;
}
export interface WhatsappTextContent {
  contentType: 'text';
  text: string;
}
export interface WhatsappTemplateContent {
  contentType: 'template';
  templateId: string;
  language: string;
  parameters: string[];
}
export type MessageContent = string | VoicecodeContent | WhatsappTextContent | WhatsappTemplateContent;

/** One request item after validation: normalised, every optional field resolved to its value in effect. */
export interface MessageDraft {
  channelType: Channel;
  senderName: string;
  /** Digits only. */
  destination: string;
  content: MessageContent;
  /** As submitted; null = the default lifetime. */
  ttl: number | null;
  tags: string[];
  externalMessageId: string | null;
  /** Without its fragment. */
  callbackUrl: string | null;
  callbackEvents: CallbackEvent[] | null;
  useLocalTime: boolean | null;
  localSendTime: string | null;
  localCompletionTime: string | null;
  hours: number[] | null;
  days: number[] | null;
  shortUrl: boolean | null;
  totalParts: number;
}

export interface Price {
  totalPrice: Units;
  currency: string;
  invoicedParts: number;
  final: boolean;
}

/** A stored message, as the store returns it. Times are epoch milliseconds. */
export interface MessageRecord extends MessageDraft {
  uuid: string;
  accountId: number;
  direction: Direction;
  sendingMethod: SendingMethod;
  trafficType: TrafficType;
  trafficCenterId: number;
  countryCode: string | null;
  status: Status;
  errorCode: number | null;
  /** Reserved from the balance while the message is not final (internal, never shown). */
  reserved: Units;
  price: Price | null;
  createdAt: number;
  sentAt: number | null;
  statusAt: number;
}
