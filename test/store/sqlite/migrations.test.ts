import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from '../../../src/store/sqlite/schema.js';
import { sqliteCallbackOutbox } from '../../../src/store/sqlite/callbackOutbox.js';

test('migration 6 moves each delivery body to its own table: a pending delivery is claimed with its body and messages', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-migrate-'));
  const db = new Database(join(dir, 'gateway.db'));
  try {
    migrate(db, 5);
    db.prepare(`insert into accounts (id, name, currency, balance, created_at) values (1, 'a', 'RUB', 0, 0)`).run();
    const body = '[{"message_uuid":"m1","callback_event":"delivered"}]';
    db.prepare(
      `insert into callback_deliveries (id, account_id, url, body, message_uuids, created_at, next_attempt_at, attempts, first_attempt_at)
       values ('d1', 1, 'https://example.com/cb', ?, '["m1"]', 10, 20, 2, 15)`,
    ).run(body);
    migrate(db);
    const columns = (db.prepare('pragma table_info(callback_deliveries)').all() as { name: string }[]).map((c) => c.name);
    assert.ok(!columns.includes('body') && !columns.includes('message_uuids'), columns.join());
    const [claimed] = await sqliteCallbackOutbox(db).claimDue(20, 60_000, 10);
    assert.deepEqual(
      { id: claimed?.id, body: claimed?.body, messageUuids: claimed?.messageUuids, attempts: claimed?.attempts, first: claimed?.firstAttemptAt },
      { id: 'd1', body, messageUuids: ['m1'], attempts: 2, first: 15 },
    );
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
