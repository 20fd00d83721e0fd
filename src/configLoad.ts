import { readFileSync } from 'node:fs';
import { CONNECTOR_NAMES, type ConnectorName, type GatewayConfig } from './config.js';
import { CALLBACK_CONCURRENCY, PER_ACCOUNT_CONCURRENCY, PER_HOST_CONCURRENCY } from './callbacks/fairScheduler.js';
import { parseSmscConfig } from './connectors/smpp/smppConfig.js';
import { CHANNELS, isChannel } from './domain/channels.js';
import { isIsoCurrency } from './domain/currencies.js';
import { CURRENCY_PATTERN, parseAmount } from './domain/money.js';
import { DEFAULT_PRICES } from './domain/prices.js';

/** A setting that cannot be used; the message names the setting and the bad value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ConfigOptions {
  configFile?: string;
  db?: string;
  port?: number;
  host?: string;
  sandbox?: boolean;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LogLevel = GatewayConfig['logLevel'];

export function defaultConfig(): GatewayConfig {
  return {
    database: './data/gateway.db',
    http: {
      host: '127.0.0.1',
      port: 8080,
      bodyLimitBytes: 16 * 1024 * 1024,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      // Above the 60 s idle timeout of common load balancers, so that they never reuse a connection we close.
      keepAliveTimeoutMs: 72_000,
      maxConnections: 10_000,
    },
    // Below the 30 s a container runtime usually waits before SIGKILL, so that the last log line is ours.
    shutdownTimeoutMs: 25_000,
    sandbox: false,
    defaultCurrency: 'RUB',
    prices: { ...DEFAULT_PRICES },
    callbacks: {
      allowPrivateTargets: false,
      batchWaitMs: 200,
      concurrency: CALLBACK_CONCURRENCY,
      perHostConcurrency: PER_HOST_CONCURRENCY,
      perAccountConcurrency: PER_ACCOUNT_CONCURRENCY,
    },
    channels: Object.fromEntries(CHANNELS.map((c) => [c, { connector: 'simulator' }])) as GatewayConfig['channels'],
    engine: { leaseMs: 30_000, batchSize: 1000, idleMs: 50, maxConcurrentHandoffs: 200 },
    simulator: { deliveryDelayMs: 1_000, slowDelayMs: 30_000, readDelayMs: 2_000 },
    sip: {
      trunkHost: '127.0.0.1',
      trunkPort: 5060,
      transport: 'udp',
      localAddress: '127.0.0.1',
      localPort: 0,
      callerNumber: '74950000000',
      authUser: null,
      authPassword: null,
      authRealm: null,
      rtpPortMin: 20_000,
      rtpPortMax: 29_998,
      codecs: ['PCMA', 'PCMU'],
      maxConcurrentCalls: 200,
      ringTimeoutMs: 30_000,
      callAttempts: 1,
      flashcallNumberPattern: '7495123XXXX',
      flashcallRingMs: 2_000,
    },
    voice: { voice: 'ru', rate: 150, repeat: 2 },
    smpp: { smscs: [] },
    shortLinkBase: null,
    logLevel: 'info',
  };
}

/** Settings in order of precedence: flags > env > config file > defaults. */
export function loadConfig(options: ConfigOptions, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const config = defaultConfig();
  if (options.configFile !== undefined) applyFile(config, options.configFile);
  applyEnv(config, env);
  applyFlags(config, options);
  checkSmscReferences(config);
  return config;
}

/** A channel sent through `smpp:<name>` needs that SMSC in `smpp.smscs`. */
function checkSmscReferences(config: GatewayConfig): void {
  for (const [channel, { connector }] of Object.entries(config.channels)) {
    if (connector.startsWith('smpp:') && !config.smpp.smscs.some((s) => `smpp:${s.name}` === connector)) {
      throw new ConfigError(`channels.${channel}.connector is ${connector}, but smpp.smscs has no SMSC named "${connector.slice(5)}"`);
    }
  }
}

