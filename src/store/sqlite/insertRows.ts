import type Database from 'better-sqlite3';

/** Rows per multi-row statement: one statement call per row costs about as much as the insert itself. */
const ROWS_PER_STATEMENT = 64;

/**
 * Inserts many rows into one table with few statement calls: full chunks through a prepared
 * `insert … values (…), (…), …`, the rest one by one. Rows are inserted in the order given (ids follow it).
 */
export function sqliteInsertRows(db: Database.Database, table: string, columns: readonly string[]) {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const head = `insert into ${table} (${columns.join(', ')}) values `;
  const chunk = db.prepare(head + Array.from({ length: ROWS_PER_STATEMENT }, () => tuple).join(', '));
  const one = db.prepare(head + tuple);
  return (rows: readonly (readonly unknown[])[]): void => {
    let start = 0;
    for (; rows.length - start >= ROWS_PER_STATEMENT; start += ROWS_PER_STATEMENT) {
      chunk.run(rows.slice(start, start + ROWS_PER_STATEMENT).flat());
    }
    for (; start < rows.length; start++) one.run(rows[start]);
  };
}
