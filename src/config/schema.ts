/**
 * Every setting of the gateway, once: this schema is the type (`GatewayConfig`), the defaults, the checks
 * (Ajv), the error wording, the JSON Schema for editors (`direct-gateway config schema`) and the README table
 * (renderSettingsTable.ts). Each connector's settings are a section file beside the connector.
 */
import { Type, type StaticDecode, type TObject, type TSchema } from '@sinclair/typebox';
import { CALLBACK_CONCURRENCY, PER_ACCOUNT_CONCURRENCY, PER_HOST_CONCURRENCY } from '../callbacks/fairScheduler.js';
import { SIMULATOR_SECTION } from '../connectors/simulator/simulatorSettings.js';
import { SIP_SECTION } from '../connectors/sip/sipSettings.js';
import { SMPP_SECTION } from '../connectors/smpp/smppSettings.js';
import { VK_SECTION } from '../connectors/vk/vkSettings.js';
import { WHATSAPP_SECTION } from '../connectors/whatsapp/whatsappSettings.js';
import { CHANNELS, type Channel } from '../domain/channels.js';
import { CURRENCY_PATTERN } from '../domain/money.js';
import { DEFAULT_PRICES } from '../domain/prices.js';
import type { SettingsSection } from './section.js';
import { SMPP_SERVER_SETTINGS } from '../smppDoor/smppServerSettings.js';
import { amount, integer, nonEmptyText, oneOf, port, section, trueOrFalse } from './settingTypes.js';

export { AMOUNT_MESSAGE } from './settingTypes.js';

/** Each connector's settings, under its own key. A new connector adds its section file and one line here. */
export const CONNECTOR_SECTIONS = {
  simulator: SIMULATOR_SECTION,
  sip: SIP_SECTION,
  smpp: SMPP_SECTION,
  whatsapp: WHATSAPP_SECTION,
  vk: VK_SECTION,
};

type SchemasOf<T extends Record<string, { schema: TObject }>> = { [K in keyof T]: T[K]['schema'] };

function schemasOf<T extends Record<string, { schema: TObject }>>(sections: T): SchemasOf<T> {
  return Object.fromEntries(Object.entries(sections).map(([key, { schema }]) => [key, schema])) as SchemasOf<T>;
}

/** Built-in connectors; an SMSC of `smpp.smscs` is the connector `smpp:<its name>`. */
export const CONNECTOR_NAMES = ['simulator', 'sip', 'whatsapp', 'vk'] as const;
export type ConnectorName = (typeof CONNECTOR_NAMES)[number] | `smpp:${string}`;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;


/** One setting per channel, keyed by the channel's name. */
function perChannel<T extends TSchema>(setting: (channel: Channel) => T, description: string) {
  const properties = Object.fromEntries(CHANNELS.map((channel) => [channel, setting(channel)])) as Record<Channel, T>;
  return section(properties, description);
}

const SMPP_CONNECTOR = Type.TemplateLiteral('smpp:${string}');
SMPP_CONNECTOR.pattern = '^smpp:.+$';

function channelSetting(channel: Channel) {
  const choices = [...CONNECTOR_NAMES.map((name) => Type.Literal(name)), SMPP_CONNECTOR];
  const connector = Type.Unsafe<ConnectorName>(Type.Union(choices, {
    default: 'simulator',
    docType: '`"simulator"` `"sip"` `"whatsapp"` `"vk"` `"smpp:<name>"`',
    description: `Which connector delivers ${channel}. \`sip\` carries VOICECODE and FLASHCALL ([SIP](#voicecode-and-flashcall-over-sip)); \`whatsapp\` carries WHATSAPP ([WhatsApp](#whatsapp-over-the-cloud-api)); \`smpp:<name>\` carries SMS to the SMSC of \`smpp.smscs\` with that name ([SMPP](#sms-over-smpp)).`,
    errorMessage: `must be one of ${CONNECTOR_NAMES.join(', ')} or smpp:<SMSC name>`,
  }));
  return section({ connector }, `How ${channel} is delivered.`);
}

