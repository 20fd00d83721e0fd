import { IDEMPOTENCY_RETENTION_MS, type IdempotencyClaim, type IdempotencyRepository } from '../store.js';
import type { Sql } from './connection.js';

interface KeyRow {
  body_hash: string;
  response_status: number | null;
  response_body: string | null;
}

export function pgIdempotency(sql: Sql): IdempotencyRepository {
  return {
    async claim(accountId, key, bodyHash, now, staleAfterMs) {
      return sql.begin(async (tx): Promise<IdempotencyClaim> => {
        // The guard is in the statement: a new key is inserted, an expired or abandoned one is taken over,
        // any other is left as it is. The unique key makes a second node wait for the first's commit and
        // then find its claim; ON CONFLICT locks the row even when it does not update it.
        const taken = await tx`
          insert into idempotency_keys (account_id, key, body_hash, created_at)
          values (${accountId}, ${key}, ${bodyHash}, ${now})
          on conflict (account_id, key) do update set body_hash = excluded.body_hash, created_at = excluded.created_at,
            response_status = null, response_body = null
          where idempotency_keys.created_at <= ${now - IDEMPOTENCY_RETENTION_MS}
             or (idempotency_keys.response_status is null and idempotency_keys.created_at <= ${now - staleAfterMs})
          returning 1`;
        if (taken.length === 1) return { state: 'claimed' };
        const [row] = await tx<KeyRow[]>`
          select body_hash, response_status, response_body from idempotency_keys where account_id = ${accountId} and key = ${key}`;
        if (!row) throw new Error('idempotency key vanished while locked');
        if (row.body_hash !== bodyHash) return { state: 'mismatch' };
        if (row.response_status === null) return { state: 'pending' };
        return { state: 'replay', response: { status: row.response_status, body: row.response_body! } };
      });
    },
    async complete(accountId, key, response) {
      await sql`
        update idempotency_keys set response_status = ${response.status}, response_body = ${response.body}
        where account_id = ${accountId} and key = ${key}`;
    },
    async release(accountId, key) {
      await sql`delete from idempotency_keys where account_id = ${accountId} and key = ${key} and response_status is null`;
    },
    async purgeOlderThan(cutoff) {
      return (await sql`delete from idempotency_keys where created_at < ${cutoff}`).count;
    },
  };
}
