/**
 * deliver_sm / data_sm read from their raw octets. The `smpp` library decodes short_message to text by its own
 * tables, replacing what it cannot map with spaces; a receipt's or an MO's octets must reach `decodeShortMessage`
 * (segmentation.ts) untouched.
 */
import { HEADER_LENGTH } from './pduFraming.js';

/** TLV tags we read from deliver_sm / data_sm (SMPP 3.4 §5.3.2). */
export const TLV_TAG = {
  receipted_message_id: 0x001e,
  sar_msg_ref_num: 0x020c,
  sar_total_segments: 0x020e,
  sar_segment_seqnum: 0x020f,
  network_error_code: 0x0423,
  message_payload: 0x0424,
  message_state: 0x0427,
} as const;

export interface DeliverSmFields {
  sourceAddrTon: number;
  sourceAddrNpi: number;
  sourceAddr: string;
  destAddrTon: number;
  destAddrNpi: number;
  destinationAddr: string;
  esmClass: number;
  dataCoding: number;
  /** Exactly as received (UDH included); empty for data_sm. */
  shortMessage: Buffer;
  /** Raw TLV values by tag. */
  tlvs: Map<number, Buffer>;
}

class Cursor {
  at = HEADER_LENGTH;
  constructor(
    private readonly raw: Buffer,
    private readonly end: number,
  ) {}
  int8(): number {
    if (this.at >= this.end) throw new RangeError(`field past command_length at octet ${this.at}`);
    return this.raw[this.at++]!;
  }
  cstring(): string {
    const zero = this.raw.indexOf(0, this.at);
    if (zero < 0 || zero >= this.end) throw new RangeError(`C-octet string without NUL at octet ${this.at}`);
    const value = this.raw.toString('latin1', this.at, zero);
    this.at = zero + 1;
    return value;
  }
  octets(length: number): Buffer {
    if (this.at + length > this.end) throw new RangeError(`${length} octets past command_length at octet ${this.at}`);
    const value = this.raw.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }
}

/** deliver_sm (§4.6.1) or data_sm (§4.7.1) from its raw octets; throws a RangeError when malformed. */
export function readDeliverSm(raw: Buffer, command: 'deliver_sm' | 'data_sm'): DeliverSmFields {
  const end = raw.readUInt32BE(0);
  const c = new Cursor(raw, end);
  c.cstring(); // service_type
  const sourceAddrTon = c.int8();
  const sourceAddrNpi = c.int8();
  const sourceAddr = c.cstring();
  const destAddrTon = c.int8();
  const destAddrNpi = c.int8();
  const destinationAddr = c.cstring();
  const esmClass = c.int8();
  let dataCoding: number;
  let shortMessage: Buffer = Buffer.alloc(0);
  if (command === 'deliver_sm') {
    c.int8(); // protocol_id
    c.int8(); // priority_flag
    c.cstring(); // schedule_delivery_time
    c.cstring(); // validity_period
    c.int8(); // registered_delivery
    c.int8(); // replace_if_present_flag
    dataCoding = c.int8();
    c.int8(); // sm_default_msg_id
    shortMessage = c.octets(c.int8());
  } else {
    c.int8(); // registered_delivery
    dataCoding = c.int8();
  }
  const tlvs = new Map<number, Buffer>();
  while (c.at < end) {
    const header = c.octets(4);
    tlvs.set(header.readUInt16BE(0), c.octets(header.readUInt16BE(2)));
  }
  return { sourceAddrTon, sourceAddrNpi, sourceAddr, destAddrTon, destAddrNpi, destinationAddr, esmClass, dataCoding, shortMessage, tlvs };
}

/** A C-octet-string TLV value without its NUL (some SMSCs omit the NUL). */
export function tlvString(value: Buffer | undefined): string | undefined {
  if (value === undefined) return undefined;
  const zero = value.indexOf(0);
  return value.toString('latin1', 0, zero < 0 ? value.length : zero);
}

/** The concatenation a deliver_sm states in its SAR TLVs (§5.3.2.22–24), when it has all three, well formed. */
export function sarConcatenation(fields: DeliverSmFields): { reference: number; total: number; seq: number } | undefined {
  const ref = fields.tlvs.get(TLV_TAG.sar_msg_ref_num);
  const total = fields.tlvs.get(TLV_TAG.sar_total_segments);
  const seq = fields.tlvs.get(TLV_TAG.sar_segment_seqnum);
  if (ref?.length !== 2 || total?.length !== 1 || seq?.length !== 1) return undefined;
  return { reference: ref.readUInt16BE(0), total: total[0]!, seq: seq[0]! };
}
