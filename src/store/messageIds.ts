import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * Time-ordered message ids (UUID v7, RFC 9562): random ids cost ~45% of SQLite ingest speed.
 * The uuid package asks the system for 16 random bytes per id, a visible cost on 1000-item batches,
 * so randomness is drawn from a pool; a counter keeps ids strictly increasing within a millisecond.
 */
const POOL_SIZE = 16 * 1024;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;
let lastMs = -1;
let seq = 0;

function randomBytes16(): Uint8Array {
  if (poolOffset + 16 > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += 16;
  return pool.subarray(poolOffset - 16, poolOffset);
}

export function newMessageId(): string {
  const random = randomBytes16();
  let msecs = Date.now();
  if (msecs > lastMs) {
    // 31-bit random start leaves room to count up within the millisecond.
    seq = ((random[6]! << 23) | (random[7]! << 15) | (random[8]! << 7) | (random[9]! >>> 1)) >>> 1;
    lastMs = msecs;
  } else {
    seq = (seq + 1) | 0;
    if (seq === 0) lastMs += 1;
    msecs = lastMs;
  }
  return uuidv7({ msecs, seq, random });
}

const SLUG_ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A short link slug: 10 characters from an unambiguous alphabet, ~57 bits. */
export function newShortLinkSlug(): string {
  let slug = '';
  for (const byte of randomBytes16().subarray(0, 10)) slug += SLUG_ALPHABET[byte % SLUG_ALPHABET.length];
  return slug;
}
