import type Database from 'better-sqlite3';
import type { BlocklistRepository } from '../store.js';

/** account_id 0 stands for the gateway-wide list. */
const GLOBAL = 0;

export function sqliteBlocklist(db: Database.Database): BlocklistRepository {
  return {
    async add(accountId, destination) {
      db.prepare('insert or ignore into blocklist (account_id, destination) values (?, ?)').run(accountId ?? GLOBAL, destination);
    },
    async remove(accountId, destination) {
      return db.prepare('delete from blocklist where account_id = ? and destination = ?').run(accountId ?? GLOBAL, destination).changes > 0;
    },
    async list(accountId) {
      return db
        .prepare<[number], { destination: string }>('select destination from blocklist where account_id = ? order by destination')
        .all(accountId ?? GLOBAL)
        .map((r) => r.destination);
    },
  };
}