function applyFile(config: GatewayConfig, path: string): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    applyFileObject(config, parsed);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`config file ${path}: ${error.message}`);
    throw error;
  }
}

/** Each key is checked by name, so a typo fails loudly instead of being silently ignored. */
function applyFileObject(config: GatewayConfig, file: unknown): void {
  const root = objectAt('(top level)', file);
  for (const [key, value] of Object.entries(root)) {
    switch (key) {
      case 'database':
        config.database = nonEmptyString(key, value);
        break;
      case 'http':
        applyHttp(config, value);
        break;
      case 'defaultCurrency':
        config.defaultCurrency = currency(key, value);
        break;
      case 'prices':
        applyPrices(config, value);
        break;
      case 'callbacks':
        applyCallbacks(config, value);
        break;
      case 'logLevel':
        config.logLevel = logLevel(key, value);
        break;
      case 'engine':
        applyIntegers('engine', config.engine, value, { leaseMs: 1_000, batchSize: 1, idleMs: 1, maxConcurrentHandoffs: 1 });
        break;
      case 'simulator':
        applyIntegers('simulator', config.simulator, value, { deliveryDelayMs: 0, slowDelayMs: 0, readDelayMs: 0 });
        break;
      case 'channels':
        applyChannels(config, value);
        break;
      case 'sip':
        applySip(config, value);
        break;
      case 'voice':
        applyVoice(config, value);
        break;
      case 'smpp':
        applySmpp(config, value);
        break;
      case 'shutdownTimeoutMs':
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 100) {
          throw new ConfigError(`shutdownTimeoutMs must be an integer >= 100; got ${JSON.stringify(value)}`);
        }
        config.shutdownTimeoutMs = value;
        break;
      case 'shortLinkBase':
        config.shortLinkBase = httpUrl(key, value);
        break;
      default:
        throw unknownKey(key);
    }
  }
}

function applyHttp(config: GatewayConfig, value: unknown): void {
  for (const [key, item] of Object.entries(objectAt('http', value))) {
    const name = `http.${key}`;
    if (key === 'host') config.http.host = nonEmptyString(name, item);
    else if (key === 'port') config.http.port = port(name, item);
    else if (key === 'bodyLimitBytes') config.http.bodyLimitBytes = positiveInteger(name, item);
    else if (Object.hasOwn(HTTP_LIMITS, key)) applyIntegers('http', config.http, { [key]: item }, HTTP_LIMITS);
    else throw unknownKey(name);
  }
  // Node refuses a headers timeout above the request timeout: say so in the settings' words.
  if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) {
    throw new ConfigError(`http.headersTimeoutMs (${config.http.headersTimeoutMs}) must not be above http.requestTimeoutMs (${config.http.requestTimeoutMs})`);
  }
}

const HTTP_LIMITS = { headersTimeoutMs: 10, requestTimeoutMs: 10, keepAliveTimeoutMs: 1, maxConnections: 1 };

function applyPrices(config: GatewayConfig, value: unknown): void {
  for (const [key, item] of Object.entries(objectAt('prices', value))) {
    const name = `prices.${key}`;
    if (!isChannel(key)) throw new ConfigError(`unknown key "${name}" (channels: ${CHANNELS.join(', ')})`);
    const units = typeof item === 'string' || typeof item === 'number' ? parseAmount(item) : null;
    if (units === null || units < 0) {
      throw new ConfigError(`${name} must be a non-negative amount with at most 4 decimals, e.g. "2.50"; got ${JSON.stringify(item)}`);
    }
    config.prices[key] = units;
  }
}

function applyCallbacks(config: GatewayConfig, value: unknown): void {
  const { allowPrivateTargets, ...numbers } = objectAt('callbacks', value);
  if (allowPrivateTargets !== undefined) {
    if (typeof allowPrivateTargets !== 'boolean') {
      throw new ConfigError(`callbacks.allowPrivateTargets must be true or false; got ${JSON.stringify(allowPrivateTargets)}`);
    }
    config.callbacks.allowPrivateTargets = allowPrivateTargets;
  }
  applyIntegers('callbacks', config.callbacks, numbers, { batchWaitMs: 0, concurrency: 1, perHostConcurrency: 1, perAccountConcurrency: 1 });
}

