import Database from 'better-sqlite3';
import postgres from 'postgres';
import { isPostgresUrl } from '../../src/store/openStore.js';

/** How the clones of a message differ: clone i (1-based) is created `i` ms after the original, newest last. */
export interface CloneShape {
  count: number;
  /** The text of clone i (SQL over the integer column `i`; the lowercase copy is made from it). */
  textSql: string;
  /** The tags of clone i, a JSON array (SQL over `i`). */
  tagsSql: string;
}

/**
 * A large account made in seconds: one message sent through the API, then `count` copies of its row made by
 * SQL in the database itself (SQLite or PostgreSQL), each with its own uuid, creation time, text and tags.
 * The clones are sending and not due (due_at null), so no engine round picks them up.
 */
export async function cloneMessage(database: string, uuid: string, shape: CloneShape): Promise<void> {
  if (isPostgresUrl(database)) await clonePostgres(database, uuid, shape);
  else cloneSqlite(database, uuid, shape);
}

const OVERRIDES = (uuidSql: string, textSql: string, tagsSql: string, quoteSql: (text: string) => string): Record<string, string> => ({
  uuid: uuidSql,
  content: quoteSql(textSql),
  content_search: `lower(${textSql})`,
  tags: tagsSql,
  created_at: 'created_at + i',
  status_at: 'status_at + i',
  message_time: 'message_time + i',
  due_at: 'null',
});

function cloneSqlite(path: string, uuid: string, { count, textSql, tagsSql }: CloneShape): void {
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    const columns = (db.prepare('select name from pragma_table_info(?)').pluck().all('messages') as string[]);
    const overrides = OVERRIDES(`printf('01900000-0000-7000-8000-%012x', i)`, textSql, tagsSql, (t) => `json_quote(${t})`);
    const values = columns.map((c) => overrides[c] ?? c);
    db.prepare(
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < @count)
       insert into messages (${columns.join(', ')}) select ${values.join(', ')} from messages, n where uuid = @uuid`,
    ).run({ count, uuid });
  } finally {
    db.close();
  }
}

async function clonePostgres(url: string, uuid: string, { count, textSql, tagsSql }: CloneShape): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const columns = (await sql<{ name: string }[]>`
      select column_name as name from information_schema.columns where table_name = 'messages' and table_schema = current_schema()
      order by ordinal_position`).map((r) => r.name);
    const overrides = OVERRIDES(
      `('01900000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid`,
      textSql,
      `(${tagsSql})::jsonb`,
      (t) => `to_json(${t})::text`,
    );
    const values = columns.map((c) => overrides[c] ?? c);
    await sql.unsafe(
      `insert into messages (${columns.join(', ')}) select ${values.join(', ')} from messages, generate_series(1, $1::integer) as n(i) where uuid = $2`,
      [count, uuid],
    );
    await sql`analyze messages`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
