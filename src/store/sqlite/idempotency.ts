import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { writeTransaction } from './writeTransaction.js';
import type { SqliteIdempotencyOwner } from './idempotencyOwner.js';
import {
  IDEMPOTENCY_RETENTION_MS,
  IdempotencyClaimLostError,
  type IdempotencyClaim,
  type IdempotencyRepository,
} from '../store.js';
import { heldKeyClaim, type IdempotencyKeyRow } from '../rows/idempotencyKeyRow.js';

interface KeyRow extends IdempotencyKeyRow {
  created_at: number;
  owner: string | null;
}

/** The statement that stores a response only while the claim is still this one (messages/accept.ts uses it too). */
export const COMPLETE_CLAIM =
  'update idempotency_keys set response_status = ?, response_body = ? where account_id = ? and key = ? and claim_token = ? and response_status is null';

export function sqliteIdempotency(db: Database.Database, owner: SqliteIdempotencyOwner): IdempotencyRepository {
  const find = db.prepare<[number, string], KeyRow>(
    'select body_hash, response_status, response_body, created_at, owner from idempotency_keys where account_id = ? and key = ?',
  );
  const upsert = db.prepare(
    `insert into idempotency_keys (account_id, key, body_hash, created_at, owner, claim_token) values (?, ?, ?, ?, ?, ?)
     on conflict (account_id, key) do update set body_hash = excluded.body_hash, created_at = excluded.created_at,
       response_status = null, response_body = null, owner = excluded.owner, claim_token = excluded.claim_token`,
  );
  const complete = db.prepare(COMPLETE_CLAIM);
  const release = db.prepare('delete from idempotency_keys where account_id = ? and key = ? and claim_token = ? and response_status is null');

  /** Written by a dead owner, or (an owner that predates owners, or a live one) older than the answer limit. */
  const abandoned = (row: KeyRow, now: number, staleAfterMs: number) =>
    row.response_status === null && (row.created_at <= now - staleAfterMs || (row.owner !== null && !owner.isAlive(row.owner)));

  // One write transaction: the check and the takeover cannot be split by another claim.
  const claim = writeTransaction(db, (accountId: number, key: string, bodyHash: string, now: number, staleAfterMs: number, me: string): IdempotencyClaim => {
    const row = find.get(accountId, key);
    if (!row || row.created_at <= now - IDEMPOTENCY_RETENTION_MS || abandoned(row, now, staleAfterMs)) {
      const token = randomBytes(16).toString('hex');
      upsert.run(accountId, key, bodyHash, now, me, token);
      return { state: 'claimed', token };
    }
    return heldKeyClaim(row, bodyHash);
  });
  return {
    async claim(accountId, key, bodyHash, now, staleAfterMs) {
      // The owner's lock is taken outside the write transaction: it is file work of its own.
      return claim(accountId, key, bodyHash, now, staleAfterMs, owner.id());
    },
    async complete(accountId, { key, token }, response) {
      if (complete.run(response.status, response.body, accountId, key, token).changes === 0) throw new IdempotencyClaimLostError(key);
    },
    async release(accountId, { key, token }) {
      release.run(accountId, key, token);
    },
    async purgeOlderThan(cutoff) {
      return db.prepare('delete from idempotency_keys where created_at < ?').run(cutoff).changes;
    },
  };
}
