import { generateApiKey, hashSecret } from '../../src/auth/apiKeys.js';
import { openStore } from '../../src/store/openStore.js';

/** An account with a type-1 key, written straight into a database that a `serve` process will open. */
export async function storeAccount(database: string, name = 'load'): Promise<{ auth: string; accountId: number }> {
  const store = await openStore(database);
  try {
    const account = await store.accounts.create({ name, currency: 'RUB', balance: 1_000_000 * 10_000, billingEnabled: true }, Date.now());
    const key = generateApiKey();
    await store.keys.create({ keyId: key.keyId, secretHash: hashSecret(key.secret), type: 1, accountId: account.id, trafficCenterId: 1 }, Date.now());
    return { auth: `Basic ${key.token}`, accountId: account.id };
  } finally {
    await store.close();
  }
}
