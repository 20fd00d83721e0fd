import type { Store } from '../store/store.js';
import { secretMatches } from '../auth/apiKeys.js';
import type { KeyType, Principal } from '../domain/principal.js';
import { isStorableText } from '../domain/textRules.js';
import { errors } from './apiError.js';

export type { Principal };

export interface AuthPolicy {
  /** Key types the endpoint accepts (spec §1); 'any' for /balance and /ping. */
  keyTypes: readonly KeyType[] | 'any';
  /** Only /flashcall-conversion also takes `Bearer <API key>` (spec §6.2.4). */
  allowBearer?: boolean;
}

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Step 1 of spec §3.2: the header's shape. Returns the key id and secret, or null (→ 4010). */
export function parseAuthorization(header: string | undefined, allowBearer: boolean): { keyId: string; secret: string } | null {
  if (header === undefined) return null;
  const match = /^(\S+) +(\S+)\s*$/.exec(header);
  if (!match) return null;
  const scheme = match[1]!.toLowerCase();
  if (scheme !== 'basic' && !(allowBearer && scheme === 'bearer')) return null;
  const credentials = match[2]!;
  const unpadded = credentials.replace(/=+$/, '');
  if (!base64.test(credentials) || unpadded.length % 4 === 1) return null;
  const decoded = Buffer.from(unpadded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { keyId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** The whole procedure of spec §3.2; throws the ApiError of the first failing step. */
export async function authenticate(store: Store, header: string | undefined, policy: AuthPolicy): Promise<Principal> {
  const credentials = parseAuthorization(header, policy.allowBearer ?? false);
  if (!credentials) throw errors.notAuthenticated();
  // No key id holds a NUL, and PostgreSQL refuses one in a parameter: answered without asking the store.
  const key = isStorableText(credentials.keyId) ? await store.keys.findActive(credentials.keyId) : null;
  if (!key || !secretMatches(credentials.secret, key.secretHash)) throw errors.badCredentials();
  if (key.accountSuspended || (policy.keyTypes !== 'any' && !policy.keyTypes.includes(key.type))) throw errors.accessDenied();
  return { keyId: key.keyId, keyType: key.type, accountId: key.accountId, trafficCenterId: key.trafficCenterId };
}
