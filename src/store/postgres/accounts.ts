import type { Account } from '../../domain/account.js';
import { toAccount, type AccountRow } from '../rows/accountRow.js';
import type { AccountRepository, NewAccount } from '../store.js';
import type { Sql } from './connection.js';

const one = (rows: AccountRow[]): Account | null => (rows[0] ? toAccount(rows[0]) : null);

export function pgAccounts(sql: Sql): AccountRepository {
  const mustGet = (rows: AccountRow[], id: number): Account => {
    const account = one(rows);
    if (!account) throw new Error(`No account with id ${id}`);
    return account;
  };

  return {
    async create(account: NewAccount, now: number) {
      const rows = await sql<AccountRow[]>`
        insert into accounts (name, currency, balance, billing_enabled, created_at)
        values (${account.name}, ${account.currency}, ${account.balance}, ${account.billingEnabled}, ${now})
        returning *`;
      return toAccount(rows[0]!);
    },
    async list() {
      return (await sql<AccountRow[]>`select * from accounts order by name`).map(toAccount);
    },
    async byName(name) {
      return one(await sql<AccountRow[]>`select * from accounts where name = ${name}`);
    },
    async byId(id) {
      return one(await sql<AccountRow[]>`select * from accounts where id = ${id}`);
    },
    async topUp(accountId, amount) {
      // Relative update: concurrent top-ups and charges from other nodes add up, none is lost.
      const rows = await sql<AccountRow[]>`update accounts set balance = balance + ${amount} where id = ${accountId} returning *`;
      return mustGet(rows, accountId);
    },
    async setSuspended(accountId, suspended) {
      await sql`update accounts set suspended = ${suspended} where id = ${accountId}`;
    },
    async setChannelEnabled(accountId, channel, enabled) {
      // Read-modify-write of a JSON list: the row lock keeps two concurrent changes from losing one.
      await sql.begin(async (tx) => {
        const rows = await tx<AccountRow[]>`select * from accounts where id = ${accountId} for update`;
        const disabled = new Set(mustGet(rows, accountId).disabledChannels);
        if (enabled) disabled.delete(channel);
        else disabled.add(channel);
        await tx`update accounts set disabled_channels = ${JSON.stringify([...disabled].sort())} where id = ${accountId}`;
      });
    },
    async setFlashcallCodeLengths(accountId, lengths) {
      await sql`update accounts set flashcall_code_lengths = ${JSON.stringify(lengths)} where id = ${accountId}`;
    },
    async setBillingEnabled(accountId, enabled) {
      await sql`update accounts set billing_enabled = ${enabled} where id = ${accountId}`;
    },
    async setSigningSecret(accountId, secret) {
      await sql`update accounts set signing_secret = ${secret} where id = ${accountId}`;
    },
  };
}
