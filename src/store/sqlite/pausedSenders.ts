import type Database from 'better-sqlite3';
import { PAUSED_SENDER_TABLES, type PausedSenderRepository, type PausingChannel } from '../pausedSenders.js';
import { toPausedSender, type PausedSenderRow } from '../rows/pausedSenderRow.js';
import { writeTransaction } from './writeTransaction.js';

export function sqlitePausedSenders(db: Database.Database, channel: PausingChannel): PausedSenderRepository {
  const table = PAUSED_SENDER_TABLES[channel];
  // do nothing: the first pause says why the sender stopped; later trips of the breaker add nothing.
  const insertPause = db.prepare(`insert into ${table} (sender_name, reason, paused_at) values (?, ?, ?) on conflict do nothing`);
  const pause = writeTransaction(db, (senderName: string, reason: string, at: number) => {
    insertPause.run(senderName, reason, at);
  });
  const deletePause = db.prepare(`delete from ${table} where sender_name = ?`);
  const bringForward = db.prepare(`
    update messages set due_at = @dueAt
    where status = 'sending' and due_at > @dueAt and due_at <= @dueBefore and lease_owner is null
      and direction = 'outbound' and channel_type = @channel and sender_name = @senderName`);
  const resume = writeTransaction(db, (senderName: string, waiting: { dueAt: number; dueBefore: number }): boolean => {
    bringForward.run({ senderName, channel, ...waiting });
    return deletePause.run(senderName).changes > 0;
  });
  const paused = db.prepare<[], PausedSenderRow>(`select * from ${table} order by sender_name`);
  return {
    async pauseSender(senderName, reason, at) {
      pause(senderName, reason, at);
    },
    async resumeSender(senderName, waiting) {
      return resume(senderName, waiting);
    },
    async pausedSenders() {
      return paused.all().map(toPausedSender);
    },
  };
}
