/**
 * Exact money (spec §2.6): amounts are integers of 1/10000 of the currency unit ("units"),
 * so at most 4 decimal places and no binary-float drift. Safe up to ~9·10^11 of a currency.
 */
export type Units = number;
export const UNITS_PER_WHOLE = 10_000;

const amountPattern = /^(-?)(\d{1,12})(?:\.(\d{1,4}))?$/;

/** Parses "1000", "1000.5", "0.0125"; returns null for anything else (more than 4 decimals, exponents, junk). */
export function parseAmount(text: string | number): Units | null {
  const source = typeof text === 'number' ? numberToPlain(text) : text.trim();
  if (source === null) return null;
  const match = amountPattern.exec(source);
  if (!match) return null;
  const whole = Number(match[2]);
  const fraction = Number((match[3] ?? '').padEnd(4, '0'));
  const units = whole * UNITS_PER_WHOLE + fraction;
  return match[1] === '-' ? -units : units;
}

function numberToPlain(value: number): string | null {
  if (!Number.isFinite(value)) return null;
  const text = String(value);
  return /e/i.test(text) ? null : text;
}

/** The JSON number for an amount: the nearest double prints back as the exact decimal. */
export function unitsToNumber(units: Units): number {
  return units / UNITS_PER_WHOLE;
}

/** "1234.5000"-style text for humans (CLI). */
export function formatUnits(units: Units): string {
  const sign = units < 0 ? '-' : '';
  const abs = Math.abs(units);
  const whole = Math.floor(abs / UNITS_PER_WHOLE);
  const fraction = String(abs % UNITS_PER_WHOLE).padStart(4, '0').replace(/0{1,2}$/, '');
  return `${sign}${whole}.${fraction}`;
}

export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
