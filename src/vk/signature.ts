import { createHmac, timingSafeEqual } from 'node:crypto';

/** The provider's callback signature: the lowercase hex HMAC-SHA256 of the exact body with the callback secret. */
export function providerSignatureOf(secret: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * Whether the header is the signature of these bytes with this secret (hex, either case, with or without a
 * `sha256=` prefix). Compared in constant time, on the bytes as received.
 */
export function hasValidProviderSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (header === undefined) return false;
  const hex = header.startsWith('sha256=') ? header.slice(7) : header;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  return timingSafeEqual(createHmac('sha256', secret).update(rawBody).digest(), Buffer.from(hex, 'hex'));
}
