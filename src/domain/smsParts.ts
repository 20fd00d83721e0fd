/** SMS encoding choice and part counting (spec §6.3). */

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Extension table characters: each costs an escape plus itself, 2 septets. */
const GSM7_EXTENSION = '^{}\\[]~|€\f';

const basicSet = new Set(GSM7_BASIC.replace('\u001b', ''));
const extensionSet = new Set(GSM7_EXTENSION);

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
