import type { ApiKeyRecord, KeyType } from '../store.js';

/** An api_keys row, the same in SQLite and PostgreSQL. */
export interface KeyRow {
  id: number;
  key_id: string;
  secret_hash: Buffer;
  type: number;
  account_id: number;
  traffic_center_id: number;
  name: string | null;
  created_at: number;
  revoked_at: number | null;
}

export function toKey(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    keyId: row.key_id,
    secretHash: row.secret_hash,
    type: row.type as KeyType,
    accountId: row.account_id,
    trafficCenterId: row.traffic_center_id,
    name: row.name,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
