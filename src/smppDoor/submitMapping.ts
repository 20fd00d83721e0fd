/**
 * A client's submit_sm / data_sm as a Direct API item (`smpp-interface.md` §3), so that it goes through the same
 * validation and business checks as an item of `POST /api/v1/message`. What this reads is SMPP (the channel of a
 * `service_type`, the text of a `data_coding`, the concatenation, the two time formats); what it refuses here are
 * the rows of §3 that only SMPP can get wrong. Everything else is found by the item's validation, whose first failing
 * field domain/smppRules.ts turns into a command_status (statusOfInvalidItem).
 */
import type { Channel } from '../domain/channels.js';
import { channelOfServiceType, receiptRequestOf, SMPP_STATUS, type ReceiptRequest } from '../domain/smppRules.js';
import { SEND_TIME_FUTURE, SEND_TIME_PAST } from '../domain/scheduleFields.js';
import { readConcatenation, type ReferenceBits } from '../smpp/concatenation.js';
import { decodeSubmittedText, SUBMIT_DATA_CODINGS, type ShortMessageText } from '../smpp/shortMessageText.js';
import { parseSubmitTime } from '../smpp/smppTime.js';
import type { PduFields } from '../smpp/server/pduFields.js';
import { moscowWallClock } from './moscowWallClock.js';

/** The part of a concatenated message this submit is. */
export interface SubmitPart {
  reference: number;
  referenceBits: ReferenceBits;
  total: number;
  segment: number;
  dataCoding: number;
  /** The part's text octets, UDH removed: decoded once every part is there (a character may straddle two parts). */
  octets: Buffer;
}

export interface MappedSubmit {
  channel: Channel;
  /** The Direct API item (direct-api.md §5.4): for a part, without its `content` (joinParts adds it). */
  item: Record<string, unknown>;
  receipts: ReceiptRequest;
  /** Null for a message in one submit. */
  part: SubmitPart | null;
}

export type SubmitMapping = { ok: true; submit: MappedSubmit } | { ok: false; status: number; reason: string };

const refuse = (status: number, reason: string): SubmitMapping => ({ ok: false, status, reason });

const SCHEDULED: ReadonlySet<Channel> = new Set(['SMS', 'WHATSAPP', 'VK']);

/** The senderName of VOICECODE is fixed (direct-api.md §6.1): a client that leaves source_addr empty means it. */
const VOICECODE_SENDER = 'voicecode';

