/**
 * The `whatsapp` settings: the WhatsApp Business Cloud API and the senders that use it (README "WHATSAPP over the
 * Cloud API"). The tokens and secrets are read here and never printed: `direct-gateway whatsapp senders` masks them.
 */
import { Type, type Static, type StaticDecode, type TOptional } from '@sinclair/typebox';
import { problemAt, type Problem } from '../../config/errors.js';
import type { IsValid, SettingsSection } from '../../config/section.js';
import { AMOUNT_MESSAGE, amount, integer, nonEmptyText, orNull, section } from '../../config/settingTypes.js';
import { parseAmount } from '../../domain/money.js';
import { PRICING_CATEGORIES } from '../../domain/whatsappPrices.js';

/** The Graph API version used unless a sender names another: pinned, so that an upgrade is a decision. */
export const DEFAULT_GRAPH_VERSION = 'v23.0';

const GRAPH_VERSION = Type.String({ pattern: '^v[0-9]{1,3}\\.[0-9]{1,3}$', errorMessage: 'must be a Graph API version such as "v23.0"' });
const GRAPH_ID = Type.String({ pattern: '^[0-9]{1,32}$', errorMessage: 'must be the numeric id Meta shows (digits)' });
const SECRET = Type.String({ minLength: 1, maxLength: 4096, errorMessage: 'must be a non-empty string' });

const SENDER_SETTINGS = Type.Object(
  {
    senderName: Type.String({ minLength: 1, maxLength: 64, description: 'The WHATSAPP sender name clients send with (approved for their account with `senders approve`).', errorMessage: 'must be a string of 1–64 characters' }),
    phoneNumberId: { ...GRAPH_ID, description: "The business phone number's id (Meta: WhatsApp Manager → API Setup)." },
    wabaId: { ...GRAPH_ID, description: 'The WhatsApp Business Account that owns the number: its templates are synced.' },
    accessToken: { ...SECRET, description: "A system user's permanent access token with `whatsapp_business_messaging` and `whatsapp_business_management`. Secret." },
    appSecret: { ...SECRET, description: "The Meta app's secret: webhooks are accepted only with its `X-Hub-Signature-256`. Secret." },
    verifyToken: { ...SECRET, description: "The token you type into the app's webhook settings; Meta's subscription check must present it. Secret." },
    graphVersion: orNull(GRAPH_VERSION, { docType: 'version or null', description: 'null = `whatsapp.graphVersion`.' }),
    throughput: integer({ minimum: 1, maximum: 1000, default: 80, description: "Messages per second from this number (Meta's default tier is 80; up to 1000 once upgraded). Per node." }),
    inboundAccount: orNull(Type.String({ minLength: 1, maxLength: 255, errorMessage: 'must be an account name' }), {
      docType: 'account name or null',
      description: 'The account that receives what subscribers write to this number; null = the one account with this approved sender name.',
    }),
  },
  { additionalProperties: false },
);

export type WhatsAppSenderConfig = Static<typeof SENDER_SETTINGS>;

type Category = (typeof PRICING_CATEGORIES)[number];
const priceOf = (category: Category, units?: number) => amount(units, `Price of one ${category} message.`);
const groupOptions = (description?: string) => ({
  additionalProperties: false,
  default: {},
  ...(description ? { description } : {}),
  errorMessage: `must be an object of ${PRICING_CATEGORIES.join(', ')} amounts`,
});

/** A price for every category (each with its default). */
const allCategoryPrices = (description: string) =>
  Type.Object(
    Object.fromEntries(PRICING_CATEGORIES.map((c) => [c, priceOf(c, DEFAULT_CATEGORY_PRICES[c])])) as Record<Category, ReturnType<typeof priceOf>>,
    groupOptions(description),
  );

/** Prices for some categories (a country's own). */
const someCategoryPrices = () =>
  Type.Object(
    Object.fromEntries(PRICING_CATEGORIES.map((c) => [c, Type.Optional(priceOf(c))])) as Record<Category, TOptional<ReturnType<typeof priceOf>>>,
    groupOptions(),
  );

