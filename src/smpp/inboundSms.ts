/**
 * What a deliver_sm / data_sm carries, read from its fields: a delivery receipt (Appendix B text and the SMPP 3.4
 * TLVs), or one part of a mobile-originated text with its concatenation (UDH or SAR TLVs).
 */
import { sarConcatenation, TLV_TAG, tlvString, type DeliverSmFields } from './deliverSm.js';
import { parseDeliveryReceipt, type DeliveryReceipt } from './receipt.js';
import { decodeShortMessage, type ConcatenationInfo } from './segmentation.js';

export interface ReadReceipt {
  /** Undefined when the receipt names no message. */
  receipt: DeliveryReceipt | undefined;
  /** The receipt as received, for timelines and logs: its text, else its TLVs. */
  detail: string;
}

export function readReceipt(fields: DeliverSmFields): ReadReceipt {
  const body = fields.shortMessage.length > 0 ? fields.shortMessage : (fields.tlvs.get(TLV_TAG.message_payload) ?? Buffer.alloc(0));
  // Appendix B receipt texts are ASCII; read as GSM 03.38, '_' of `submit_date` would turn into '§'.
  const text = decodeShortMessage(body, fields.dataCoding === 0x08 ? 0x08 : 0x03).text;
  const receiptedMessageId = tlvString(fields.tlvs.get(TLV_TAG.receipted_message_id));
  const messageState = fields.tlvs.get(TLV_TAG.message_state)?.[0];
  const networkErrorCode = fields.tlvs.get(TLV_TAG.network_error_code);
  const receipt = parseDeliveryReceipt({
    ...(text !== '' ? { text } : {}),
    ...(receiptedMessageId !== undefined ? { receiptedMessageId } : {}),
    ...(messageState !== undefined ? { messageState } : {}),
    ...(networkErrorCode !== undefined ? { networkErrorCode } : {}),
  });
  const detail = text !== '' ? text : `receipted_message_id:${receiptedMessageId ?? ''} message_state:${messageState ?? ''}`;
  return { receipt, detail };
}

export interface MoTextPart {
  sourceAddr: string;
  destinationAddr: string;
  text: string;
  /** Set when the text is one part of a concatenated message. */
  concatenation: ConcatenationInfo | undefined;
}

export function readMoText(fields: DeliverSmFields): MoTextPart {
  const payload = fields.tlvs.get(TLV_TAG.message_payload);
  const body = fields.shortMessage.length > 0 || !payload ? fields.shortMessage : payload;
  const decoded = decodeShortMessage(body, fields.dataCoding, fields.esmClass);
  return {
    sourceAddr: fields.sourceAddr,
    destinationAddr: fields.destinationAddr,
    text: decoded.text,
    concatenation: decoded.concatenation ?? sarConcatenation(fields),
  };
}
