import { PAUSED_SENDER_TABLES, type PausedSenderRepository, type PausingChannel } from '../pausedSenders.js';
import { toPausedSender, type PausedSenderRow } from '../rows/pausedSenderRow.js';
import type { Sql } from './connection.js';

export function pgPausedSenders(sql: Sql, channel: PausingChannel): PausedSenderRepository {
  const table = sql(PAUSED_SENDER_TABLES[channel]);
  return {
    async pauseSender(senderName, reason, at) {
      // do nothing: the first pause says why the sender stopped; later trips of the breaker add nothing.
      await sql`insert into ${table} (sender_name, reason, paused_at) values (${senderName}, ${reason}, ${at}) on conflict do nothing`;
    },
    async resumeSender(senderName, { dueAt, dueBefore }) {
      return sql.begin(async (tx) => {
        await tx`
          update messages set due_at = ${dueAt}
          where status = 'sending' and due_at > ${dueAt} and due_at <= ${dueBefore} and lease_owner is null
            and direction = 'outbound' and channel_type = ${channel} and sender_name = ${senderName}`;
        return (await tx`delete from ${table} where sender_name = ${senderName}`).count > 0;
      });
    },
    async pausedSenders() {
      return (await sql<PausedSenderRow[]>`select * from ${table} order by sender_name`).map(toPausedSender);
    },
  };
}
