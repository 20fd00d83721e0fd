import type { MessageIdFormat, SmppUser, SmppUserLimits } from '../../domain/smppUser.js';

/** An smpp_users row, the same in SQLite and PostgreSQL. */
export interface SmppUserRow {
  id: number;
  system_id: string;
  account_id: number;
  password_hash: string;
  /** JSON array of CIDRs. */
  allow_list: string;
  max_binds: number;
  throughput: number;
  window_size: number;
  message_id_format: string;
  callback_url: string | null;
  created_at: number;
  revoked_at: number | null;
}

export function toSmppUser(row: SmppUserRow): SmppUser {
  return {
    id: row.id,
    systemId: row.system_id,
    accountId: row.account_id,
    allowList: JSON.parse(row.allow_list) as string[],
    maxBinds: row.max_binds,
    throughput: row.throughput,
    window: row.window_size,
    messageIdFormat: row.message_id_format as MessageIdFormat,
    callbackUrl: row.callback_url,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

/** The settings of a user after `changes`, as the columns they are stored in. */
export function limitColumns(current: SmppUserLimits, changes: Partial<SmppUserLimits>) {
  const next = { ...current, ...definedOnly(changes) };
  return {
    allow_list: JSON.stringify(next.allowList),
    max_binds: next.maxBinds,
    throughput: next.throughput,
    window_size: next.window,
    message_id_format: next.messageIdFormat,
    callback_url: next.callbackUrl,
  };
}

/** `{ window: undefined }` changes nothing (an option not given); `{ callbackUrl: null }` clears it. */
function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;
}
