/**
 * The text of a client's submit_sm / data_sm (`smpp-interface.md` §3): short_message or message_payload decoded by
 * data_coding, STRICTLY. Unlike `decodeShortMessage` in segmentation.ts (the client side's reading of an SMSC's
 * deliver_sm, which never loses a receipt and so reads anything somehow), a submit whose octets do not decode is
 * refused (`ESME_RSUBMITFAIL`), so this says why instead of guessing.
 *
 * Only the data codings of the spec:
 * - 0 GSM 03.38 default alphabet, one septet per octet (unpacked), 0x1B + code for the extension table;
 * - 1 IA5 (ASCII), octets 0x00–0x7F;
 * - 3 Latin-1 (ISO-8859-1), every octet;
 * - 8 UCS-2 big-endian read as UTF-16BE: a surrogate pair is one astral character.
 * The UDH, when there is one, must already be removed (concatenation.ts).
 */
import { GSM7_BASIC, GSM7_ESCAPE, GSM7_EXTENSION } from '../domain/smsParts.js';
import { decodeUcs2 } from './segmentation.js';

export type ShortMessageText = { ok: true; text: string } | { ok: false; reason: string };

/** The data codings a submit may use (spec §3). */
export const SUBMIT_DATA_CODINGS: readonly number[] = [0x00, 0x01, 0x03, 0x08];

const extensionChar = new Map<number, string>(Object.entries(GSM7_EXTENSION).map(([char, code]) => [code, char]));

const hex = (value: number, digits = 2): string => `0x${value.toString(16).toUpperCase().padStart(digits, '0')}`;

export function decodeSubmittedText(dataCoding: number, bytes: Buffer): ShortMessageText {
  switch (dataCoding) {
    case 0x00:
      return decodeGsm7Unpacked(bytes);
    case 0x01:
      return decodeIa5(bytes);
    case 0x03:
      return { ok: true, text: bytes.toString('latin1') };
    case 0x08:
      return decodeUtf16be(bytes);
    default:
      return { ok: false, reason: `data_coding ${hex(dataCoding)} is not decodable (0, 1, 3 and 8 only)` };
  }
}

function decodeGsm7Unpacked(bytes: Buffer): ShortMessageText {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const septet = bytes[i]!;
    if (septet > 0x7f) return { ok: false, reason: `GSM 03.38: octet ${hex(septet)} at ${i} is not a septet` };
    if (septet !== GSM7_ESCAPE) {
      text += GSM7_BASIC[septet];
      continue;
    }
    if (i + 1 >= bytes.length) return { ok: false, reason: `GSM 03.38: escape 0x1B at ${i} ends the message` };
    const code = bytes[++i]!;
    const char = extensionChar.get(code);
    if (char === undefined) return { ok: false, reason: `GSM 03.38: escape 0x1B followed by ${hex(code)} at ${i}, not in the extension table` };
    text += char;
  }
  return { ok: true, text };
}

function decodeIa5(bytes: Buffer): ShortMessageText {
  const bad = bytes.findIndex((octet) => octet > 0x7f);
  if (bad >= 0) return { ok: false, reason: `IA5: octet ${hex(bytes[bad]!)} at ${bad} is not ASCII` };
  return { ok: true, text: bytes.toString('latin1') };
}

function decodeUtf16be(bytes: Buffer): ShortMessageText {
  if (bytes.length % 2 !== 0) return { ok: false, reason: `UCS-2: odd number of octets (${bytes.length})` };
  const text = decodeUcs2(bytes);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return { ok: false, reason: `UCS-2: high surrogate ${hex(unit, 4)} at octet ${i * 2} without a low surrogate` };
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return { ok: false, reason: `UCS-2: lone low surrogate ${hex(unit, 4)} at octet ${i * 2}` };
  }
  return { ok: true, text };
}
