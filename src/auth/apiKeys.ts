import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys (spec §3.1): the client sends base64(keyId ":" secret) after `Basic `.
 * Only the SHA-256 of the secret is stored; the secret is high-entropy, so no slow hash is needed.
 */
export interface GeneratedApiKey {
  keyId: string;
  secret: string;
  /** What goes after `Basic `; shown once, never stored. */
  token: string;
}

export function generateApiKey(): GeneratedApiKey {
  // 64 random bits: the unique index catches the (negligible) collision; hex never contains ':'.
  const keyId = `k${randomBytes(8).toString('hex')}`;
  // 256 bits from the CSPRNG; base64url has no ':'.
  const secret = randomBytes(32).toString('base64url');
  return { keyId, secret, token: encodeApiKey(keyId, secret) };
}

export function encodeApiKey(keyId: string, secret: string): string {
  return Buffer.from(`${keyId}:${secret}`, 'utf8').toString('base64');
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time comparison, so response timing does not leak how much of a guess was right. */
export function secretMatches(secret: string, hash: Buffer): boolean {
  const candidate = hashSecret(secret);
  return candidate.length === hash.length && timingSafeEqual(candidate, hash);
}