function priceOf(channel: Channel): ReturnType<typeof amount> {
  const what = channel === 'SMS' ? 'one SMS **part**' : `one ${channel} message`;
  return amount(DEFAULT_PRICES[channel], `Price of ${what}, in the account's currency ([Money](#money)).`);
}

const HTTP_SETTINGS = section(
  {
    host: nonEmptyText({ default: '127.0.0.1', description: 'Address the HTTP API listens on.' }),
    port: port({ default: 8080, description: 'HTTP port; 0 picks any free port (the start-up banner shows it).' }),
    bodyLimitBytes: integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      default: 16 * 1024 * 1024,
      errorMessage: 'must be a positive integer',
      description: 'Larger request bodies get 413 `Payload too large` (spec §2.1: 16 MiB).',
    }),
    headersTimeoutMs: integer({
      minimum: 10,
      default: 10_000,
      description:
        "A request's headers must arrive within this, counted from its first byte: later → 408 `Request timeout` and the connection is closed. A new connection that sends nothing for this long is closed without an answer. At most `http.requestTimeoutMs`.",
    }),
    requestTimeoutMs: integer({
      minimum: 10,
      default: 60_000,
      description: 'A whole request, headers and body, must arrive within this (a body dripped slowly gets 408). It does not limit the time to answer.',
    }),
    keepAliveTimeoutMs: integer({
      minimum: 1,
      // Above the 60 s idle timeout of common load balancers, so that they never reuse a connection we close.
      default: 72_000,
      description:
        'An idle kept-alive connection is closed after this (above the 60 s idle timeout of common load balancers, so that they never reuse a connection the gateway is closing).',
    }),
    maxConnections: integer({
      minimum: 1,
      default: 10_000,
      description:
        'Open HTTP connections at once; a connection beyond gets 503 `Service unavailable` (`Retry-After: 1`) to its first request and is closed; beyond twice this, connections are closed at once, unanswered.',
    }),
  },
  'The HTTP API.',
);

const CALLBACK_SETTINGS = section(
  {
    allowPrivateTargets: trueOrFalse({
      default: false,
      description:
        'Allow callback targets on loopback, private, link-local and other non-public addresses ([Callbacks](#callbacks)). Always on with `serve --sandbox`.',
    }),
    batchWaitMs: integer({ minimum: 0, default: 200, description: 'How long a callback event may wait for others to the same URL, to go out in one POST (spec §11.1: ≤ 1 s).' }),
    concurrency: integer({ minimum: 1, default: CALLBACK_CONCURRENCY, description: 'Callback POSTs in flight at once, per node.' }),
    perHostConcurrency: integer({
      minimum: 1,
      default: PER_HOST_CONCURRENCY,
      description: 'Callback POSTs in flight to one host (scheme, host name, port) at once, per node ([Callbacks](#callbacks), Fairness).',
    }),
    perAccountConcurrency: integer({ minimum: 1, default: PER_ACCOUNT_CONCURRENCY, description: 'Callback POSTs in flight for one account at once, per node.' }),
  },
  'The callback sender.',
);

const ENGINE_SETTINGS = section(
  {
    leaseMs: integer({
      minimum: 1_000,
      default: 30_000,
      description:
        'How long a claimed message is protected from other workers; also how long the messages a killed process had claimed wait before they are claimed again.',
    }),
    batchSize: integer({
      minimum: 1,
      default: 1000,
      description:
        'Messages claimed, and lifetime ends processed, per round. On SQLite, larger rounds give delivery a larger share of the write lock, at the cost of acceptance throughput and latency (`npm run bench` shows both).',
    }),
    idleMs: integer({ minimum: 1, default: 50, description: 'Pause when a round finds nothing to do.' }),
    maxConcurrentHandoffs: integer({ minimum: 1, default: 200, description: 'Hand-offs to connectors in flight at once.' }),
  },
  'The delivery engine.',
);

