import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * The subscriber's country from the number's numbering plan (libphonenumber metadata).
 * Parsing costs several µs, too much for 1000-item batches, so results are memoised by prefix:
 * the country code plus six national digits decide the country in every plan we know of.
 */
const cache = new Map<string, string>();
const CACHE_LIMIT = 100_000;
const PREFIX_DIGITS = 9;

export function countryOf(destination: string): string | null {
  const prefix = destination.slice(0, PREFIX_DIGITS);
  const cached = cache.get(prefix);
  if (cached !== undefined) return cached;
  const country = parsePhoneNumberFromString(`+${destination}`)?.country ?? null;
  if (country !== null) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(prefix, country);
  }
  return country;
}

const names = new Intl.DisplayNames(['en'], { type: 'region' });

/** English country name for an ISO 3166-1 alpha-2 code (spec §8.3 `country`). */
export function countryName(code: string | null): string | null {
  if (code === null) return null;
  try {
    return names.of(code) ?? null;
  } catch {
    return null;
  }
}
