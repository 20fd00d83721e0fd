import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store, StoredResponse } from '../store/store.js';
import { errors } from './apiError.js';

/** 1–255 printable ASCII characters (spec §5.12). */
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;
/** A claim whose request has not answered within this time died with its process: take it over. */
const STALE_AFTER_MS = 65_000;
const POLL_MS = 25;

export function bodyHash(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/**
 * Runs `process` at most once per (account, key, body) within 24 h: a repeat gets the stored response,
 * waiting for the first request if it is still running; the same key with another body gets 409.
 */
export async function withIdempotency(
  store: Store,
  accountId: number,
  key: string | undefined,
  hash: string,
  now: () => number,
  process: (key: string | null) => Promise<StoredResponse>,
): Promise<StoredResponse> {
  if (key === undefined) return process(null);
  if (!KEY_PATTERN.test(key)) throw errors.invalid('Invalid Idempotency-Key');
  for (;;) {
    const claim = await store.idempotency.claim(accountId, key, hash, now(), STALE_AFTER_MS);
    if (claim.state === 'replay') return claim.response;
    if (claim.state === 'mismatch') throw errors.idempotencyKeyReused();
    if (claim.state === 'claimed') {
      try {
        return await process(key);
      } catch (error) {
        await store.idempotency.release(accountId, key);
        throw error;
      }
    }
    await sleep(POLL_MS);
  }
}
