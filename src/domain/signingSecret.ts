/** Standard Webhooks signing secrets and signatures (spec §11.3). */
import { Buffer } from 'node:buffer';
import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';
const KEY_BYTES = 32;

/** `whsec_` + base64 of 32 random bytes: inside the spec's 24–64 byte range. */
export function generateSigningSecret(): string {
  return PREFIX + randomBytes(KEY_BYTES).toString('base64');
}

/** True for `whsec_` + canonical base64 of 24–64 bytes (spec §11.3), e.g. for admin input. */
export function isSigningSecret(text: string): boolean {
  if (!text.startsWith(PREFIX)) return false;
  const encoded = text.slice(PREFIX.length);
  const key = Buffer.from(encoded, 'base64');
  return key.length >= 24 && key.length <= 64 && key.toString('base64') === encoded;
}

/** HMAC-SHA256(key, "{id}.{timestamp}.{body}"): what a `v1,` signature carries (the body as text or as its bytes). */
export function webhookMac(secret: string, id: string, timestamp: string | number, body: string | Uint8Array): Buffer {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

/** The `webhook-signature` header value: `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")). */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  return `v1,${webhookMac(secret, id, timestampSeconds, body).toString('base64')}`;
}
