import type { SenderRepository } from '../store.js';
import { toSender, type SenderRow } from '../rows/senderRow.js';
import type { Sql } from './connection.js';

export function pgSenders(sql: Sql): SenderRepository {
  return {
    async approve(sender) {
      await sql`
        insert into senders (account_id, channel, name, traffic_type, starts_at)
        values (${sender.accountId}, ${sender.channel}, ${sender.name}, ${sender.trafficType}, ${sender.startsAt})
        on conflict (account_id, channel, name) do update set traffic_type = excluded.traffic_type, starts_at = excluded.starts_at`;
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
