/**
 * Settings of one SMSC the SMPP connector binds to (`smpp.smscs: [...]` in the config file; README "SMS over SMPP").
 * Lengths of system_id / password / system_type are SMPP 3.4's (§5.2: C-octet strings of 16 / 9 / 13 octets),
 * checked here so that a bind never fails for a field the library would silently write too long.
 */
import type { SegmentationMode } from '../../smpp/segmentation.js';

export type BindMode = 'transceiver' | 'transmitter+receiver';

export interface SmscConfig {
  /** Names the connector (`smpp:<name>`) and its log lines. */
  name: string;
  host: string;
  port: number;
  tls: boolean;
  /** PEM file of the CA that signed the SMSC's certificate; null = the system's CAs. */
  tlsCaFile: string | null;
  systemId: string;
  password: string;
  systemType: string;
  /** One transceiver session per bind, or a transmitter and a receiver session per bind. */
  bindMode: BindMode;
  /** How many binds (sessions, or session pairs) to keep open. */
  binds: number;
  /** Outstanding submit_sm per bind; beyond it submits queue in order. */
  window: number;
  /** submit_sm per second per bind; 0 = unlimited. */
  throughputPerBind: number;
  /** An enquire_link after this long without any PDU from the SMSC. */
  enquireLinkMs: number;
  /** Reconnect backoff: doubles from min to max after each failed connect or bind, back to min once bound. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** How long a request waits for its response; also how long one send() keeps trying before answering `retry`. */
  responseTimeoutMs: number;
  segmentation: SegmentationMode;
  /** The account that receives inbound (MO) messages of this SMSC; null = let the engine decide. */
  inboundAccount: string | null;
}

type Defaults = Omit<SmscConfig, 'name' | 'host' | 'systemId' | 'password'>;

export const SMPP_DEFAULTS: Readonly<Defaults> = {
  port: 2775,
  tls: false,
  tlsCaFile: null,
  systemType: '',
  bindMode: 'transceiver',
  binds: 1,
  window: 100,
  throughputPerBind: 0,
  enquireLinkMs: 30_000,
  reconnectMinMs: 1_000,
  reconnectMaxMs: 60_000,
  responseTimeoutMs: 10_000,
  segmentation: 'udh',
  inboundAccount: null,
};

const KEYS = ['name', 'host', 'systemId', 'password', ...Object.keys(SMPP_DEFAULTS)] as const;

/** Reads one SMSC's settings; `path` names it in errors (e.g. `smpp.smscs[0]`). Throws an Error naming the bad key. */
export function parseSmscConfig(value: unknown, path: string): SmscConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${path} must be a JSON object; got ${JSON.stringify(value)}`);
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(KEYS as readonly string[]).includes(key)) throw new Error(`unknown key "${path}.${key}" (keys: ${KEYS.join(', ')})`);
  }
  const at = (key: string): string => `${path}.${key}`;
  const has = (key: string): boolean => raw[key] !== undefined;
  const d = SMPP_DEFAULTS;
  const config: SmscConfig = {
    name: text(at('name'), raw['name'], { min: 1, max: 64, pattern: /^[A-Za-z0-9_.-]+$/ }),
    host: text(at('host'), raw['host'], { min: 1, max: 255 }),
    port: has('port') ? integer(at('port'), raw['port'], 1, 65_535) : d.port,
    tls: has('tls') ? boolean(at('tls'), raw['tls']) : d.tls,
    tlsCaFile: has('tlsCaFile') ? nullable(raw['tlsCaFile'], (v) => text(at('tlsCaFile'), v, { min: 1, max: 4096 })) : d.tlsCaFile,
    systemId: text(at('systemId'), raw['systemId'], { min: 1, max: 15, ascii: true }),
    password: text(at('password'), raw['password'], { min: 0, max: 8, ascii: true }),
    systemType: has('systemType') ? text(at('systemType'), raw['systemType'], { min: 0, max: 12, ascii: true }) : d.systemType,
    bindMode: has('bindMode') ? oneOf(at('bindMode'), raw['bindMode'], ['transceiver', 'transmitter+receiver'] as const) : d.bindMode,
    binds: has('binds') ? integer(at('binds'), raw['binds'], 1, 64) : d.binds,
    window: has('window') ? integer(at('window'), raw['window'], 1, 10_000) : d.window,
    throughputPerBind: has('throughputPerBind') ? integer(at('throughputPerBind'), raw['throughputPerBind'], 0, 1_000_000) : d.throughputPerBind,
    enquireLinkMs: has('enquireLinkMs') ? integer(at('enquireLinkMs'), raw['enquireLinkMs'], 10, 3_600_000) : d.enquireLinkMs,
    reconnectMinMs: has('reconnectMinMs') ? integer(at('reconnectMinMs'), raw['reconnectMinMs'], 10, 3_600_000) : d.reconnectMinMs,
    reconnectMaxMs: has('reconnectMaxMs') ? integer(at('reconnectMaxMs'), raw['reconnectMaxMs'], 10, 3_600_000) : d.reconnectMaxMs,
    responseTimeoutMs: has('responseTimeoutMs') ? integer(at('responseTimeoutMs'), raw['responseTimeoutMs'], 10, 600_000) : d.responseTimeoutMs,
    segmentation: has('segmentation') ? oneOf(at('segmentation'), raw['segmentation'], ['udh', 'sar', 'payload'] as const) : d.segmentation,
    inboundAccount: has('inboundAccount') ? nullable(raw['inboundAccount'], (v) => text(at('inboundAccount'), v, { min: 1, max: 255 })) : d.inboundAccount,
  };
  if (config.reconnectMinMs > config.reconnectMaxMs) throw new Error(`${at('reconnectMinMs')} must not be above ${at('reconnectMaxMs')}`);
  return config;
}

function text(name: string, value: unknown, rule: { min: number; max: number; ascii?: boolean; pattern?: RegExp }): string {
  const ok =
    typeof value === 'string' &&
    value.length >= rule.min &&
    value.length <= rule.max &&
    (!rule.ascii || /^[\x20-\x7e]*$/.test(value)) &&
    (!rule.pattern || rule.pattern.test(value));
  if (!ok) {
    const what = rule.pattern ? `matching ${rule.pattern}` : rule.ascii ? 'of printable ASCII' : '';
    throw new Error(`${name} must be a string ${what} of ${rule.min}–${rule.max} characters; got ${JSON.stringify(value)}`.replace('  ', ' '));
  }
  return value;
}

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(value)}`);
  }
  return value;
}

function boolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new Error(`${name} must be true or false; got ${JSON.stringify(value)}`);
  return value;
}

function oneOf<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (!choices.includes(value as T)) throw new Error(`${name} must be one of ${choices.map((c) => `"${c}"`).join(', ')}; got ${JSON.stringify(value)}`);
  return value as T;
}

function nullable<T>(value: unknown, read: (value: unknown) => T): T | null {
  return value === null ? null : read(value);
}
