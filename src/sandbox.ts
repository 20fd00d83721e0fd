import { hashSecret, secretMatches } from './auth/apiKeys.js';
import type { Store } from './store/store.js';

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
