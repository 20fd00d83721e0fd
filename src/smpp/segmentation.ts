/**
 * Splitting an SMS text into submit_sm parts (spec §6.3), and reading a received short_message back.
 *
 * The encoding and the part count come from `src/domain/smsParts.ts`: GSM-7 when every character is in the
 * GSM 03.38 alphabet (160 septets in one part, 153 per part when concatenated, an escape pair never split),
 * UCS-2 big-endian otherwise (70 / 67 UTF-16 units, a surrogate pair never split). The split is the same greedy
 * split `countSmsParts` counts, so `parts.length` always equals the billed `totalParts` (tested over many texts).
 *
 * Three ways to send a long text (`mode`):
 * - `udh`: each part's short_message starts with the UDH `05 00 03 ref total seq` (IE 0x00, 8-bit reference),
 *   esm_class 0x40 (UDHI). The most widely supported; the default.
 * - `sar`: the parts carry the TLVs sar_msg_ref_num / sar_total_segments / sar_segment_seqnum, esm_class 0x00.
 * - `payload`: one submit_sm with the whole text in the message_payload TLV and an empty short_message
 *   (sm_length 0, SMPP 3.4 §5.3.2.32); the SMSC splits it. `totalParts` is still the §6.3 count (billing).
 * A text that fits one part is sent without UDH or SAR TLVs in `udh` and `sar` mode.
 */
import { chooseEncoding, countSmsParts, gsm7Septets, type SmsEncoding } from '../domain/smsParts.js';
import { fromGsm7Septets, packSeptets, toGsm7Septets, udhFillBits } from './gsm7.js';

export type SegmentationMode = 'udh' | 'sar' | 'payload';

/** data_coding: 0x00 the SMSC default alphabet (GSM 03.38), 0x08 UCS-2. */
export type SmsDataCoding = 0x00 | 0x08;

export const DATA_CODING_GSM7 = 0x00;
export const DATA_CODING_UCS2 = 0x08;
/** esm_class bit 6: short_message starts with a user data header. */
export const ESM_CLASS_UDHI = 0x40;

export interface SarTlvs {
  sar_msg_ref_num: number;
  sar_total_segments: number;
  sar_segment_seqnum: number;
}

export interface SmsSegment {
  /** Exactly the octets of short_message (UDH included in `udh` mode; empty in `payload` mode). */
  shortMessage: Buffer;
  /** The UDH alone (`udh` mode, multipart only), for logs and tests; it is already inside `shortMessage`. */
  udh?: Buffer;
  /** `sar` mode, multipart only. Names as the `smpp` library's TLV names. */
  sarTlvs?: SarTlvs;
  /** `payload` mode: the whole encoded text, for the message_payload TLV. */
  messagePayload?: Buffer;
  esmClass: number;
  /** The characters this part carries. */
  text: string;
}

export interface SegmentedSms {
  encoding: SmsEncoding;
  dataCoding: SmsDataCoding;
  /** The §6.3 part count (= `countSmsParts(text).parts`), also in `payload` mode where one PDU is sent. */
  totalParts: number;
  parts: SmsSegment[];
}

export interface SegmentationOptions {
  /** The concatenation reference: 0–255 for `udh` (8-bit IE), 0–65535 for `sar`; ignored by `payload`. */
  reference: number;
  mode: SegmentationMode;
  /**
   * GSM-7 septets one per octet (`unpacked`, what SMSCs expect with data_coding 0, the default) or packed
   * 7 bits each with fill bits after the UDH (`packed`, for SMSCs configured that way).
   */
  gsm7?: 'unpacked' | 'packed';
}

const LIMITS: Record<SmsEncoding, { single: number; multi: number }> = {
  GSM7: { single: 160, multi: 153 },
  UCS2: { single: 70, multi: 67 },
};

/** Characters grouped into parts greedily, never splitting an escape pair or a surrogate pair. */
export function splitSmsText(text: string): { encoding: SmsEncoding; parts: string[] } {
  const encoding = chooseEncoding(text);
  const { single, multi } = LIMITS[encoding];
  const chars = [...text];
  const size = (char: string): number => (encoding === 'GSM7' ? gsm7Septets(char) : char.length);
  const total = chars.reduce((sum, char) => sum + size(char), 0);
  if (total <= single) return { encoding, parts: [text] };
  const parts: string[] = [];
  let current = '';
  let used = 0;
  for (const char of chars) {
    const units = size(char);
    if (used + units > multi) {
      parts.push(current);
      current = '';
      used = 0;
    }
    current += char;
    used += units;
  }
  parts.push(current);
  return { encoding, parts };
}

export function encodeUcs2(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

export function decodeUcs2(octets: Uint8Array): string {
  const even = Buffer.from(octets.subarray(0, octets.length - (octets.length % 2)));
  return even.swap16().toString('utf16le');
}

/** The concatenation UDH: UDHL 05, IE 0x00 (concatenated SM, 8-bit reference), IEDL 03, ref, total, seq. */
export function concatenationUdh(reference: number, total: number, seq: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, reference, total, seq]);
}

