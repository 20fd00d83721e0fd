/**
 * What a delivery receipt the gateway sends to a client carries (`smpp-interface.md` §4): the short_message text
 * of SMPP 3.4 Appendix B, plain ASCII (data_coding 0), and the TLVs as the `smpp` library takes them for a
 * deliver_sm. The reading side (an SMSC's receipts to us) is receipt.ts.
 *
 * With a message id of at most 65 characters the text is at most 177 octets, under the 254 of short_message.
 */
import { NETWORK_TYPE_GSM, type ReceiptStat } from './receipt.js';
import { toSmppAbsoluteTime } from './validityPeriod.js';

/** The longest message id SMPP 3.4 allows (receipted_message_id, message_id: C-Octet String of 65). */
export const MAX_MESSAGE_ID_LENGTH = 65;
/** Characters of the message's text a receipt repeats. */
export const RECEIPT_TEXT_CHARACTERS = 20;

export interface ReceiptTextInput {
  /** The part's message_id, as its submit_sm_resp gave it. */
  messageId: string;
  delivered: boolean;
  /** Epoch ms. */
  submitAt: number;
  /** Epoch ms. */
  doneAt: number;
  stat: ReceiptStat;
  /** The §13 code, 0–999 (0 when delivered). */
  err: number;
  /** The message's text (any characters). */
  text: string;
}

export interface ReceiptTlvInput {
  messageId: string;
  /** SMPP 3.4 §5.2.28 message_state, 1–8. */
  messageState: number;
  /** The §13 code, 0–65535 (0 when delivered). */
  err: number;
}

/** The TLVs of a receipt, named and valued as the `smpp` library encodes them (spread into the deliver_sm's options). */
export interface ReceiptTlvs {
  /** 0x001E, C-Octet String. */
  receipted_message_id: string;
  /** 0x0427, 1 octet. */
  message_state: number;
  /** 0x0423, 3 octets: network type 3 (GSM), then the error code big-endian. The library writes a Buffer as is. */
  network_error_code: Buffer;
}

function checkMessageId(messageId: string): void {
  if (!/^[\x21-\x7e]+$/.test(messageId) || messageId.length > MAX_MESSAGE_ID_LENGTH) {
    throw new RangeError(`a message id is 1–${MAX_MESSAGE_ID_LENGTH} printable ASCII characters without spaces, got ${JSON.stringify(messageId)}`);
  }
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer ${min}–${max}, got ${value}`);
}

/** `YYMMDDhhmm` in UTC (2000–2099). */
export function receiptDate(epochMs: number): string {
  return toSmppAbsoluteTime(epochMs).slice(0, 10);
}

/**
 * The first 20 characters of `text` (by code point: a surrogate pair is one character), each character outside
 * printable ASCII (0x20–0x7E) replaced by '.'.
 */
export function receiptTextExcerpt(text: string): string {
  let out = '';
  let count = 0;
  for (const char of text) {
    if (count === RECEIPT_TEXT_CHARACTERS) break;
    const code = char.codePointAt(0)!;
    out += code >= 0x20 && code <= 0x7e ? char : '.';
    count++;
  }
  return out;
}

/** The receipt's short_message (ASCII): `id:… sub:001 dlvrd:001|000 submit date:… done date:… stat:… err:NNN text:…`. */
export function receiptShortMessage(input: ReceiptTextInput): string {
  checkMessageId(input.messageId);
  checkInteger('err', input.err, 0, 999);
  if (!/^[A-Z]{7}$/.test(input.stat)) throw new RangeError(`stat must be 7 capital letters, got ${JSON.stringify(input.stat)}`);
  return (
    `id:${input.messageId} sub:001 dlvrd:${input.delivered ? '001' : '000'}` +
    ` submit date:${receiptDate(input.submitAt)} done date:${receiptDate(input.doneAt)}` +
    ` stat:${input.stat} err:${String(input.err).padStart(3, '0')} text:${receiptTextExcerpt(input.text)}`
  );
}

/** The receipt's TLVs: receipted_message_id, message_state, network_error_code (type 3 + err in 2 octets). */
export function receiptTlvs(input: ReceiptTlvInput): ReceiptTlvs {
  checkMessageId(input.messageId);
  checkInteger('message_state', input.messageState, 1, 8);
  checkInteger('err', input.err, 0, 0xffff);
  const networkErrorCode = Buffer.alloc(3);
  networkErrorCode[0] = NETWORK_TYPE_GSM;
  networkErrorCode.writeUInt16BE(input.err, 1);
  return { receipted_message_id: input.messageId, message_state: input.messageState, network_error_code: networkErrorCode };
}
