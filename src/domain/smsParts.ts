/** SMS encoding choice and part counting (spec §6.3). */

/**
 * The GSM 03.38 default alphabet, indexed by septet value (0x00 '@' … 0x7F 'à'). 0x1B is the escape to the
 * extension table, not a character. The one copy of the alphabet: `src/smpp/gsm7.ts` encodes with it.
 */
export const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** The escape septet that announces an extension-table character. */
export const GSM7_ESCAPE = 0x1b;
/** Extension table characters and the septet that follows the escape: each costs 2 septets. */
export const GSM7_EXTENSION: Readonly<Record<string, number>> = {
  '\f': 0x0a,
  '^': 0x14,
  '{': 0x28,
  '}': 0x29,
  '\\': 0x2f,
  '[': 0x3c,
  '~': 0x3d,
  ']': 0x3e,
  '|': 0x40,
  '€': 0x65,
};

const basicSet = new Set(GSM7_BASIC.replace('\u001b', ''));
const extensionSet = new Set(Object.keys(GSM7_EXTENSION));

export type SmsEncoding = 'GSM7' | 'UCS2';

export interface SmsPartCount {
  encoding: SmsEncoding;
  parts: number;
}

export function isGsm7Char(char: string): boolean {
  return basicSet.has(char) || extensionSet.has(char);
}

export function gsm7Septets(char: string): 1 | 2 {
  return extensionSet.has(char) ? 2 : 1;
}

export function chooseEncoding(text: string): SmsEncoding {
  for (const char of text) if (!isGsm7Char(char)) return 'UCS2';
  return 'GSM7';
}

/** Sizes of the units each part holds, split greedily without breaking escape or surrogate pairs. */
function countParts(unitSizes: number[], single: number, multi: number): number {
  const total = unitSizes.reduce((a, b) => a + b, 0);
  if (total <= single) return 1;
  let parts = 1;
  let used = 0;
  for (const size of unitSizes) {
    if (used + size > multi) {
      parts += 1;
      used = 0;
    }
    used += size;
  }
  return parts;
}

export function countSmsParts(text: string): SmsPartCount {
  const chars = [...text];
  const encoding = chooseEncoding(text);
  if (encoding === 'GSM7') return { encoding, parts: countParts(chars.map(gsm7Septets), 160, 153) };
  return { encoding, parts: countParts(chars.map((c) => c.length), 70, 67) };
}
