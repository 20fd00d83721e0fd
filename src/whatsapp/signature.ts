import { createHmac, timingSafeEqual } from 'node:crypto';

/** `X-Hub-Signature-256` of a body: `sha256=` and the hex HMAC-SHA256 of the exact bytes with the app secret. */
export function signatureOf(appSecret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/**
 * Whether the header is the signature of these bytes with this secret. Compared in constant time; checked on the
 * bytes as received, never on JSON parsed and written again (key order and spaces would change them).
 */
export function hasValidSignature(appSecret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (header === undefined || !/^sha256=[0-9a-fA-F]{64}$/.test(header)) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(header.slice(7), 'hex'));
}

/** Constant-time equality of two secrets of any length (the webhook subscription's verify token). */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHmac('sha256', 'compare').update(a).digest();
  const hb = createHmac('sha256', 'compare').update(b).digest();
  return timingSafeEqual(ha, hb);
}
