/**
 * The concatenation a client's submit_sm / data_sm states (`smpp-interface.md` §3), read strictly:
 * - from the UDH when esm_class has UDHI (0x40): IE 0x00 (8-bit reference: ref, total, seq) or IE 0x08
 *   (16-bit reference: ref hi, ref lo, total, seq); other IEs are skipped; the payload is what follows the UDH;
 * - or from the SAR TLVs sar_msg_ref_num (0x020C, 2 octets), sar_total_segments (0x020E, 1),
 *   sar_segment_seqnum (0x020F, 1), named and valued as the `smpp` library gives them (integers).
 *
 * Unlike `udhElements` in segmentation.ts (the client side, which keeps what it can of an SMSC's deliver_sm), a
 * malformed UDH here is an error: the submit is refused.
 */
import { ESM_CLASS_UDHI, type SarTlvs } from './segmentation.js';

export const IEI_CONCAT_8BIT = 0x00;
export const IEI_CONCAT_16BIT = 0x08;

export type ReferenceBits = 8 | 16 | 'sar';

export type Concatenation =
  | { kind: 'single'; payload: Buffer }
  | { kind: 'part'; reference: number; referenceBits: ReferenceBits; total: number; seq: number; payload: Buffer }
  | { kind: 'invalid'; reason: string };

export interface UdhElement {
  iei: number;
  data: Buffer;
}

/**
 * The UDH at the start of `message` (first octet = UDHL): its information elements and the payload after it.
 * A string reason when malformed: no UDHL, UDHL past the message, an IE header or data past the UDHL.
 */
export function parseUdh(message: Buffer): { elements: UdhElement[]; payload: Buffer } | string {
  if (message.length === 0) return 'UDHI set but the message is empty (no UDHL)';
  const udhl = message[0]!;
  const end = 1 + udhl;
  if (end > message.length) return `UDHL ${udhl} is longer than the ${message.length - 1} octets after it`;
  const elements: UdhElement[] = [];
  let at = 1;
  while (at < end) {
    if (at + 2 > end) return `UDH: an IE header at octet ${at} runs past the UDHL`;
    const iei = message[at]!;
    const length = message[at + 1]!;
    if (at + 2 + length > end) return `UDH: IE 0x${iei.toString(16).padStart(2, '0')} of ${length} octets at octet ${at} runs past the UDHL`;
    elements.push({ iei, data: Buffer.from(message.subarray(at + 2, at + 2 + length)) });
    at += 2 + length;
  }
  return { elements, payload: Buffer.from(message.subarray(end)) };
}

/**
 * The concatenation of a submit. `message`: the octets that carry the text (short_message, or message_payload
 * when short_message is empty), UDH included when UDHI is set. `sar`: the SAR TLVs as the library decoded them
 * (absent ones undefined). Both a UDH concatenation IE and SAR TLVs, or only some of the three SAR TLVs, are
 * invalid. total 0, seq 0 or seq > total are invalid; total 1 (seq 1) is a single message.
 */
export function readConcatenation(esmClass: number, message: Buffer, sar: Partial<SarTlvs> = {}): Concatenation {
  let payload = message;
  let fromUdh: { reference: number; referenceBits: 8 | 16; total: number; seq: number } | undefined;
  if (esmClass & ESM_CLASS_UDHI) {
    const udh = parseUdh(message);
    if (typeof udh === 'string') return { kind: 'invalid', reason: udh };
    payload = udh.payload;
    for (const { iei, data } of udh.elements) {
      if (iei !== IEI_CONCAT_8BIT && iei !== IEI_CONCAT_16BIT) continue;
      if (fromUdh) return { kind: 'invalid', reason: 'UDH: more than one concatenation IE' };
      if (iei === IEI_CONCAT_8BIT) {
        if (data.length !== 3) return { kind: 'invalid', reason: `UDH: IE 0x00 must have 3 octets, has ${data.length}` };
        fromUdh = { reference: data[0]!, referenceBits: 8, total: data[1]!, seq: data[2]! };
      } else {
        if (data.length !== 4) return { kind: 'invalid', reason: `UDH: IE 0x08 must have 4 octets, has ${data.length}` };
        fromUdh = { reference: data.readUInt16BE(0), referenceBits: 16, total: data[2]!, seq: data[3]! };
      }
    }
  }

  const sarValues = [sar.sar_msg_ref_num, sar.sar_total_segments, sar.sar_segment_seqnum];
  const sarCount = sarValues.filter((value) => value !== undefined && value !== null).length;
  if (sarCount > 0 && sarCount < 3) return { kind: 'invalid', reason: 'SAR: sar_msg_ref_num, sar_total_segments and sar_segment_seqnum must come together' };
  if (sarCount === 3 && fromUdh) return { kind: 'invalid', reason: 'both a UDH concatenation IE and SAR TLVs' };

  let found: { reference: number; referenceBits: ReferenceBits; total: number; seq: number } | undefined = fromUdh;
  if (sarCount === 3) {
    const [reference, total, seq] = sarValues as number[];
    if (!isInt(reference, 0xffff)) return { kind: 'invalid', reason: `SAR: sar_msg_ref_num ${String(reference)} is not 0–65535` };
    if (!isInt(total, 0xff)) return { kind: 'invalid', reason: `SAR: sar_total_segments ${String(total)} is not 0–255` };
    if (!isInt(seq, 0xff)) return { kind: 'invalid', reason: `SAR: sar_segment_seqnum ${String(seq)} is not 0–255` };
    found = { reference, referenceBits: 'sar', total, seq };
  }
  if (!found) return { kind: 'single', payload };
  const { total, seq } = found;
  if (total === 0) return { kind: 'invalid', reason: 'concatenation: total number of parts is 0' };
  if (seq === 0) return { kind: 'invalid', reason: 'concatenation: sequence number is 0' };
  if (seq > total) return { kind: 'invalid', reason: `concatenation: part ${seq} of ${total}` };
  if (total === 1) return { kind: 'single', payload };
  return { kind: 'part', reference: found.reference, referenceBits: found.referenceBits, total, seq, payload };
}

function isInt(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}

/**
 * The key under which the parts of one concatenated message are gathered: the SMPP user, both addresses, the
 * reference and its kind (an 8-bit, a 16-bit and a SAR reference of the same value are different messages).
 * Unambiguous whatever the addresses contain (JSON).
 */
export function concatenationKey(systemId: string, sourceAddr: string, destAddr: string, reference: number, referenceBits: ReferenceBits): string {
  return JSON.stringify([systemId, sourceAddr, destAddr, String(referenceBits), reference]);
}
