import type Database from 'better-sqlite3';
import type { NewInboxEntry, SandboxInboxRepository } from '../sandboxInbox.js';
import { headersText, toInboxEntry, type InboxRow } from '../rows/inboxRow.js';
import { writeTransaction } from './writeTransaction.js';

export function sqliteSandboxInbox(db: Database.Database): SandboxInboxRepository {
  const insert = db.prepare<[number, number, string, Buffer, string, string | null]>(`
    insert into sandbox_inbox (account_id, received_at, headers, body, signature, webhook_id) values (?, ?, ?, ?, ?, ?)`);
  // Everything from the (keep+1)-th newest down; nothing while the account has no more than `keep`.
  const prune = db.prepare<[{ account: number; keep: number }]>(`
    delete from sandbox_inbox where account_id = @account and id <= (
      select id from sandbox_inbox where account_id = @account order by id desc limit 1 offset @keep)`);
  const record = writeTransaction(db, (entry: NewInboxEntry, keep: number): number => {
    const { lastInsertRowid } = insert.run(
      entry.accountId,
      entry.receivedAt,
      headersText(entry.headers),
      entry.body,
      entry.signature,
      entry.webhookId,
    );
    prune.run({ account: entry.accountId, keep });
    return Number(lastInsertRowid);
  });
  const newest = db.prepare<[number, number], InboxRow>('select * from sandbox_inbox where account_id = ? order by id desc limit ?');
  const older = db.prepare<[number, number, number], InboxRow>(
    'select * from sandbox_inbox where account_id = ? and id < ? order by id desc limit ?',
  );
  const deleteAll = db.prepare<[number]>('delete from sandbox_inbox where account_id = ?');
  const clear = writeTransaction(db, (accountId: number): number => deleteAll.run(accountId).changes);

  const accountByName = db.prepare<[string], { id: number; signing_secret: string | null }>(
    'select id, signing_secret from accounts where name = ?',
  );

  return {
    async account(name) {
      const row = accountByName.get(name);
      return row ? { accountId: row.id, signingSecret: row.signing_secret } : null;
    },
    async record(entry, keep) {
      return record(entry, keep);
    },
    async list(accountId, { limit, before }) {
      const rows = before === undefined ? newest.all(accountId, limit) : older.all(accountId, before, limit);
      return rows.map(toInboxEntry);
    },
    async clear(accountId) {
      return clear(accountId);
    },
  };
}
