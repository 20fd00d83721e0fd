/**
 * GSM 03.38 (3GPP TS 23.038) default alphabet: a JS string to septet values and back, and septet packing.
 *
 * The alphabet itself lives once, in `src/domain/smsParts.ts` (which also decides GSM-7 vs UCS-2 and counts parts).
 *
 * Wire form over SMPP: with data_coding 0x00 an SMSC expects the septets UNPACKED, one per octet, in
 * short_message / message_payload (as Kannel, Logica/CMG and the `smpp` npm library do: `smpp@0.5.1` turns
 * '@£€[a' with data_coding 0 into `00 01 1b 65 1b 3c 61`). So `toGsm7Septets` is what the connector sends;
 * `packSeptets` (7 bits per septet, LSB first, as on the air interface) is only for SMSCs configured for
 * packed GSM.
 */
import { GSM7_BASIC, GSM7_ESCAPE, GSM7_EXTENSION } from '../domain/smsParts.js';

export { GSM7_ESCAPE };

const basicCode = new Map<string, number>();
for (let code = 0; code < GSM7_BASIC.length; code++) {
  if (code !== GSM7_ESCAPE) basicCode.set(GSM7_BASIC[code]!, code);
}
const extensionChar = new Map<number, string>(Object.entries(GSM7_EXTENSION).map(([char, code]) => [code, char]));

/**
 * The septets of `text`, one per byte (values 0x00–0x7F); an extension character becomes 0x1B + its code.
 * Throws a RangeError when a character is outside the alphabet (check with `chooseEncoding` first).
 */
export function toGsm7Septets(text: string): Buffer {
  const out: number[] = [];
  for (const char of text) {
    const basic = basicCode.get(char);
    if (basic !== undefined) {
      out.push(basic);
      continue;
    }
    const extension = GSM7_EXTENSION[char];
    if (extension !== undefined) {
      out.push(GSM7_ESCAPE, extension);
      continue;
    }
    const codePoint = char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new RangeError(`not in the GSM 03.38 alphabet: U+${codePoint} (after septet ${out.length})`);
  }
  return Buffer.from(out);
}

/**
 * Unpacked septets (one per byte) back to text. As TS 23.038 asks of a receiver: an escape followed by a code
 * that is not in the extension table shows the default-alphabet character of that code; a trailing escape, or
 * escape + escape, shows a space. Bits above the 7th are ignored.
 */
export function fromGsm7Septets(septets: Uint8Array): string {
  let text = '';
  for (let i = 0; i < septets.length; i++) {
    const septet = septets[i]! & 0x7f;
    if (septet !== GSM7_ESCAPE) {
      text += GSM7_BASIC[septet];
      continue;
    }
    const next = i + 1 < septets.length ? septets[i + 1]! & 0x7f : undefined;
    i += 1;
    if (next === undefined || next === GSM7_ESCAPE) text += ' ';
    else text += extensionChar.get(next) ?? GSM7_BASIC[next];
  }
  return text;
}

/**
 * Packs septets 7 bits each, least significant bit first (TS 23.038 §6.1.2.1.1). `fillBits` (0–6) zero bits
 * come first: after a UDH of n octets, `fillBits = (7 - (n * 8) % 7) % 7` puts the text on a septet boundary.
 */
export function packSeptets(septets: Uint8Array, fillBits = 0): Buffer {
  if (!Number.isInteger(fillBits) || fillBits < 0 || fillBits > 6) throw new RangeError(`fillBits must be 0–6, got ${fillBits}`);
  const totalBits = fillBits + septets.length * 7;
  const out = Buffer.alloc(Math.ceil(totalBits / 8));
  let bit = fillBits;
  for (const septet of septets) {
    const value = septet & 0x7f;
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte]! |= (value << shift) & 0xff;
    if (shift > 1) out[byte + 1]! |= value >> (8 - shift);
    bit += 7;
  }
  return out;
}

/**
 * Unpacks `count` septets from packed octets (the inverse of `packSeptets`). `count` matters because 7 spare
 * bits at the end could otherwise read as a trailing '@'.
 */
export function unpackSeptets(octets: Uint8Array, count: number, fillBits = 0): Buffer {
  if (!Number.isInteger(fillBits) || fillBits < 0 || fillBits > 6) throw new RangeError(`fillBits must be 0–6, got ${fillBits}`);
  if (fillBits + count * 7 > octets.length * 8) throw new RangeError(`${count} septets need more than ${octets.length} octets`);
  const out = Buffer.alloc(count);
  let bit = fillBits;
  for (let i = 0; i < count; i++) {
    const byte = bit >> 3;
    const shift = bit & 7;
    let value = octets[byte]! >> shift;
    if (shift > 1) value |= octets[byte + 1]! << (8 - shift);
    out[i] = value & 0x7f;
    bit += 7;
  }
  return out;
}

/** Fill bits that align GSM-7 text on a septet boundary after a UDH of `udhOctets` octets (UDHL included). */
export function udhFillBits(udhOctets: number): number {
  return (7 - ((udhOctets * 8) % 7)) % 7;
}
