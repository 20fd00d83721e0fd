import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { sqliteInsertRows } from '../../../src/store/sqlite/insertRows.js';

test('many rows go in whole, in the order given: full multi-row statements, then the rest one by one', () => {
  const db = new Database(':memory:');
  db.exec('create table t (id integer primary key, a text, b integer)');
  const insert = sqliteInsertRows(db, 't', ['a', 'b']);
  for (const count of [0, 1, 63, 64, 65, 150]) {
    db.exec('delete from t');
    const rows = Array.from({ length: count }, (_, i) => [`row ${i}`, i] as const);
    insert(rows);
    assert.deepEqual(db.prepare('select a, b from t order by id').raw().all(), rows.map((r) => [...r]), `${count} rows`);
  }
  db.close();
});