const VOICE_SETTINGS = section(
  {
    voice: nonEmptyText({ default: 'ru', docType: 'espeak-ng voice', description: 'Voice of VOICECODE calls.' }),
    rate: integer({ minimum: 80, default: 150, description: 'Words per minute.' }),
    repeat: integer({ minimum: 1, default: 2, description: 'How many times the code is read.' }),
  },
  'Text to speech of VOICECODE calls.',
);

/** The keys of the config file, in the README table's order. */
const FILE_SETTINGS = {
  database: nonEmptyText({
    default: './data/gateway.db',
    description:
      'SQLite file path (relative to the working directory) or `postgres://` URL ([PostgreSQL](#postgresql-and-several-nodes)); other URL schemes are refused. `serve` and `migrate` create a missing SQLite file (0600, in folders created 0700) only at the default path or with `--create`; admin commands never create one. An existing file others may read is tightened to its owner, with a warning. A database migrated by a newer release is refused.',
  }),
  http: HTTP_SETTINGS,
  defaultCurrency: Type.String({
    pattern: CURRENCY_PATTERN.source,
    default: 'RUB',
    docType: 'ISO 4217 code',
    description: 'Currency of accounts created without `--currency`; a code not in ISO 4217 (e.g. `XYZ`) is refused.',
    errorMessage: 'must be a 3-letter ISO 4217 code such as "RUB"',
  }),
  prices: perChannel(priceOf, 'Per channel; SMS per part.'),
  callbacks: CALLBACK_SETTINGS,
  channels: perChannel(channelSetting, 'Which connector delivers each channel.'),
  engine: ENGINE_SETTINGS,
  ...schemasOf(CONNECTOR_SECTIONS),
  smppServer: SMPP_SERVER_SETTINGS,
  voice: VOICE_SETTINGS,
  shortLinkBase: Type.Transform(
    Type.Union([Type.Null(), Type.String()], {
      default: null,
      docType: 'http(s) URL or null',
      description: 'Base of short links ([Short links](#short-links)); trailing `/` removed; null = `http://{http.host}:{http.port}/s`.',
      errorMessage: 'must be an http(s) URL',
    }),
  )
    .Decode((base) => (base === null ? null : base.replace(/\/+$/, '')))
    .Encode((base) => base),
  shutdownTimeoutMs: integer({
    minimum: 100,
    maximum: Number.MAX_SAFE_INTEGER,
    default: 25_000,
    errorMessage: 'must be an integer >= 100',
    description:
      'How long `serve` may take to stop on SIGTERM or SIGINT; then what is still open is cut and it exits with code 1 (below the 30 s a container runtime usually waits before SIGKILL).',
  }),
  logLevel: oneOf(LOG_LEVELS, { default: 'info', description: 'Server log level (JSON lines on stdout).' }, false),
};

/** What the config file may hold. */
export const CONFIG_FILE_SCHEMA = Type.Object(FILE_SETTINGS, {
  additionalProperties: false,
  title: 'direct-gateway settings',
  description: 'The config file of direct-gateway (`--config FILE`). Every key is optional; see README "Settings".',
});

/** Every setting, with those only a flag sets (`serve --sandbox`). */
export const GATEWAY_CONFIG_SCHEMA = Type.Object(
  {
    ...FILE_SETTINGS,
    sandbox: trueOrFalse({ default: false, description: '`serve --sandbox`: demo account, loopback only.' }),
  },
  { additionalProperties: false },
);

/** Every setting of the gateway, as loaded (amounts in units, see money.ts). */
export type GatewayConfig = StaticDecode<typeof GATEWAY_CONFIG_SCHEMA>;

/** The connector sections as [key, section] pairs, for running their checks on their own part (checks.ts). */
export function connectorSections(): [keyof typeof CONNECTOR_SECTIONS, SettingsSection<TObject>][] {
  return Object.entries(CONNECTOR_SECTIONS) as unknown as [keyof typeof CONNECTOR_SECTIONS, SettingsSection<TObject>][];
}