/** In units: 1.20 of the account's currency per template, service conversations free (as Meta bills them). */
const DEFAULT_CATEGORY_PRICES = { authentication: 12_000, marketing: 12_000, utility: 12_000, service: 0 } as const;

const WHATSAPP_SETTINGS = section(
  {
    graphBase: nonEmptyText({ default: 'https://graph.facebook.com', docType: 'URL', description: 'Where the Graph API is (a stand-in in tests).' }),
    graphVersion: { ...GRAPH_VERSION, default: DEFAULT_GRAPH_VERSION, description: 'The Graph API version of every call, unless a sender names its own.' },
    requestTimeoutMs: integer({ minimum: 100, maximum: 600_000, default: 10_000, description: 'A send with no answer by then is tried again (within the lifetime).' }),
    templateSyncMs: integer({ minimum: 10_000, default: 900_000, description: "How often each WABA's templates are synced (also at start and by `whatsapp templates sync`)." }),
    pairIntervalMs: integer({ minimum: 0, maximum: 3_600_000, default: 6_000, description: "Least time between two messages to one subscriber from one number (Meta's pair rate limit); 0 = none. Per node." }),
    pauseProbeMs: integer({
      minimum: 0,
      default: 300_000,
      description: 'A sender paused by the circuit breaker (614) tries one message again after this long; 0 = only `whatsapp senders resume`.',
    }),
    prices: section(
      {
        standard: allCategoryPrices('The prices of every destination country not in `byCountry`.'),
        byCountry: Type.Record(Type.String({ pattern: '^[A-Z]{2}$' }), someCategoryPrices(), {
          default: {},
          description: 'Other prices for some destination countries, by ISO 3166-1 alpha-2 code, e.g. `{"IN": {"marketing": "0.90"}}`.',
          errorMessage: 'must map 2-letter country codes to category prices',
        }),
      },
      "Per pricing category (Meta's `pricing.category`), in the account's currency; a template is priced by its category, text as `service`.",
    ),
    senders: Type.Array(SENDER_SETTINGS, { default: [], description: 'One row per WhatsApp number ([WhatsApp](#whatsapp-over-the-cloud-api)).' }),
  },
  'The WhatsApp Business Cloud API (WHATSAPP with `channels.WHATSAPP.connector: "whatsapp"`).',
);

export type WhatsAppConfig = StaticDecode<typeof WHATSAPP_SETTINGS>;

function amountProblems(prices: Record<string, unknown>, path: string): Problem[] {
  return Object.entries(prices).flatMap(([category, value]) => {
    const units = typeof value === 'string' || typeof value === 'number' ? parseAmount(value) : null;
    return units === null || units < 0 ? [problemAt(`${path}.${category}`, AMOUNT_MESSAGE, value)] : [];
  });
}

export const WHATSAPP_SECTION: SettingsSection<typeof WHATSAPP_SETTINGS> = {
  schema: WHATSAPP_SETTINGS,
  checks: [
    function pricesAreAmounts(whatsapp, isValid: IsValid) {
      if (!isValid('whatsapp.prices')) return [];
      const { prices } = whatsapp as unknown as { prices: { standard: Record<string, unknown>; byCountry: Record<string, Record<string, unknown>> } };
      return [
        ...amountProblems(prices.standard, 'whatsapp.prices.standard'),
        ...Object.entries(prices.byCountry).flatMap(([country, row]) => amountProblems(row, `whatsapp.prices.byCountry.${country}`)),
      ];
    },
    function uniqueSenders(whatsapp, isValid: IsValid) {
      if (!isValid('whatsapp.senders')) return [];
      const problems: Problem[] = [];
      for (const key of ['senderName', 'phoneNumberId'] as const) {
        const values = whatsapp.senders.map((s) => s[key]);
        if (new Set(values).size !== values.length) problems.push({ path: 'whatsapp.senders', text: `whatsapp.senders: each ${key} must be unique; got ${values.join(', ')}` });
      }
      return problems;
    },
  ],
};
