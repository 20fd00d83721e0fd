import type Database from 'better-sqlite3';
import type { KeyRepository } from '../store.js';
import { toKey, type KeyRow } from '../rows/keyRow.js';

export function sqliteKeys(db: Database.Database): KeyRepository {
  const findActive = db.prepare<[string], KeyRow & { suspended: number }>(
    `select k.*, a.suspended from api_keys k join accounts a on a.id = k.account_id
     where k.key_id = ? and k.revoked_at is null`,
  );
  return {
    async create(key, now) {
      const { lastInsertRowid } = db
        .prepare(
          'insert into api_keys (key_id, secret_hash, type, account_id, traffic_center_id, name, created_at) values (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(key.keyId, key.secretHash, key.type, key.accountId, key.trafficCenterId, key.name ?? null, now);
      return toKey(db.prepare<[number], KeyRow>('select * from api_keys where id = ?').get(Number(lastInsertRowid))!);
    },
    async findActive(keyId) {
      const row = findActive.get(keyId);
      return row ? { ...toKey(row), accountSuspended: row.suspended === 1 } : null;
    },
    async listForAccount(accountId) {
      return db.prepare<[number], KeyRow>('select * from api_keys where account_id = ? order by id').all(accountId).map(toKey);
    },
    async revoke(id, now) {
      return db.prepare('update api_keys set revoked_at = ? where id = ? and revoked_at is null').run(now, id).changes === 1;
    },
  };
}
