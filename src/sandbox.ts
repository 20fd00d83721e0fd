import { hashSecret, secretMatches } from './auth/apiKeys.js';
import type { Store } from './store/store.js';
import { hashSmppPassword, verifySmppPassword } from './auth/smppPasswords.js';
import { SMPP_USER_DEFAULTS } from './domain/smppUser.js';

/** The documentation's example key, `Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==`, so its curl works verbatim. */
export const SANDBOX_ACCOUNT = 'demo';
export const SANDBOX_KEY_ID = 'Aladdin';
export const SANDBOX_SECRET = 'open sesame';
export const SANDBOX_TOKEN = 'QWxhZGRpbjpvcGVuIHNlc2FtZQ==';
export const SANDBOX_SENDER = 'sms_promo';

/**
 * On an empty database (no accounts at all) creates the `demo` account with 1000.00 RUB, the example
 * type-1 key and `sms_promo` approved for SMS and WHATSAPP. Returns whether it created them.
 * A database that has any account is the operator's: it is never touched.
 */
export async function ensureSandboxAccount(store: Store, now: number): Promise<boolean> {
  if ((await store.accounts.list()).length > 0) return false;
  const account = await store.accounts.create({ name: SANDBOX_ACCOUNT, currency: 'RUB', balance: 1000_0000, billingEnabled: true }, now);
  await store.keys.create(
    { keyId: SANDBOX_KEY_ID, secretHash: hashSecret(SANDBOX_SECRET), type: 1, accountId: account.id, trafficCenterId: 1 },
    now,
  );
  for (const channel of ['SMS', 'WHATSAPP'] as const) {
    await store.senders.approve({ accountId: account.id, channel, name: SANDBOX_SENDER, trafficType: null, startsAt: now });
  }
  return true;
}

/**
 * Whether the example key answers on this database: the `demo` account's active, unsuspended key `Aladdin` with the
 * secret `open sesame`. A database of the operator's may have none, and the banner must not offer a key that gets 4012.
 */
export async function sandboxKeyWorks(store: Store): Promise<boolean> {
  const [demo, key] = await Promise.all([store.accounts.byName(SANDBOX_ACCOUNT), store.keys.findActive(SANDBOX_KEY_ID)]);
  return demo !== null && key !== null && key.accountId === demo.id && !key.accountSuspended && secretMatches(SANDBOX_SECRET, key.secretHash);
}

/** The sandbox's SMPP user (README "SMPP for clients"): a fixed, published password, like the example key. */
export const SANDBOX_SMPP_SYSTEM_ID = 'demo';
export const SANDBOX_SMPP_PASSWORD = 'demopass';

/**
 * Gives the `demo` account the SMPP user `demo` when no user has that system id. Returns whether the published
 * password binds on this database (false: the operator's database has its own `demo`, or no `demo` account).
 */
export async function ensureSandboxSmppUser(store: Store, now: number): Promise<boolean> {
  const demo = await store.accounts.byName(SANDBOX_ACCOUNT);
  if (!demo) return false;
  const existing = await store.smppUsers.bySystemId(SANDBOX_SMPP_SYSTEM_ID);
  if (existing) {
    return existing.user.accountId === demo.id && existing.user.revokedAt === null && (await verifySmppPassword(SANDBOX_SMPP_PASSWORD, existing.passwordHash));
  }
  const created = await store.smppUsers.create(
    { systemId: SANDBOX_SMPP_SYSTEM_ID, accountId: demo.id, allowList: ['127.0.0.0/8', '::1/128'], callbackUrl: null, ...SMPP_USER_DEFAULTS },
    await hashSmppPassword(SANDBOX_SMPP_PASSWORD),
    now,
  );
  return created !== null;
}