export function mapSubmit(fields: PduFields, context: { now: number; callbackUrl: string | null }): SubmitMapping {
  const serviceType = typeof fields.service_type === 'string' ? fields.service_type : '';
  const channel = channelOfServiceType(serviceType);
  if (channel === null) return refuse(SMPP_STATUS.invalidServiceType, `service_type ${JSON.stringify(serviceType)} names no channel`);

  const shortMessage = asBuffer(fields.short_message);
  const payloadTlv = asBuffer(fields.message_payload);
  if (shortMessage.length > 0 && payloadTlv.length > 0) return refuse(SMPP_STATUS.submitFailed, 'both short_message and message_payload carry text');
  const octets = payloadTlv.length > 0 ? payloadTlv : shortMessage;
  const concatenation = readConcatenation(asNumber(fields.esm_class), octets, {
    sar_msg_ref_num: optionalNumber(fields.sar_msg_ref_num),
    sar_total_segments: optionalNumber(fields.sar_total_segments),
    sar_segment_seqnum: optionalNumber(fields.sar_segment_seqnum),
  });
  if (concatenation.kind === 'invalid') return refuse(SMPP_STATUS.submitFailed, concatenation.reason);
  const dataCoding = asNumber(fields.data_coding);
  let part: SubmitPart | null = null;
  let text = '';
  if (concatenation.kind === 'part') {
    if (channel !== 'SMS') return refuse(SMPP_STATUS.submitFailed, `a ${channel} message cannot be concatenated`);
    if (!SUBMIT_DATA_CODINGS.includes(dataCoding)) return refuse(SMPP_STATUS.submitFailed, `data_coding 0x${dataCoding.toString(16)} is not decodable (0, 1, 3 and 8 only)`);
    if (dataCoding === 0x08 && concatenation.payload.length % 2 !== 0) return refuse(SMPP_STATUS.submitFailed, 'UCS-2 text of an odd number of octets');
    const { reference, referenceBits, total, seq, payload } = concatenation;
    part = { reference, referenceBits, total, segment: seq, dataCoding, octets: payload };
  } else {
    const decoded = decodeSubmittedText(dataCoding, concatenation.payload);
    if (!decoded.ok) return refuse(SMPP_STATUS.submitFailed, decoded.reason);
    text = decoded.text;
  }

  const validity = parseSubmitTime(asText(fields.validity_period), context.now);
  if (!validity.ok) return refuse(SMPP_STATUS.invalidExpiry, `validity_period: ${validity.reason}`);
  const schedule = parseSubmitTime(asText(fields.schedule_delivery_time), context.now);
  if (!schedule.ok) return refuse(SMPP_STATUS.invalidScheduledTime, `schedule_delivery_time: ${schedule.reason}`);

  const item: Record<string, unknown> = {
    channelType: channel,
    senderName: asText(fields.source_addr) || (channel === 'VOICECODE' ? VOICECODE_SENDER : ''),
    // TON and NPI are ignored (spec §3): the digits are checked as any destination.
    destination: asText(fields.destination_addr).replace(/^\+/, ''),
  };
  if (part === null) item.content = contentOf(channel, text);
  if (validity.at !== null) {
    // validity_period is when the message ends; a lifetime counts from when it may first be sent (direct-api.md §5.7),
    // rounded up. The item's validation refuses one outside the channel's range (one that ends before it starts too).
    item.ttl = Math.ceil((validity.at - Math.max(context.now, schedule.at ?? context.now)) / 1000);
  }
  if (schedule.at !== null) {
    if (!SCHEDULED.has(channel)) return refuse(SMPP_STATUS.invalidScheduledTime, `${channel} cannot be scheduled`);
    if (schedule.at > context.now + SEND_TIME_FUTURE || schedule.at < context.now - SEND_TIME_PAST) {
      return refuse(SMPP_STATUS.invalidScheduledTime, 'schedule_delivery_time is more than 7 days ahead or 12 hours past');
    }
    // The instant, as the Moscow wall clock that `useLocalTime: false` reads (direct-api.md §5.8).
    item.useLocalTime = false;
    item.localSendTime = moscowWallClock(schedule.at);
  }
  if (context.callbackUrl !== null) item.callbackUrl = context.callbackUrl;
  return { ok: true, submit: { channel, item, receipts: receiptRequestOf(asNumber(fields.registered_delivery)), part } };
}

/**
 * The text of a concatenated message from its parts in segment order: their octets decoded together when they share
 * a data_coding (so a UCS-2 surrogate pair or a GSM-7 escape split between two parts reads as one character), else
 * each part on its own.
 */
export function joinParts(parts: readonly Pick<SubmitPart, 'dataCoding' | 'octets'>[]): ShortMessageText {
  const coding = parts[0]?.dataCoding ?? 0;
  if (parts.every((part) => part.dataCoding === coding)) return decodeSubmittedText(coding, Buffer.concat(parts.map((part) => part.octets)));
  let text = '';
  for (const part of parts) {
    const decoded = decodeSubmittedText(part.dataCoding, part.octets);
    if (!decoded.ok) return decoded;
    text += decoded.text;
  }
  return { ok: true, text };
}

function contentOf(channel: Channel, text: string): unknown {
  switch (channel) {
    case 'VOICECODE':
    case 'WHATSAPP':
      return { contentType: 'text', text };
    default:
      // SMS and VK: the text; FLASHCALL: the code.
      return text;
  }
}

function asBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value, 'latin1');
  if (value && typeof value === 'object' && 'message' in value && Buffer.isBuffer((value as { message: unknown }).message)) return (value as { message: Buffer }).message;
  return Buffer.alloc(0);
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('latin1') : '';
}

function asNumber(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : 0;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
