/**
 * The `vk` settings: VK-notification providers and VK communities, and the senders that use them (README "VK").
 * Tokens and secrets are read here and never printed: `direct-gateway vk senders list` masks them.
 */
import { Type, type StaticDecode } from '@sinclair/typebox';
import type { Problem } from '../../config/errors.js';
import type { IsValid, SettingsSection } from '../../config/section.js';
import { integer, nonEmptyText, oneOf, orNull, section } from '../../config/settingTypes.js';
import { COMMUNITY_WEBHOOK_NAME } from '../../vk/callbackEvents.js';
import { DEFAULT_FIELD_NAMES } from '../../vk/providerProfile.js';

/** The VK API version of community calls: pinned, so that an upgrade is a decision. */
export const DEFAULT_VK_API_VERSION = '5.199';
/** Adapters' default pace, messages per second per group: VK's limit for notifications, and for a community token. */
export const DEFAULT_PROVIDER_THROUGHPUT = 50;
export const DEFAULT_COMMUNITY_THROUGHPUT = 20;

const SECRET = Type.String({ minLength: 1, maxLength: 4096, errorMessage: 'must be a non-empty string' });
const FIELD_NAME = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z_][A-Za-z0-9_]*$', errorMessage: 'must be a JSON field name' });
const PROFILE_NAME = '^[a-z0-9][a-z0-9_-]{0,62}$';

const FIELD_NAMES = Type.Object(
  Object.fromEntries(Object.entries(DEFAULT_FIELD_NAMES).map(([key, name]) => [key, { ...FIELD_NAME, default: name }])) as Record<
    keyof typeof DEFAULT_FIELD_NAMES,
    typeof FIELD_NAME
  >,
  {
    additionalProperties: false,
    default: {},
    description: 'The profile\'s field names as this provider spells them, e.g. `{"phone": "msisdn", "callbackData": "externalId"}`.',
    errorMessage: `must be an object of ${Object.keys(DEFAULT_FIELD_NAMES).join(', ')} names`,
  },
);

const PROVIDER_SETTINGS = Type.Object(
  {
    baseUrl: nonEmptyText({ docType: 'URL', description: 'The provider\'s API base: messages go to `{baseUrl}/vk/messages`.' }),
    authHeader: nonEmptyText({ default: 'Authorization', description: 'The header that carries the credentials.' }),
    authValue: { ...SECRET, description: 'Its value, e.g. `Bearer <API key>`. Secret.' },
    callbackSecret: { ...SECRET, description: 'Status callbacks are accepted only with the HMAC-SHA256 of their body with this secret. Secret.' },
    signatureHeader: nonEmptyText({ default: 'X-Signature', description: 'The header of that signature (hex, optionally `sha256=`).' }),
    callbackUrl: orNull(Type.String({ pattern: '^https?://', errorMessage: 'must be an http(s) URL' }), {
      docType: 'URL or null',
      description: 'Sent as each item\'s `callbackUrl`: `https://<your gateway>/webhooks/vk/<profile>`; null = set at the provider instead.',
    }),
    fieldNames: FIELD_NAMES,
  },
  { additionalProperties: false },
);

const SENDER_SETTINGS = Type.Object(
  {
    senderName: Type.String({ minLength: 1, maxLength: 64, description: 'The VK sender name clients send with (approved for their account with `senders approve`).', errorMessage: 'must be a string of 1–64 characters' }),
    adapter: oneOf(['provider', 'community'] as const, { default: 'provider', description: '`provider`: notifications by phone number through `provider`; `community`: VK\'s API with a community token.' }),
    provider: orNull(Type.String({ pattern: PROFILE_NAME, errorMessage: 'must be a profile name of vk.providers' }), { docType: 'profile or null', description: 'The `vk.providers` profile (adapter `provider`).' }),
    service: orNull(Type.String({ minLength: 1, maxLength: 256, errorMessage: 'must be a non-empty string' }), { docType: 'text or null', description: 'The group as the provider names it (the items\' `service`); null = the sender name.' }),
    throughput: orNull(Type.Integer({ minimum: 1, maximum: 10_000, errorMessage: 'must be an integer from 1 to 10000' }), {
      docType: 'integer or null',
      description: `Messages per second from this group; null = ${DEFAULT_PROVIDER_THROUGHPUT} (provider) or ${DEFAULT_COMMUNITY_THROUGHPUT} (community). Per node.`,
    }),
    groupId: orNull(Type.String({ pattern: '^[1-9][0-9]{0,18}$', errorMessage: 'must be the community\'s numeric id' }), { docType: 'digits or null', description: 'The community\'s id (adapter `community`).' }),
    communityToken: orNull(SECRET, { docType: 'secret or null', description: 'A community access token with the `messages` right (adapter `community`). Secret.' }),
    callbackSecret: orNull(SECRET, { docType: 'secret or null', description: 'The Callback API\'s secret key (adapter `community`). Secret.' }),
    confirmationCode: orNull(SECRET, { docType: 'text or null', description: 'The string the Callback API\'s server check expects back (adapter `community`).' }),
    peers: Type.Record(Type.String({ pattern: '^[0-9]{1,20}$' }), Type.String({ pattern: '^[1-9][0-9]{0,18}$' }), {
      default: {},
      description: 'Adapter `community`: the VK peer id of a message\'s `destination`, e.g. `{"79001234567": "123456"}`; a destination not listed is taken as the peer id itself.',
      errorMessage: 'must map destinations (digits) to VK peer ids (digits)',
    }),
  },
  { additionalProperties: false },
);

