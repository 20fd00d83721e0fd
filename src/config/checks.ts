/**
 * The rules JSON Schema cannot state, run after Ajv on the settings that passed it: one key against another,
 * lookups (ISO 4217, money.ts's amounts, URLs). Each is named; each problem names its key.
 */
import type { StaticEncode } from '@sinclair/typebox';
import { CHANNELS } from '../domain/channels.js';
import { isIsoCurrency } from '../domain/currencies.js';
import { parseAmount } from '../domain/money.js';
import { problemAt, type Problem } from './errors.js';
import { AMOUNT_MESSAGE, CONFIG_FILE_SCHEMA, connectorSections } from './schema.js';
import type { IsValid, SettingsCheck } from './section.js';

/** The settings as the file writes them (amounts not yet in units), with defaults filled in. */
export type FileSettings = StaticEncode<typeof CONFIG_FILE_SCHEMA>;

const GENERAL_CHECKS: SettingsCheck<FileSettings>[] = [
  // Node refuses a headers timeout above the request timeout: say so in the settings' words.
  function headersWithinRequestTimeout({ http }, isValid) {
    if (!isValid('http.headersTimeoutMs') || !isValid('http.requestTimeoutMs') || http.headersTimeoutMs <= http.requestTimeoutMs) return [];
    const text = `http.headersTimeoutMs (${http.headersTimeoutMs}) must not be above http.requestTimeoutMs (${http.requestTimeoutMs})`;
    return [{ path: 'http.headersTimeoutMs', text }];
  },
  function pricesAreAmounts({ prices }, isValid) {
    return CHANNELS.flatMap((channel) => {
      const path = `prices.${channel}`;
      const units = isValid(path) ? parseAmount(prices[channel]) : 0;
      return units === null || units < 0 ? [problemAt(path, AMOUNT_MESSAGE, prices[channel])] : [];
    });
  },
  function currencyInIso4217({ defaultCurrency }, isValid) {
    if (!isValid('defaultCurrency') || isIsoCurrency(defaultCurrency)) return [];
    return [problemAt('defaultCurrency', 'must be a 3-letter ISO 4217 code such as "RUB"', defaultCurrency)];
  },
  function shortLinkBaseIsHttpUrl({ shortLinkBase }, isValid) {
    if (!isValid('shortLinkBase') || shortLinkBase === null || isHttpUrl(shortLinkBase)) return [];
    return [problemAt('shortLinkBase', 'must be an http(s) URL', shortLinkBase)];
  },
  /** A channel sent through `smpp:<name>` needs that SMSC in `smpp.smscs`. */
  function smscsNamedByChannelsExist({ channels, smpp }, isValid) {
    if (!isValid('channels') || !isValid('smpp.smscs')) return [];
    return Object.entries(channels).flatMap(([channel, { connector }]) => {
      if (!connector.startsWith('smpp:') || smpp.smscs.some((s) => `smpp:${s.name}` === connector)) return [];
      const path = `channels.${channel}.connector`;
      return [{ path, text: `${path} is ${connector}, but smpp.smscs has no SMSC named "${connector.slice(5)}"` }];
    });
  },
  /** Each connector carries only the channels it knows how to deliver. */
  function connectorsCarryTheirChannels({ channels }, isValid) {
    if (!isValid('channels')) return [];
    return Object.entries(channels).flatMap(([channel, { connector }]) => {
      const carries = CARRIED_BY[connector.startsWith('smpp:') ? 'smpp' : connector];
      if (carries === undefined || carries.includes(channel)) return [];
      const path = `channels.${channel}.connector`;
      return [{ path, text: `${path} is ${connector}, which delivers only ${carries.join(' and ')}` }];
    });
  },
];

/** The channels of each connector that is not for all of them (the simulator is). */
const CARRIED_BY: Record<string, readonly string[] | undefined> = { sip: ['VOICECODE', 'FLASHCALL'], smpp: ['SMS'], whatsapp: ['WHATSAPP'], vk: ['VK'] };

function isHttpUrl(text: string): boolean {
  try {
    return /^https?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** Every named check, general and of each connector section, on what passed the schema. */
export function runChecks(settings: FileSettings, isValid: IsValid): Problem[] {
  const sections = connectorSections().flatMap(([key, section]) => section.checks.map((check) => check(settings[key], isValid)));
  return [...GENERAL_CHECKS.flatMap((check) => check(settings, isValid)), ...sections.flat()];
}
