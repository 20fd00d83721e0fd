import type { IdempotencyClaim } from '../store.js';

/** An idempotency key another request holds or answered. */
export interface IdempotencyKeyRow {
  body_hash: string;
  response_status: number | null;
  response_body: string | null;
}

/** A key that could not be claimed: a body that differs, a request still running, or the answer to replay. */
export function heldKeyClaim(row: IdempotencyKeyRow, bodyHash: string): IdempotencyClaim {
  if (row.body_hash !== bodyHash) return { state: 'mismatch' };
  if (row.response_status === null) return { state: 'pending' };
  return { state: 'replay', response: { status: row.response_status, body: row.response_body! } };
}
