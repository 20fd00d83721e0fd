import type { ApprovedSender } from '../../domain/account.js';
import type { Channel, TrafficType } from '../../domain/channels.js';
import type { SenderRepository } from '../store.js';
import type { Sql } from './connection.js';

interface SenderRow {
  account_id: number;
  channel: string;
  name: string;
  traffic_type: string | null;
  starts_at: number;
}

export function toSender(row: SenderRow): ApprovedSender {
  return {
    accountId: row.account_id,
    channel: row.channel as Channel,
    name: row.name,
    trafficType: row.traffic_type as TrafficType | null,
    startsAt: row.starts_at,
  };
}

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
