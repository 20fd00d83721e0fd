import type { KeyRepository } from '../store.js';
import { toKey, type KeyRow } from '../rows/keyRow.js';
import type { Sql } from './connection.js';

export function pgKeys(sql: Sql): KeyRepository {
  return {
    async create(key, now) {
      const rows = await sql<KeyRow[]>`
        insert into api_keys (key_id, secret_hash, type, account_id, traffic_center_id, name, created_at)
        values (${key.keyId}, ${key.secretHash}, ${key.type}, ${key.accountId}, ${key.trafficCenterId}, ${key.name ?? null}, ${now})
        returning *`;
      return toKey(rows[0]!);
    },
    async findActive(keyId) {
      const rows = await sql<(KeyRow & { suspended: boolean })[]>`
        select k.*, a.suspended from api_keys k join accounts a on a.id = k.account_id
        where k.key_id = ${keyId} and k.revoked_at is null`;
      const row = rows[0];
      return row ? { ...toKey(row), accountSuspended: row.suspended } : null;
    },
    async listForAccount(accountId) {
      return (await sql<KeyRow[]>`select * from api_keys where account_id = ${accountId} order by id`).map(toKey);
    },
    async revoke(id, now) {
      const result = await sql`update api_keys set revoked_at = ${now} where id = ${id} and revoked_at is null`;
      return result.count === 1;
    },
  };
}
