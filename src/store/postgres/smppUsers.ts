import type { SmppUserLimits } from '../../domain/smppUser.js';
import { limitColumns, toSmppUser, type SmppUserRow } from '../rows/smppUserRow.js';
import type { SmppUserRepository } from '../smppUsers.js';
import type { Sql } from './connection.js';

export function pgSmppUsers(sql: Sql): SmppUserRepository {
  return {
    async create(user, passwordHash, now) {
      const [row] = await sql<SmppUserRow[]>`
        insert into smpp_users (system_id, account_id, password_hash, allow_list, max_binds, throughput, window_size,
                                message_id_format, callback_url, created_at)
        values (${user.systemId}, ${user.accountId}, ${passwordHash}, ${JSON.stringify(user.allowList)}, ${user.maxBinds},
                ${user.throughput}, ${user.window}, ${user.messageIdFormat}, ${user.callbackUrl}, ${now})
        on conflict (system_id) do nothing
        returning *`;
      return row ? toSmppUser(row) : null;
    },
    async bySystemId(systemId) {
      const [row] = await sql<SmppUserRow[]>`select * from smpp_users where system_id = ${systemId}`;
      return row ? { user: toSmppUser(row), passwordHash: row.password_hash } : null;
    },
    async list(accountId) {
      const rows =
        accountId === undefined
          ? await sql<SmppUserRow[]>`select * from smpp_users order by id`
          : await sql<SmppUserRow[]>`select * from smpp_users where account_id = ${accountId} order by id`;
      return rows.map(toSmppUser);
    },
    async revoke(systemId, now) {
      const result = await sql`update smpp_users set revoked_at = ${now} where system_id = ${systemId} and revoked_at is null`;
      return result.count === 1;
    },
    async setPassword(systemId, passwordHash) {
      const result = await sql`update smpp_users set password_hash = ${passwordHash} where system_id = ${systemId} and revoked_at is null`;
      return result.count === 1;
    },
    async setLimits(systemId, limits: Partial<SmppUserLimits>) {
      return sql.begin(async (tx) => {
        // The row lock keeps two changes of different settings at once from undoing each other.
        const [row] = await tx<SmppUserRow[]>`select * from smpp_users where system_id = ${systemId} for update`;
        if (!row || row.revoked_at !== null) return null;
        const c = limitColumns(toSmppUser(row), limits);
        const [updated] = await tx<SmppUserRow[]>`
          update smpp_users set allow_list = ${c.allow_list}, max_binds = ${c.max_binds}, throughput = ${c.throughput},
            window_size = ${c.window_size}, message_id_format = ${c.message_id_format}, callback_url = ${c.callback_url}
          where id = ${row.id}
          returning *`;
        return toSmppUser(updated!);
      });
    },
  };
}
