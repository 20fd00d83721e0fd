/**
 * The two PDUs the SMPP door writes per message, encoded directly: the `submit_sm_resp` / `data_sm_resp` of every
 * submit and the `deliver_sm` of every receipt. The `smpp` library encodes any PDU (pduFields.ts uses it for all the
 * others), but through a generic field walk with filters that cost about a sixth of the door's CPU at 10,000
 * submits a second (measured in `npm run bench`); these are the same octets (test/smpp/fastPdus.test.ts compares
 * them with the library's), in one allocation.
 */
import { RESPONSE_BIT } from './smscCommands.js';

const HEADER = 16;
const DELIVER_SM = 0x00000005;

/** TLV tags (SMPP 3.4 §5.3.2). */
const TAG = { receipted_message_id: 0x001e, network_error_code: 0x0423, message_payload: 0x0424, message_state: 0x0427 } as const;

/**
 * A submit's response: `message_id` on success, the header alone on an error (SMPP 3.4 §4.4.2: the body is not
 * returned when command_status is not 0). `requestId` is the submit's command_id.
 */
export function encodeMessageIdResponse(requestId: number, sequence: number, status: number, messageId: string): Buffer {
  const idLength = status === 0 ? Buffer.byteLength(messageId, 'latin1') + 1 : 0;
  const raw = Buffer.allocUnsafe(HEADER + idLength);
  writeHeader(raw, (requestId | RESPONSE_BIT) >>> 0, status, sequence);
  if (idLength > 0) {
    raw.write(messageId, HEADER, 'latin1');
    raw[HEADER + idLength - 1] = 0;
  }
  return raw;
}

/** A deliver_sm as the door sends them (deliverPdus.ts); absent TLVs are left out. */
export interface DeliverSmOut {
  service_type: string;
  source_addr_ton: number;
  source_addr_npi: number;
  source_addr: string;
  dest_addr_ton: number;
  dest_addr_npi: number;
  destination_addr: string;
  esm_class: number;
  data_coding: number;
  short_message: Buffer;
  receipted_message_id?: string;
  message_state?: number;
  network_error_code?: Buffer;
  message_payload?: Buffer;
}

/** The deliver_sm's octets, sequence_number 0 (the session sets it when it sends). */
export function encodeDeliverSm(pdu: DeliverSmOut): Buffer {
  if (pdu.short_message.length > 254) throw new RangeError(`short_message of ${pdu.short_message.length} octets: at most 254 (message_payload for more)`);
  const cstrings = [pdu.service_type, pdu.source_addr, pdu.destination_addr].map((text) => Buffer.byteLength(text, 'latin1') + 1);
  // esm_class, protocol_id, priority_flag; two empty times; registered_delivery, replace_if_present_flag, data_coding,
  // sm_default_msg_id; sm_length.
  let length = HEADER + cstrings[0]! + 2 + cstrings[1]! + 2 + cstrings[2]! + 3 + 2 + 4 + 1 + pdu.short_message.length;
  if (pdu.receipted_message_id !== undefined) length += 4 + Buffer.byteLength(pdu.receipted_message_id, 'latin1') + 1;
  if (pdu.message_state !== undefined) length += 4 + 1;
  if (pdu.network_error_code !== undefined) length += 4 + pdu.network_error_code.length;
  if (pdu.message_payload !== undefined) length += 4 + pdu.message_payload.length;
  const raw = Buffer.allocUnsafe(length);
  writeHeader(raw, DELIVER_SM, 0, 0);
  let at = HEADER;
  const cstring = (text: string) => {
    at += raw.write(text, at, 'latin1');
    raw[at++] = 0;
  };
  const octet = (value: number) => (raw[at++] = value & 0xff);
  cstring(pdu.service_type);
  octet(pdu.source_addr_ton);
  octet(pdu.source_addr_npi);
  cstring(pdu.source_addr);
  octet(pdu.dest_addr_ton);
  octet(pdu.dest_addr_npi);
  cstring(pdu.destination_addr);
  octet(pdu.esm_class);
  octet(0); // protocol_id
  octet(0); // priority_flag
  octet(0); // schedule_delivery_time: empty C-octet string
  octet(0); // validity_period: empty
  octet(0); // registered_delivery
  octet(0); // replace_if_present_flag
  octet(pdu.data_coding);
  octet(0); // sm_default_msg_id
  octet(pdu.short_message.length);
  at += pdu.short_message.copy(raw, at);
  const tlv = (tag: number, value: Buffer | string | number) => {
    raw.writeUInt16BE(tag, at);
    if (typeof value === 'number') {
      raw.writeUInt16BE(1, at + 2);
      raw[at + 4] = value;
      at += 5;
    } else if (typeof value === 'string') {
      const size = Buffer.byteLength(value, 'latin1') + 1;
      raw.writeUInt16BE(size, at + 2);
      raw.write(value, at + 4, 'latin1');
      raw[at + 4 + size - 1] = 0;
      at += 4 + size;
    } else {
      raw.writeUInt16BE(value.length, at + 2);
      value.copy(raw, at + 4);
      at += 4 + value.length;
    }
  };
  if (pdu.receipted_message_id !== undefined) tlv(TAG.receipted_message_id, pdu.receipted_message_id);
  if (pdu.message_state !== undefined) tlv(TAG.message_state, pdu.message_state);
  if (pdu.network_error_code !== undefined) tlv(TAG.network_error_code, pdu.network_error_code);
  if (pdu.message_payload !== undefined) tlv(TAG.message_payload, pdu.message_payload);
  return raw;
}

function writeHeader(raw: Buffer, commandId: number, status: number, sequence: number): void {
  raw.writeUInt32BE(raw.length, 0);
  raw.writeUInt32BE(commandId >>> 0, 4);
  raw.writeUInt32BE(status >>> 0, 8);
  raw.writeUInt32BE(sequence >>> 0, 12);
}