/** Integer settings of one group, each with its minimum; unknown keys are errors. */
function applyIntegers<T extends object>(group: string, target: T, value: unknown, minimums: Partial<Record<keyof T, number>>): void {
  for (const [key, item] of Object.entries(objectAt(group, value))) {
    const name = `${group}.${key}`;
    // Own keys only: `constructor` or `__proto__` in the file is an unknown key, not Object.prototype's.
    const minimum = Object.hasOwn(minimums, key) ? minimums[key as keyof T] : undefined;
    if (minimum === undefined) throw unknownKey(name);
    if (typeof item !== 'number' || !Number.isInteger(item) || item < minimum) {
      throw new ConfigError(`${name} must be an integer >= ${minimum}; got ${JSON.stringify(item)}`);
    }
    (target as Record<string, unknown>)[key] = item;
  }
}

function applySip(config: GatewayConfig, value: unknown): void {
  const sip = config.sip as unknown as Record<string, unknown>;
  const integers = { trunkPort: 1, localPort: 0, rtpPortMin: 1024, rtpPortMax: 1024, maxConcurrentCalls: 1, ringTimeoutMs: 1_000, callAttempts: 1, flashcallRingMs: 0 };
  for (const [key, item] of Object.entries(objectAt('sip', value))) {
    const name = `sip.${key}`;
    if (Object.hasOwn(integers, key)) applyIntegers('sip', config.sip, { [key]: item }, integers);
    else if (['trunkHost', 'localAddress', 'callerNumber'].includes(key)) sip[key] = nonEmptyString(name, item);
    else if (['authUser', 'authPassword', 'authRealm'].includes(key)) sip[key] = item === null ? null : nonEmptyString(name, item);
    else if (key === 'transport') {
      if (item !== 'udp') throw new ConfigError(`${name} must be "udp"; got ${JSON.stringify(item)}`);
    } else if (key === 'codecs') config.sip.codecs = codecList(name, item);
    else if (key === 'flashcallNumberPattern') {
      if (typeof item !== 'string' || !/^[1-9][0-9]*X{4,6}$/.test(item)) {
        throw new ConfigError(`${name} must be digits ending in 4–6 X's, e.g. "7495123XXXX"; got ${JSON.stringify(item)}`);
      }
      config.sip.flashcallNumberPattern = item;
    } else throw unknownKey(name);
  }
  if (config.sip.rtpPortMin > config.sip.rtpPortMax) throw new ConfigError('sip.rtpPortMin must not be above sip.rtpPortMax');
}

function codecList(name: string, value: unknown): GatewayConfig['sip']['codecs'] {
  const valid = Array.isArray(value) && value.length > 0 && value.every((c) => c === 'PCMA' || c === 'PCMU') && new Set(value).size === value.length;
  if (!valid) throw new ConfigError(`${name} must be a non-empty list of "PCMA" and/or "PCMU"; got ${JSON.stringify(value)}`);
  return value as GatewayConfig['sip']['codecs'];
}

