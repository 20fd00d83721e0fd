import type Database from 'better-sqlite3';
import type { ApprovedSender } from '../../domain/account.js';
import type { SenderApproval, SenderRepository } from '../store.js';
import { toSender, type SenderRow } from '../rows/senderRow.js';
import { writeTransaction } from './writeTransaction.js';

export function sqliteSenders(db: Database.Database): SenderRepository {
  const upsert = db.prepare(
    `insert into senders (account_id, channel, name, traffic_type, starts_at) values (?, ?, ?, ?, ?)
     on conflict (account_id, channel, name) do update set traffic_type = excluded.traffic_type, starts_at = excluded.starts_at`,
  );
  const otherOwners = db
    .prepare<[string, string, number], string>(
      'select a.name from senders s join accounts a on a.id = s.account_id where s.channel = ? and s.name = ? and s.account_id <> ? order by a.id',
    )
    .pluck();
  // One write transaction: the check and the insert cannot be split by another writer.
  const approve = writeTransaction(db, (sender: ApprovedSender, exclusive: boolean): SenderApproval => {
    if (exclusive) {
      const sharedWith = otherOwners.all(sender.channel, sender.name, sender.accountId);
      if (sharedWith.length > 0) return { approved: false, sharedWith };
    }
    upsert.run(sender.accountId, sender.channel, sender.name, sender.trafficType, sender.startsAt);
    return { approved: true };
  });
  return {
    async approve(sender, options = {}) {
      return approve(sender, options.exclusive ?? false);
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
