/** Phone numbers (spec §2.3): 10–15 ASCII digits, first digit 1–9, one optional leading '+'. */
export const MSISDN_PATTERN = '^\\+?[1-9][0-9]{9,14}$';
const msisdnRegex = new RegExp(MSISDN_PATTERN);

export function isMsisdn(value: unknown): value is string {
  return typeof value === 'string' && msisdnRegex.test(value);
}

/** Stored and returned form: digits only. */
export function normalizeMsisdn(value: string): string {
  return value.startsWith('+') ? value.slice(1) : value;
}
