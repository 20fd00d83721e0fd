import type Database from 'better-sqlite3';
import type { SmppUserLimits } from '../../domain/smppUser.js';
import { limitColumns, toSmppUser, type SmppUserRow } from '../rows/smppUserRow.js';
import type { SmppUserRepository } from '../smppUsers.js';
import { writeTransaction } from './writeTransaction.js';

export function sqliteSmppUsers(db: Database.Database): SmppUserRepository {
  const insert = db.prepare<unknown[], SmppUserRow>(`
    insert into smpp_users (system_id, account_id, password_hash, allow_list, max_binds, throughput, window_size,
                            message_id_format, callback_url, created_at)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    on conflict (system_id) do nothing
    returning *`);
  const bySystemId = db.prepare<[string], SmppUserRow>('select * from smpp_users where system_id = ?');
  const all = db.prepare<[], SmppUserRow>('select * from smpp_users order by id');
  const ofAccount = db.prepare<[number], SmppUserRow>('select * from smpp_users where account_id = ? order by id');
  const revoke = db.prepare('update smpp_users set revoked_at = ? where system_id = ? and revoked_at is null');
  const setPassword = db.prepare('update smpp_users set password_hash = ? where system_id = ? and revoked_at is null');
  const update = db.prepare(`
    update smpp_users set allow_list = @allow_list, max_binds = @max_binds, throughput = @throughput,
      window_size = @window_size, message_id_format = @message_id_format, callback_url = @callback_url
    where id = @id`);
  const setLimits = writeTransaction(db, (systemId: string, limits: Partial<SmppUserLimits>) => {
    const row = bySystemId.get(systemId);
    if (!row || row.revoked_at !== null) return null;
    update.run({ id: row.id, ...limitColumns(toSmppUser(row), limits) });
    return toSmppUser(bySystemId.get(systemId)!);
  });
  return {
    async create(user, passwordHash, now) {
      const row = insert.get(
        user.systemId,
        user.accountId,
        passwordHash,
        JSON.stringify(user.allowList),
        user.maxBinds,
        user.throughput,
        user.window,
        user.messageIdFormat,
        user.callbackUrl,
        now,
      );
      return row ? toSmppUser(row) : null;
    },
    async bySystemId(systemId) {
      const row = bySystemId.get(systemId);
      return row ? { user: toSmppUser(row), passwordHash: row.password_hash } : null;
    },
    async list(accountId) {
      return (accountId === undefined ? all.all() : ofAccount.all(accountId)).map(toSmppUser);
    },
    async revoke(systemId, now) {
      return revoke.run(now, systemId).changes === 1;
    },
    async setPassword(systemId, passwordHash) {
      return setPassword.run(passwordHash, systemId).changes === 1;
    },
    async setLimits(systemId, limits) {
      return setLimits(systemId, limits);
    },
  };
}
