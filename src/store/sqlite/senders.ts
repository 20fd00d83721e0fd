import type Database from 'better-sqlite3';
import type { ApprovedSender } from '../../domain/account.js';
import type { Channel, TrafficType } from '../../domain/channels.js';
import type { SenderRepository } from '../store.js';

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

export function sqliteSenders(db: Database.Database): SenderRepository {
  return {
    async approve(sender) {
      db.prepare(
        `insert into senders (account_id, channel, name, traffic_type, starts_at) values (?, ?, ?, ?, ?)
         on conflict (account_id, channel, name) do update set traffic_type = excluded.traffic_type, starts_at = excluded.starts_at`,
      ).run(sender.accountId, sender.channel, sender.name, sender.trafficType, sender.startsAt);
    },
    async list(accountId) {
      const rows =
        accountId === undefined
          ? db.prepare<[], SenderRow>('select * from senders order by account_id, channel, name').all()
          : db.prepare<[number], SenderRow>('select * from senders where account_id = ? order by channel, name').all(accountId);
      return rows.map(toSender);
    },
  };
}
