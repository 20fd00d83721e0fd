import type { SandboxInboxRepository } from '../sandboxInbox.js';
import { headersText, toInboxEntry, type InboxRow } from '../rows/inboxRow.js';
import { inTransaction, type Sql } from './connection.js';

/** The first key of the per-account advisory locks of a recording: any constant, the same on every node. */
const RECORD_LOCK_SPACE = 7_301_462;

export function pgSandboxInbox(sql: Sql): SandboxInboxRepository {
  return {
    async account(name) {
      const [row] = await sql<{ id: number; signing_secret: string | null }[]>`
        select id, signing_secret from accounts where name = ${name}`;
      return row ? { accountId: row.id, signingSecret: row.signing_secret } : null;
    },
    async record(entry, keep) {
      const headers = headersText(entry.headers);
      return inTransaction(sql, async (tx) => {
        // The recordings of one account one after the other, so that two nodes pruning at once cannot both keep one
        // too many (each would count the other's uncommitted row out).
        await tx`select pg_advisory_xact_lock(${RECORD_LOCK_SPACE}::int, ${entry.accountId}::int)`;
        const [row] = await tx<{ id: number }[]>`
          insert into sandbox_inbox (account_id, received_at, headers, body, signature, webhook_id)
          values (${entry.accountId}, ${entry.receivedAt}, ${headers}, ${entry.body}, ${entry.signature}, ${entry.webhookId})
          returning id`;
        await tx`
          delete from sandbox_inbox where account_id = ${entry.accountId} and id <= (
            select id from sandbox_inbox where account_id = ${entry.accountId} order by id desc limit 1 offset ${keep})`;
        return row!.id;
      });
    },
    async list(accountId, { limit, before }) {
      const rows =
        before === undefined
          ? await sql<InboxRow[]>`select * from sandbox_inbox where account_id = ${accountId} order by id desc limit ${limit}`
          : await sql<InboxRow[]>`
              select * from sandbox_inbox where account_id = ${accountId} and id < ${before} order by id desc limit ${limit}`;
      return rows.map(toInboxEntry);
    },
    async clear(accountId) {
      const result = await sql`delete from sandbox_inbox where account_id = ${accountId}`;
      return result.count;
    },
  };
}
