import { InvalidArgumentError } from 'commander';
import { CHANNELS, isChannel, TRAFFIC_TYPES, type Channel, type TrafficType } from '../domain/channels.js';
import { isIsoCurrency } from '../domain/currencies.js';
import { parseAmount, type Units } from '../domain/money.js';
import { isMsisdn, normalizeMsisdn } from '../domain/msisdn.js';
import type { KeyType } from '../store/store.js';

/*
 * Parsers for command arguments and option values. They throw commander's InvalidArgumentError,
 * so malformed input is a usage error (exit code 2) reported before any database is opened.
 */

const ACCOUNT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function parseAccountName(value: string): string {
  if (!ACCOUNT_NAME.test(value)) throw new InvalidArgumentError('An account name is 1–64 characters of A-Z a-z 0-9 _ . -');
  return value;
}

export function parseNonNegativeAmount(value: string): Units {
  const units = parseAmount(value);
  if (units === null || units < 0) throw new InvalidArgumentError('Expected a non-negative amount with at most 4 decimals, e.g. 1000 or 2.50');
  return units;
}

/** Top-ups may be negative (corrections) but never zero, which is always a mistake. */
export function parseNonZeroAmount(value: string): Units {
  const units = parseAmount(value);
  if (units === null || units === 0) throw new InvalidArgumentError('Expected a non-zero amount with at most 4 decimals, e.g. 500, 2.50 or -10');
  return units;
}

export function parseCurrency(value: string): string {
  const code = value.toUpperCase();
  if (!isIsoCurrency(code)) throw new InvalidArgumentError(`Expected an ISO 4217 currency code such as RUB, USD or EUR; "${code}" is none`);
  return code;
}

export function parseChannel(value: string): Channel {
  const channel = value.toUpperCase();
  if (!isChannel(channel)) throw new InvalidArgumentError(`Expected one of ${CHANNELS.join(', ')}`);
  return channel;
}

export function parseTrafficType(value: string): TrafficType {
  const type = value.toUpperCase();
  if (!(TRAFFIC_TYPES as readonly string[]).includes(type)) throw new InvalidArgumentError(`Expected one of ${TRAFFIC_TYPES.join(', ')}`);
  return type as TrafficType;
}

export function parseKeyType(value: string): KeyType {
  if (!/^[1-4]$/.test(value)) throw new InvalidArgumentError('Expected 1, 2, 3 or 4 (spec §3.1)');
  return Number(value) as KeyType;
}

export function parsePositiveInteger(value: string): number {
  const number = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(number >= 1 && number <= 2_147_483_647)) throw new InvalidArgumentError('Expected a positive integer');
  return number;
}

/** Senders are 1–64 characters (code points) on every channel (spec §14). */
export function parseSenderName(value: string): string {
  const length = [...value].length;
  if (length < 1 || length > 64) throw new InvalidArgumentError('A sender name is 1–64 characters');
  return value;
}

export function parseMsisdn(value: string): string {
  if (!isMsisdn(value)) throw new InvalidArgumentError('Expected 10–15 digits, first digit 1–9, optional leading + (spec §2.3)');
  return normalizeMsisdn(value);
}

export function parseCodeLengths(value: string): number[] {
  const parts = value.split(',').map((part) => part.trim());
  if (!parts.every((part) => /^[4-6]$/.test(part))) throw new InvalidArgumentError('Expected a comma-separated subset of 4,5,6, e.g. 4,6');
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

/** ISO 8601 with Z or an offset, or a bare date (midnight UTC): a time without a zone would be ambiguous. */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

export function parseIsoTime(value: string): number {
  const match = ISO_TIME.exec(value);
  const ms = match ? Date.parse(value) : NaN;
  // Date.parse rolls 2024-02-30 over to March; a real calendar day survives the round trip.
  const [year, month, day] = match ? match.slice(1, 4).map(Number) : [0, 0, 0];
  const calendarDay = new Date(Date.UTC(year!, month! - 1, day!));
  const realDay = calendarDay.getUTCFullYear() === year && calendarDay.getUTCMonth() === month! - 1 && calendarDay.getUTCDate() === day;
  if (Number.isNaN(ms) || !realDay) throw new InvalidArgumentError('Expected an ISO 8601 time with a zone, e.g. 2024-05-01T10:00:00Z, or a date');
  return ms;
}
