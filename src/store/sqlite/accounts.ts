import type Database from 'better-sqlite3';
import { writeTransaction } from './writeTransaction.js';
import type { Account } from '../../domain/account.js';
import type { Channel } from '../../domain/channels.js';
import { toAccount, type AccountRow } from '../rows/accountRow.js';
import type { AccountRepository, NewAccount } from '../store.js';

export function sqliteAccounts(db: Database.Database): AccountRepository {
  const byId = db.prepare<[number], AccountRow>('select * from accounts where id = ?');
  const byName = db.prepare<[string], AccountRow>('select * from accounts where name = ?');
  const mustGet = (id: number): Account => {
    const row = byId.get(id);
    if (!row) throw new Error(`No account with id ${id}`);
    return toAccount(row);
  };
  const setChannels = writeTransaction(db, (accountId: number, channel: Channel, enabled: boolean) => {
    const disabled = new Set(mustGet(accountId).disabledChannels);
    if (enabled) disabled.delete(channel);
    else disabled.add(channel);
    db.prepare('update accounts set disabled_channels = ? where id = ?').run(JSON.stringify([...disabled].sort()), accountId);
  });

  return {
    async create(account: NewAccount, now: number) {
      const { lastInsertRowid } = db
        .prepare('insert into accounts (name, currency, balance, billing_enabled, created_at) values (?, ?, ?, ?, ?)')
        .run(account.name, account.currency, account.balance, account.billingEnabled ? 1 : 0, now);
      return mustGet(Number(lastInsertRowid));
    },
    async list() {
      return db.prepare<[], AccountRow>('select * from accounts order by name').all().map(toAccount);
    },
    async byName(name) {
      const row = byName.get(name);
      return row ? toAccount(row) : null;
    },
    async byId(id) {
      const row = byId.get(id);
      return row ? toAccount(row) : null;
    },
    async topUp(accountId, amount) {
      db.prepare('update accounts set balance = balance + ? where id = ?').run(amount, accountId);
      return mustGet(accountId);
    },
    async setSuspended(accountId, suspended) {
      db.prepare('update accounts set suspended = ? where id = ?').run(suspended ? 1 : 0, accountId);
    },
    async setChannelEnabled(accountId, channel, enabled) {
      setChannels(accountId, channel, enabled);
    },
    async setFlashcallCodeLengths(accountId, lengths) {
      db.prepare('update accounts set flashcall_code_lengths = ? where id = ?').run(JSON.stringify(lengths), accountId);
    },
    async setSigningSecret(accountId, secret) {
      db.prepare('update accounts set signing_secret = ? where id = ?').run(secret, accountId);
    },
    async setBillingEnabled(accountId, enabled) {
      db.prepare('update accounts set billing_enabled = ? where id = ?').run(enabled ? 1 : 0, accountId);
    },
  };
}
