/**
 * ISO 4217 currency codes, as the runtime's ICU data lists them (Node 20: ~160 codes in circulation). Three
 * letters alone would accept XYZ, and a balance in a currency nobody pays in is a typo, not an account.
 */
const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

export function isIsoCurrency(code: string): boolean {
  return ISO_4217.has(code);
}
