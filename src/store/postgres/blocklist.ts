import type { BlocklistRepository } from '../store.js';
import type { Sql } from './connection.js';

/** account_id 0 stands for the gateway-wide list. */
const GLOBAL = 0;

export function pgBlocklist(sql: Sql): BlocklistRepository {
  return {
    async add(accountId, destination) {
      await sql`insert into blocklist (account_id, destination) values (${accountId ?? GLOBAL}, ${destination}) on conflict do nothing`;
    },
    async remove(accountId, destination) {
      const result = await sql`delete from blocklist where account_id = ${accountId ?? GLOBAL} and destination = ${destination}`;
      return result.count > 0;
    },
    async list(accountId) {
      const rows = await sql<{ destination: string }[]>`
        select destination from blocklist where account_id = ${accountId ?? GLOBAL} order by destination`;
      return rows.map((r) => r.destination);
    },
  };
}
