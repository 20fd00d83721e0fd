import type Database from 'better-sqlite3';
import type { SenderRepository } from '../store.js';
import { toSender, type SenderRow } from '../rows/senderRow.js';

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
