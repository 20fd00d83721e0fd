import type { SenderApproval, SenderRepository } from '../store.js';
import { toSender, type SenderRow } from '../rows/senderRow.js';
import type { Sql } from './connection.js';

/** The first key of the transaction-level advisory locks that serialize exclusive approvals of one name ('dgsn'). */
const SENDER_NAME_LOCK_SPACE = 0x6467736e;

export function pgSenders(sql: Sql): SenderRepository {
  return {
    async approve(sender, options = {}) {
      return sql.begin(async (tx): Promise<SenderApproval> => {
        if (options.exclusive) {
          // Two approvals of one name on two nodes (or two CLIs) would each see no other owner: one waits for the other.
          await tx`select pg_advisory_xact_lock(${SENDER_NAME_LOCK_SPACE}::int, hashtext(${`${sender.channel} ${sender.name}`}))`;
          const others = await tx<{ name: string }[]>`
            select a.name from senders s join accounts a on a.id = s.account_id
            where s.channel = ${sender.channel} and s.name = ${sender.name} and s.account_id <> ${sender.accountId} order by a.id`;
          if (others.length > 0) return { approved: false, sharedWith: others.map((o) => o.name) };
        }
        await tx`
          insert into senders (account_id, channel, name, traffic_type, starts_at)
          values (${sender.accountId}, ${sender.channel}, ${sender.name}, ${sender.trafficType}, ${sender.startsAt})
          on conflict (account_id, channel, name) do update set traffic_type = excluded.traffic_type, starts_at = excluded.starts_at`;
        return { approved: true };
      });
    },
    async list(accountId) {
      const rows =
        accountId === undefined
          ? await sql<SenderRow[]>`select * from senders order by account_id, channel, name`
          : await sql<SenderRow[]>`select * from senders where account_id = ${accountId} order by channel, name`;
      return rows.map(toSender);
    },
  };
}