const VK_SETTINGS = section(
  {
    apiBase: nonEmptyText({ default: 'https://api.vk.com', docType: 'URL', description: 'Where VK\'s API is, for communities (a stand-in in tests).' }),
    apiVersion: Type.String({ pattern: '^5\\.[0-9]{1,4}$', default: DEFAULT_VK_API_VERSION, description: 'The VK API version of community calls.', errorMessage: 'must be a VK API version such as "5.199"' }),
    requestTimeoutMs: integer({ minimum: 100, maximum: 600_000, default: 10_000, description: 'A request with no answer by then is tried again (within the lifetime).' }),
    pauseProbeMs: integer({ minimum: 0, default: 300_000, description: 'A sender paused by the circuit breaker (614) tries one message again after this long; 0 = only `vk senders resume`.' }),
    dailyLimit: integer({ minimum: 0, maximum: 1000, default: 5, description: 'Adapter `provider`: messages to one phone from one group in any 24 hours; the next is `unsent` 613. Counted in the database, for every node. 0 = none.' }),
    providers: Type.Record(Type.String({ pattern: PROFILE_NAME }), PROVIDER_SETTINGS, {
      default: {},
      description: `Provider profiles by name (lowercase letters, digits, \`-\`, \`_\`; not \`${COMMUNITY_WEBHOOK_NAME}\`): each one's status callbacks come to \`/webhooks/vk/<name>\`.`,
      errorMessage: 'must map profile names (lowercase letters, digits, - and _) to provider settings',
    }),
    senders: Type.Array(SENDER_SETTINGS, { default: [], description: 'One row per VK sender name ([VK](#vk)).' }),
  },
  'VK: notifications by phone number through a provider, or VK communities (VK with `channels.VK.connector: "vk"`).',
);

export type VkConfig = StaticDecode<typeof VK_SETTINGS>;
export type VkSenderConfig = VkConfig['senders'][number];
export type VkProviderConfig = VkConfig['providers'][string];

/** The rules JSON Schema cannot state: what each adapter needs, and names that must be unique. */
function senderProblems(vk: VkConfig): Problem[] {
  const problems: Problem[] = [];
  vk.senders.forEach((sender, index) => {
    const at = `vk.senders[${index}]`;
    const missing = (key: string, text: string) => problems.push({ path: `${at}.${key}`, text: `${at}.${key} ${text}` });
    if (sender.adapter === 'provider') {
      if (sender.provider === null) missing('provider', 'must name a vk.providers profile (adapter "provider")');
      else if (!Object.hasOwn(vk.providers, sender.provider)) missing('provider', `is "${sender.provider}", but vk.providers has no such profile`);
    } else {
      for (const key of ['groupId', 'communityToken', 'callbackSecret', 'confirmationCode'] as const) {
        if (sender[key] === null) missing(key, 'must be set (adapter "community")');
      }
    }
  });
  const unique = (label: string, values: string[]) => {
    if (new Set(values).size !== values.length) problems.push({ path: 'vk.senders', text: `vk.senders: each ${label} must be unique; got ${values.join(', ')}` });
  };
  unique('senderName', vk.senders.map((s) => s.senderName));
  unique('community groupId', vk.senders.flatMap((s) => (s.adapter === 'community' && s.groupId !== null ? [s.groupId] : [])));
  return problems;
}

export const VK_SECTION: SettingsSection<typeof VK_SETTINGS> = {
  schema: VK_SETTINGS,
  checks: [
    function sendersHaveTheirAdapter(vk, isValid: IsValid) {
      return isValid('vk.senders') && isValid('vk.providers') ? senderProblems(vk as unknown as VkConfig) : [];
    },
    function noProfileNamedCommunity(vk, isValid: IsValid) {
      if (!isValid('vk.providers') || !Object.hasOwn(vk.providers, COMMUNITY_WEBHOOK_NAME)) return [];
      return [{ path: `vk.providers.${COMMUNITY_WEBHOOK_NAME}`, text: `vk.providers: "${COMMUNITY_WEBHOOK_NAME}" is the communities' webhook path; name the profile otherwise` }];
    },
  ],
};