function applySmpp(config: GatewayConfig, value: unknown): void {
  for (const [key, item] of Object.entries(objectAt('smpp', value))) {
    if (key !== 'smscs') throw unknownKey(`smpp.${key}`);
    if (!Array.isArray(item)) throw new ConfigError(`smpp.smscs must be a list; got ${JSON.stringify(item)}`);
    try {
      config.smpp.smscs = item.map((smsc, i) => parseSmscConfig(smsc, `smpp.smscs[${i}]`));
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
    const names = config.smpp.smscs.map((s) => s.name);
    if (new Set(names).size !== names.length) throw new ConfigError(`smpp.smscs names must be unique; got ${names.join(', ')}`);
  }
}

function applyVoice(config: GatewayConfig, value: unknown): void {
  const { voice, ...numbers } = objectAt('voice', value);
  if (voice !== undefined) config.voice.voice = nonEmptyString('voice.voice', voice);
  applyIntegers('voice', config.voice, numbers, { rate: 80, repeat: 1 });
}

function applyChannels(config: GatewayConfig, value: unknown): void {
  for (const [key, item] of Object.entries(objectAt('channels', value))) {
    const name = `channels.${key}`;
    if (!isChannel(key)) throw new ConfigError(`unknown key "${name}" (channels: ${CHANNELS.join(', ')})`);
    for (const [setting, choice] of Object.entries(objectAt(name, item))) {
      if (setting !== 'connector') throw unknownKey(`${name}.${setting}`);
      if (!(CONNECTOR_NAMES as readonly unknown[]).includes(choice) && !(typeof choice === 'string' && /^smpp:.+$/.test(choice))) {
        throw new ConfigError(`${name}.connector must be one of ${CONNECTOR_NAMES.join(', ')} or smpp:<SMSC name>; got ${JSON.stringify(choice)}`);
      }
      config.channels[key] = { connector: choice as ConnectorName };
    }
  }
}

/** Empty variables count as unset, so `DGW_HTTP_PORT=` does not fail. */
function applyEnv(config: GatewayConfig, env: NodeJS.ProcessEnv): void {
  const read = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const database = read('DGW_DATABASE_URL');
  if (database !== undefined) config.database = database;
  const host = read('DGW_HTTP_HOST');
  if (host !== undefined) config.http.host = host;
  const portText = read('DGW_HTTP_PORT');
  if (portText !== undefined) config.http.port = port('DGW_HTTP_PORT', /^\d+$/.test(portText) ? Number(portText) : portText);
  const allowPrivate = read('DGW_CALLBACK_ALLOW_PRIVATE');
  if (allowPrivate !== undefined) config.callbacks.allowPrivateTargets = envFlag('DGW_CALLBACK_ALLOW_PRIVATE', allowPrivate);
  const level = read('DGW_LOG_LEVEL');
  if (level !== undefined) config.logLevel = logLevel('DGW_LOG_LEVEL', level);
}

function applyFlags(config: GatewayConfig, options: ConfigOptions): void {
  if (options.db !== undefined) config.database = nonEmptyString('--db', options.db);
  if (options.host !== undefined) config.http.host = nonEmptyString('--host', options.host);
  if (options.port !== undefined) config.http.port = port('--port', options.port);
  if (options.sandbox !== undefined) config.sandbox = options.sandbox;
}

function httpUrl(name: string, value: unknown): string {
  let valid = false;
  try {
    valid = typeof value === 'string' && /^https?:$/.test(new URL(value).protocol);
  } catch {
    valid = false;
  }
  if (!valid) throw new ConfigError(`${name} must be an http(s) URL; got ${JSON.stringify(value)}`);
  return (value as string).replace(/\/+$/, '');
}

function objectAt(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${name} must be a JSON object; got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

function unknownKey(name: string): ConfigError {
  return new ConfigError(`unknown key "${name}" (see README "Settings")`);
}

function nonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(`${name} must be a non-empty string; got ${JSON.stringify(value)}`);
  return value;
}

/** 0 asks the system for any free port (tests, benchmarks); the banner prints the real one. */
function port(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ConfigError(`${name} must be a port number 0..65535; got ${JSON.stringify(value)}`);
  }
  return value;
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(`${name} must be a positive integer; got ${JSON.stringify(value)}`);
  }
  return value;
}

function currency(name: string, value: unknown): string {
  if (typeof value !== 'string' || !CURRENCY_PATTERN.test(value) || !isIsoCurrency(value)) {
    throw new ConfigError(`${name} must be a 3-letter ISO 4217 code such as "RUB"; got ${JSON.stringify(value)}`);
  }
  return value;
}

function logLevel(name: string, value: unknown): LogLevel {
  if (typeof value !== 'string' || !(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return value as LogLevel;
}

function envFlag(name: string, value: string): boolean {
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new ConfigError(`${name} must be 1 or 0 (or true/false); got ${JSON.stringify(value)}`);
}
