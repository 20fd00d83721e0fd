import type Database from 'better-sqlite3';
import { writeTransaction } from './writeTransaction.js';
import { IDEMPOTENCY_RETENTION_MS, type IdempotencyClaim, type IdempotencyRepository } from '../store.js';


interface KeyRow {
  body_hash: string;
  response_status: number | null;
  response_body: string | null;
  created_at: number;
}

export function sqliteIdempotency(db: Database.Database): IdempotencyRepository {
  const find = db.prepare<[number, string], KeyRow>(
    'select body_hash, response_status, response_body, created_at from idempotency_keys where account_id = ? and key = ?',
  );
  const upsert = db.prepare(
    `insert into idempotency_keys (account_id, key, body_hash, created_at) values (?, ?, ?, ?)
     on conflict (account_id, key) do update set body_hash = excluded.body_hash, created_at = excluded.created_at,
       response_status = null, response_body = null`,
  );
  const claim = writeTransaction(db, (accountId: number, key: string, bodyHash: string, now: number, staleAfterMs: number): IdempotencyClaim => {
    const row = find.get(accountId, key);
    const expired = !row || row.created_at <= now - IDEMPOTENCY_RETENTION_MS;
    const abandoned = row && row.response_status === null && row.created_at <= now - staleAfterMs;
    if (expired || abandoned) {
      upsert.run(accountId, key, bodyHash, now);
      return { state: 'claimed' };
    }
    if (row.body_hash !== bodyHash) return { state: 'mismatch' };
    if (row.response_status === null) return { state: 'pending' };
    return { state: 'replay', response: { status: row.response_status, body: row.response_body! } };
  });
  return {
    async claim(accountId, key, bodyHash, now, staleAfterMs) {
      return claim(accountId, key, bodyHash, now, staleAfterMs);
    },
    async complete(accountId, key, response) {
      db.prepare('update idempotency_keys set response_status = ?, response_body = ? where account_id = ? and key = ?').run(
        response.status,
        response.body,
        accountId,
        key,
      );
    },
    async release(accountId, key) {
      db.prepare('delete from idempotency_keys where account_id = ? and key = ? and response_status is null').run(accountId, key);
    },
    async purgeOlderThan(cutoff) {
      return db.prepare('delete from idempotency_keys where created_at < ?').run(cutoff).changes;
    },
  };
}
