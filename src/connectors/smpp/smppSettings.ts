/**
 * The `smpp` settings: the SMSCs the SMPP connector binds to (README "SMS over SMPP"), one row each.
 * Lengths of system_id / password / system_type are SMPP 3.4's (§5.2: C-octet strings of 16 / 9 / 13 octets),
 * checked here so that a bind never fails for a field the library would silently write too long.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError, problemsFromAjv, type Problem } from '../../config/errors.js';
import type { IsValid, SettingsSection } from '../../config/section.js';
import { integer, oneOf, orNull, section, trueOrFalse, type SettingDoc } from '../../config/settingTypes.js';
import { compileSettings } from '../../config/validator.js';

/** A string of `min`–`max` characters; `ascii`: printable ASCII only. */
function text(rule: { min: number; max: number; ascii?: boolean; pattern?: RegExp }, doc?: SettingDoc<string>) {
  const what = rule.pattern ? `matching ${rule.pattern} ` : rule.ascii ? 'of printable ASCII ' : '';
  const pattern = rule.pattern?.source ?? (rule.ascii ? '^[\\x20-\\x7e]*$' : undefined);
  return Type.String({
    minLength: rule.min,
    maxLength: rule.max,
    ...(pattern === undefined ? {} : { pattern }),
    ...doc,
    errorMessage: `must be a string ${what}of ${rule.min}–${rule.max} characters`,
  });
}

const SMSC_SETTINGS = Type.Object(
  {
    name: text({ min: 1, max: 64, pattern: /^[A-Za-z0-9_.-]+$/ }, { docType: '`A-Z a-z 0-9 _ . -`, 1–64', description: 'Names the connector `smpp:<name>` and its log lines.' }),
    host: text({ min: 1, max: 255 }, { description: 'Where the SMSC listens.' }),
    port: integer({ minimum: 1, maximum: 65_535, default: 2775, description: "The SMSC's port." }),
    tls: trueOrFalse({ default: false, description: "TLS, with the system's CAs or those of `tlsCaFile`." }),
    tlsCaFile: orNull(text({ min: 1, max: 4096 }), { docType: 'path or null', description: "PEM file of the CA that signed the SMSC's certificate; null = the system's CAs." }),
    systemId: text({ min: 1, max: 15, ascii: true }, { docType: 'ASCII, at most 15', description: "The bind's system_id." }),
    password: text({ min: 0, max: 8, ascii: true }, { docType: 'ASCII, at most 8', description: "The bind's password." }),
    systemType: text({ min: 0, max: 12, ascii: true }, { default: '', docType: 'ASCII, at most 12', description: "The bind's system_type." }),
    bindMode: oneOf(['transceiver', 'transmitter+receiver'] as const, {
      default: 'transceiver',
      description: 'One transceiver session per bind, or a transmitter and a receiver session per bind.',
    }),
    binds: integer({ minimum: 1, maximum: 64, default: 1, description: 'Sessions (or session pairs) kept open.' }),
    window: integer({ minimum: 1, maximum: 10_000, default: 100, description: 'Outstanding `submit_sm` per bind; beyond it submits queue in order.' }),
    throughputPerBind: integer({ minimum: 0, maximum: 1_000_000, default: 0, description: '`submit_sm` per second per bind; 0 = no limit.' }),
    enquireLinkMs: integer({ minimum: 10, maximum: 3_600_000, default: 30_000, description: 'An `enquire_link` after this long without any PDU from the SMSC (keep-alive).' }),
    reconnectMinMs: integer({ minimum: 10, maximum: 3_600_000, default: 1_000, description: 'Reconnect backoff: doubles from min to max after each failed connect or bind, back to min once bound; min ≤ max.' }),
    reconnectMaxMs: integer({ minimum: 10, maximum: 3_600_000, default: 60_000, description: 'The longest reconnect backoff.' }),
    responseTimeoutMs: integer({
      minimum: 10,
      maximum: 600_000,
      default: 10_000,
      description: 'How long a PDU waits for its response; also how long one send keeps trying before answering `retry`.',
    }),
    segmentation: oneOf(['udh', 'sar', 'payload'] as const, { default: 'udh', description: 'How long texts are split.' }),
    receiptIds: oneOf(['auto', 'exact', 'any-notation'] as const, {
      default: 'auto',
      description:
        "How a receipt's message id finds its submit: `exact` as the SMSC answered it; `any-notation` also as the same number in hex or decimal (an SMSC that answers `1A2B` and receipts `6699`); `auto` learns which from the first 20 receipts.",
    }),
    inboundAccount: orNull(text({ min: 1, max: 255 }), {
      docType: 'account name or null',
      description: "The account that receives this SMSC's inbound SMS (it must exist at start); null = by approved sender name.",
    }),
  },
  { additionalProperties: false },
);

/** Settings of one SMSC (`smpp.smscs: [...]` in the config file). */
export type SmscConfig = Static<typeof SMSC_SETTINGS>;
export type BindMode = SmscConfig['bindMode'];

type Defaults = Omit<SmscConfig, 'name' | 'host' | 'systemId' | 'password'>;

/** Every SMSC key that has a default, from the schema. */
export const SMPP_DEFAULTS: Readonly<Defaults> = Object.fromEntries(
  Object.entries(SMSC_SETTINGS.properties).flatMap(([key, schema]) => ('default' in schema ? [[key, schema['default']]] : [])),
) as Defaults;

const SMPP_SETTINGS = section(
  { smscs: Type.Array(SMSC_SETTINGS, { default: [], description: 'The SMSCs, each with the keys below ([SMS over SMPP](#sms-over-smpp)).' }) },
  'SMSCs the SMPP connector binds to (SMS).',
);

/** One SMSC row's rule across keys; `path` names the row (e.g. `smpp.smscs[0]`). */
function reconnectRange(smsc: SmscConfig, path: string): Problem[] {
  if (smsc.reconnectMinMs <= smsc.reconnectMaxMs) return [];
  return [{ path: `${path}.reconnectMinMs`, text: `${path}.reconnectMinMs must not be above ${path}.reconnectMaxMs` }];
}

export const SMPP_SECTION: SettingsSection<typeof SMPP_SETTINGS> = {
  schema: SMPP_SETTINGS,
  checks: [
    function reconnectRanges(smpp, isValid: IsValid) {
      // The list itself may be what failed (then `smpp` or `smpp.smscs` is not what the type says).
      if (!Array.isArray(smpp?.smscs)) return [];
      return smpp.smscs.flatMap((smsc, i) => (isValid(`smpp.smscs[${i}]`) ? reconnectRange(smsc, `smpp.smscs[${i}]`) : []));
    },
    function uniqueNames(smpp, isValid: IsValid) {
      if (!isValid('smpp.smscs')) return [];
      const names = smpp.smscs.map((s) => s.name);
      if (new Set(names).size === names.length) return [];
      return [{ path: 'smpp.smscs', text: `smpp.smscs names must be unique; got ${names.join(', ')}` }];
    },
  ],
};

/** Reads one SMSC's settings on its own (tests, tools); `path` names it in errors. Throws a ConfigError listing every problem. */
export function parseSmscConfig(value: unknown, path: string): SmscConfig {
  const row = structuredClone(value);
  const validate = compileSettings(SMSC_SETTINGS);
  const problems = validate(row) ? reconnectRange(row as SmscConfig, path) : problemsFromAjv(validate.errors ?? [], path);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => p.text).join('\n'));
  return row as SmscConfig;
}
