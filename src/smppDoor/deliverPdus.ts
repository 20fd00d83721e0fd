/**
 * The deliver_sm a client is owed (`smpp-interface.md` §4), from an outbox row: a receipt per part id, or an inbound
 * SMS (encoded by smpp/server/fastPdus.ts). The same row makes the same PDUs every time it is sent.
 */
import { receiptStatusOf } from '../domain/smppRules.js';
import type { Status } from '../domain/channels.js';
import { chooseEncoding } from '../domain/smsParts.js';
import { encodeUcs2 } from '../smpp/segmentation.js';
import { toGsm7Septets } from '../smpp/gsm7.js';
import { isNumericSender, NPI_ISDN, NPI_UNKNOWN, TON_ALPHANUMERIC, TON_INTERNATIONAL } from '../smpp/addresses.js';
import { receiptShortMessage, receiptTlvs } from '../smpp/receiptText.js';
import type { DeliverSmOut } from '../smpp/server/fastPdus.js';
import type { ClaimedDeliver } from '../store/smppDoor.js';

/** SMPP 3.4 §5.2.12: esm_class of a delivery receipt, and of an ordinary message. */
const ESM_CLASS_RECEIPT = 0x04;
const ESM_CLASS_MESSAGE = 0x00;
/** The longest short_message; longer text goes in message_payload. */
const MAX_SHORT_MESSAGE = 254;

/** The text of a stored content (JSON): a string, or an object's `text`. */
export function contentText(content: string): string {
  try {
    const value: unknown = JSON.parse(content);
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object' && typeof (value as { text?: unknown }).text === 'string') return (value as { text: string }).text;
  } catch {
    // Not JSON: the text as stored.
    return content;
  }
  return '';
}

function address(addr: string): { ton: number; npi: number; addr: string } {
  return isNumericSender(addr) ? { ton: TON_INTERNATIONAL, npi: NPI_ISDN, addr: addr.replace(/^\+/, '') } : { ton: TON_ALPHANUMERIC, npi: NPI_UNKNOWN, addr };
}

function addresses(source: string, destination: string) {
  const from = address(source);
  const to = address(destination);
  return {
    source_addr_ton: from.ton,
    source_addr_npi: from.npi,
    source_addr: from.addr,
    dest_addr_ton: to.ton,
    dest_addr_npi: to.npi,
    destination_addr: to.addr,
  };
}

/** The PDUs of an outbox row: one per part for a receipt, one for an inbound SMS. */
export function deliverPdus(row: ClaimedDeliver): DeliverSmOut[] {
  return row.kind === 'receipt' ? receiptPdus(row) : [inboundPdu(row)];
}

function receiptPdus(row: ClaimedDeliver): DeliverSmOut[] {
  const receipt = receiptStatusOf(row.status as Status, row.errorCode);
  if (receipt === null) return [];
  const text = contentText(row.content);
  return row.partIds.map((messageId) => ({
    service_type: '',
    ...addresses(row.destination, row.senderName),
    esm_class: ESM_CLASS_RECEIPT,
    data_coding: 0,
    short_message: Buffer.from(
      receiptShortMessage({ messageId, delivered: receipt.delivered, submitAt: row.createdAt, doneAt: row.doneAt ?? row.createdAt, stat: receipt.stat, err: receipt.err, text }),
      'ascii',
    ),
    ...receiptTlvs({ messageId, messageState: receipt.messageState, err: receipt.err }),
  }));
}

/** An inbound SMS: GSM 03.38 (one septet per octet, as clients submit it) when every character has one, else UCS-2. */
function inboundPdu(row: ClaimedDeliver): DeliverSmOut {
  const text = contentText(row.content);
  const gsm = chooseEncoding(text) === 'GSM7';
  const octets = gsm ? toGsm7Septets(text) : encodeUcs2(text);
  return {
    service_type: '',
    ...addresses(row.senderName, row.destination),
    esm_class: ESM_CLASS_MESSAGE,
    data_coding: gsm ? 0x00 : 0x08,
    ...(octets.length <= MAX_SHORT_MESSAGE ? { short_message: octets } : { short_message: Buffer.alloc(0), message_payload: octets }),
  };
}
