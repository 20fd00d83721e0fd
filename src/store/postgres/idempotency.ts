import { randomBytes } from 'node:crypto';
import {
  IDEMPOTENCY_RETENTION_MS,
  IdempotencyClaimLostError,
  type HeldClaim,
  type IdempotencyClaim,
  type IdempotencyRepository,
  type StoredResponse,
} from '../store.js';
import { heldKeyClaim, type IdempotencyKeyRow } from '../rows/idempotencyKeyRow.js';
import type { Sql, TransactionSql } from './connection.js';
import { ownerIsDead, type PgIdempotencyOwner } from './idempotencyOwner.js';

/**
 * Stores the response only while the claim is still this one; false when it was taken over. In the transaction that
 * creates the messages (messages/accept.ts), so the response is durable exactly when they are. A takeover in progress
 * holds the row: this waits for it and then sees the new token.
 */
export async function completeClaim(sql: Sql | TransactionSql, accountId: number, { key, token }: HeldClaim, response: StoredResponse): Promise<boolean> {
  const rows = await sql`
    update idempotency_keys set response_status = ${response.status}, response_body = ${response.body}
    where account_id = ${accountId} and key = ${key} and claim_token = ${token} and response_status is null
    returning 1`;
  return rows.length === 1;
}

export function pgIdempotency(sql: Sql, owner: PgIdempotencyOwner): IdempotencyRepository {
  return {
    async claim(accountId, key, bodyHash, now, staleAfterMs) {
      const me = await owner.id();
      const token = randomBytes(16).toString('hex');
      return sql.begin(async (tx): Promise<IdempotencyClaim> => {
        // The guard is in the statement: a new key is inserted; an expired one, or a pending one whose owner is dead
        // (or that is older than the answer limit), is taken over; any other is left as it is. The unique key makes
        // a second node wait for the first's commit and then find its claim; ON CONFLICT locks the row even when it
        // does not update it. CASE keeps pg_locks out of the common cases (replays, live claims of this node).
        const taken = await tx`
          insert into idempotency_keys (account_id, key, body_hash, created_at, owner_id, claim_token)
          values (${accountId}, ${key}, ${bodyHash}, ${now}, ${me}, ${token})
          on conflict (account_id, key) do update set body_hash = excluded.body_hash, created_at = excluded.created_at,
            response_status = null, response_body = null, owner_id = excluded.owner_id, claim_token = excluded.claim_token
          where case
            when idempotency_keys.created_at <= ${now - IDEMPOTENCY_RETENTION_MS} then true
            when idempotency_keys.response_status is not null then false
            when idempotency_keys.created_at <= ${now - staleAfterMs} then true
            when idempotency_keys.owner_id is null or idempotency_keys.owner_id = ${me} then false
            else ${ownerIsDead(tx, 'idempotency_keys.owner_id')}
          end
          returning 1`;
        if (taken.length === 1) return { state: 'claimed', token };
        const [row] = await tx<IdempotencyKeyRow[]>`
          select body_hash, response_status, response_body from idempotency_keys where account_id = ${accountId} and key = ${key}`;
        if (!row) throw new Error('idempotency key vanished while locked');
        return heldKeyClaim(row, bodyHash);
      });
    },
    async complete(accountId, claim, response) {
      if (!(await completeClaim(sql, accountId, claim, response))) throw new IdempotencyClaimLostError(claim.key);
    },
    async release(accountId, { key, token }) {
      await sql`delete from idempotency_keys where account_id = ${accountId} and key = ${key} and claim_token = ${token} and response_status is null`;
    },
    async purgeOlderThan(cutoff) {
      return (await sql`delete from idempotency_keys where created_at < ${cutoff}`).count;
    },
  };
}
