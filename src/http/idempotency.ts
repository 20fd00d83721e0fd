import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { IdempotencyClaimLostError, type HeldClaim, type Store, type StoredResponse } from '../store/store.js';
import { errors } from './apiError.js';

/** 1–255 printable ASCII characters (spec §5.12). */
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;
/**
 * A claim of a live owner whose request has not answered within this time broke the 60 s answer limit: it is taken
 * over (its late answer is then refused by the store, so nothing is created twice). A dead owner's claim is taken
 * over at once, whatever its age.
 */
const STALE_AFTER_MS = 65_000;
/** A waiter looks again after 25 ms, then less and less often, at least every 250 ms: a dead owner costs ≤ 250 ms. */
const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 250;

export function bodyHash(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/**
 * Runs `process` at most once per (account, key, body) within 24 h: a repeat gets the stored response,
 * waiting for the first request if it is still running; the same key with another body gets 409. When the
 * request that holds the claim dies (its node or process), the waiter takes the key over and processes it.
 */
export async function withIdempotency(
  store: Store,
  accountId: number,
  key: string | undefined,
  hash: string,
  now: () => number,
  process: (claim: HeldClaim | null) => Promise<StoredResponse>,
): Promise<StoredResponse> {
  if (key === undefined) return process(null);
  if (!KEY_PATTERN.test(key)) throw errors.invalid('Invalid Idempotency-Key');
  for (let pollMs = FIRST_POLL_MS; ; pollMs = Math.min(MAX_POLL_MS, pollMs * 2)) {
    const claim = await store.idempotency.claim(accountId, key, hash, now(), STALE_AFTER_MS);
    if (claim.state === 'replay') return claim.response;
    if (claim.state === 'mismatch') throw errors.idempotencyKeyReused();
    if (claim.state === 'claimed') {
      const held = { key, token: claim.token };
      try {
        return await process(held);
      } catch (error) {
        // Taken over while we worked (we were thought dead, or too slow): the new holder's answer is ours too.
        if (error instanceof IdempotencyClaimLostError) continue;
        await store.idempotency.release(accountId, held);
        throw error;
      }
    }
    await sleep(pollMs);
  }
}