function checkByte(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${name} must be an integer 0–${max}, got ${value}`);
}

export function segmentSms(text: string, options: SegmentationOptions): SegmentedSms {
  const { mode, reference } = options;
  const packed = options.gsm7 === 'packed';
  const split = splitSmsText(text);
  const { encoding } = split;
  const dataCoding: SmsDataCoding = encoding === 'GSM7' ? DATA_CODING_GSM7 : DATA_CODING_UCS2;
  const totalParts = countSmsParts(text).parts;
  const encode = (part: string, udhOctets: number): Buffer => {
    if (encoding === 'UCS2') return encodeUcs2(part);
    const septets = toGsm7Septets(part);
    return packed ? packSeptets(septets, udhOctets ? udhFillBits(udhOctets) : 0) : septets;
  };

  if (mode === 'payload') {
    const payload = encode(text, 0);
    return { encoding, dataCoding, totalParts, parts: [{ shortMessage: Buffer.alloc(0), messagePayload: payload, esmClass: 0x00, text }] };
  }
  const total = split.parts.length;
  if (total === 1) {
    return { encoding, dataCoding, totalParts, parts: [{ shortMessage: encode(text, 0), esmClass: 0x00, text }] };
  }
  checkByte('the number of parts', total, 255);
  if (mode === 'udh') {
    checkByte('a UDH concatenation reference', reference, 0xff);
    const parts = split.parts.map((part, i): SmsSegment => {
      const udh = concatenationUdh(reference, total, i + 1);
      return { shortMessage: Buffer.concat([udh, encode(part, udh.length)]), udh, esmClass: ESM_CLASS_UDHI, text: part };
    });
    return { encoding, dataCoding, totalParts, parts };
  }
  checkByte('a SAR reference', reference, 0xffff);
  const parts = split.parts.map(
    (part, i): SmsSegment => ({
      shortMessage: encode(part, 0),
      sarTlvs: { sar_msg_ref_num: reference, sar_total_segments: total, sar_segment_seqnum: i + 1 },
      esmClass: 0x00,
      text: part,
    }),
  );
  return { encoding, dataCoding, totalParts, parts };
}

// ---- Reading a received short_message (MO deliver_sm): the inverse of the above. ----

export interface ConcatenationInfo {
  reference: number;
  total: number;
  seq: number;
}

export interface DecodedShortMessage {
  text: string;
  /** The UDH octets (UDHL included) when esm_class has UDHI. */
  udh?: Buffer;
  /** From UDH IE 0x00 (8-bit reference) or 0x08 (16-bit reference). */
  concatenation?: ConcatenationInfo;
}

/** The information elements of a UDH (UDHL included), as [iei, data] pairs; malformed trailing bytes are dropped. */
export function udhElements(udh: Uint8Array): { iei: number; data: Buffer }[] {
  const out: { iei: number; data: Buffer }[] = [];
  const end = Math.min(udh.length, (udh[0] ?? 0) + 1);
  let at = 1;
  while (at + 2 <= end) {
    const iei = udh[at]!;
    const length = udh[at + 1]!;
    if (at + 2 + length > end) break;
    out.push({ iei, data: Buffer.from(udh.subarray(at + 2, at + 2 + length)) });
    at += 2 + length;
  }
  return out;
}

function concatenationOf(udh: Uint8Array): ConcatenationInfo | undefined {
  for (const { iei, data } of udhElements(udh)) {
    if (iei === 0x00 && data.length === 3) return { reference: data[0]!, total: data[1]!, seq: data[2]! };
    if (iei === 0x08 && data.length === 4) return { reference: data.readUInt16BE(0), total: data[2]!, seq: data[3]! };
  }
  return undefined;
}

/**
 * Text of a short_message (or message_payload) by data_coding (SMPP 3.4 §5.2.19): 0x00 GSM 03.38 unpacked,
 * 0x01 IA5 (ASCII), 0x08 UCS-2; values from 0x10 follow the GSM 03.38 data coding scheme (general group
 * 00xx, message-waiting groups 0xC0–0xEF, class group 0xF0). Anything else (Latin-1, binary, national codings)
 * reads as Latin-1, so no byte is lost.
 */
export function decodeShortMessage(octets: Uint8Array, dataCoding: number, esmClass = 0): DecodedShortMessage {
  let body = octets;
  let udh: Buffer | undefined;
  if (esmClass & ESM_CLASS_UDHI && octets.length > 0) {
    const udhLength = octets[0]! + 1;
    udh = Buffer.from(octets.subarray(0, udhLength));
    body = octets.subarray(udhLength);
  }
  const text = decodeText(body, alphabetOf(dataCoding));
  const concatenation = udh ? concatenationOf(udh) : undefined;
  return { text, ...(udh ? { udh } : {}), ...(concatenation ? { concatenation } : {}) };
}

type Alphabet = 'gsm7' | 'ascii' | 'ucs2' | 'latin1';

function alphabetOf(dataCoding: number): Alphabet {
  if (dataCoding === 0x00) return 'gsm7';
  if (dataCoding === 0x01) return 'ascii';
  if (dataCoding === 0x08) return 'ucs2';
  if (dataCoding < 0x10) return 'latin1';
  if (dataCoding < 0x40) {
    if (dataCoding & 0x20) return 'latin1'; // compressed: not decoded
    return (['gsm7', 'latin1', 'ucs2', 'latin1'] as const)[(dataCoding >> 2) & 0x03];
  }
  if (dataCoding >= 0xc0 && dataCoding < 0xe0) return 'gsm7';
  if (dataCoding >= 0xe0 && dataCoding < 0xf0) return 'ucs2';
  if (dataCoding >= 0xf0) return dataCoding & 0x04 ? 'latin1' : 'gsm7';
  return 'latin1';
}

function decodeText(octets: Uint8Array, alphabet: Alphabet): string {
  switch (alphabet) {
    case 'gsm7':
      return fromGsm7Septets(octets);
    case 'ucs2':
      return decodeUcs2(octets);
    case 'ascii':
      return Buffer.from(octets).toString('ascii');
    case 'latin1':
      return Buffer.from(octets).toString('latin1');
  }
}
