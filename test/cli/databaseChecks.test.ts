import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { LATEST_SCHEMA_VERSION as PG_LATEST } from '../../src/store/postgres/schema.js';
import { LATEST_SCHEMA_VERSION as SQLITE_LATEST } from '../../src/store/sqlite/schema.js';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from '../support/postgresDatabase.js';
import { createdDatabase, runCli, STACK_LINE, tempDir, type CliResult } from './cliHarness.js';

function assertRefused(result: CliResult, message: RegExp): void {
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, STACK_LINE);
}

test('admin commands refuse a missing database (a typo of --db) and create nothing', { timeout: 180_000 }, async () => {
  const dir = tempDir();
  const typo = join(dir, 'dat', 'gatewya.db');
  for (const args of [['accounts', 'create', 'acme'], ['accounts', 'list'], ['senders', 'list'], ['tokens', 'list', '--account', 'acme']]) {
    assertRefused(await runCli([...args, '--db', typo]), /no database at .*dat\/gatewya\.db \(a typo\?\).*migrate --create/);
  }
  assertRefused(await runCli(['accounts', 'list'], { DGW_DATABASE_URL: typo }), /no database at/);
  assert.deepEqual(readdirSync(dir), []);
});

test('migrate creates a database only at the default path or with --create', { timeout: 180_000 }, async () => {
  const dir = tempDir();
  const elsewhere = join(dir, 'prod', 'gateway.db');
  assertRefused(await runCli(['migrate', '--db', elsewhere]), /no database at/);
  assert.equal(existsSync(join(dir, 'prod')), false);
  const created = await runCli(['migrate', '--create', '--db', elsewhere]);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, new RegExp(`schema is at version ${SQLITE_LATEST}`));
  assert.equal((await runCli(['accounts', 'create', 'acme', '--db', elsewhere])).code, 0);
  // The quick start needs no flag: ./data/gateway.db, relative to the working directory.
  const fresh = tempDir();
  const atDefault = await runCli(['migrate'], {}, { cwd: fresh });
  assert.equal(atDefault.code, 0, atDefault.stderr);
  assert.ok(existsSync(join(fresh, 'data', 'gateway.db')));
});

test('migrate --db mysql://x is refused and creates no file named "mysql:"', { timeout: 180_000 }, async () => {
  const dir = tempDir();
  for (const command of [['migrate'], ['accounts', 'list'], ['serve', '--port', '0']]) {
    assertRefused(await runCli([...command, '--db', 'mysql://x']), /unsupported database URL scheme "mysql:".*SQLite file path or a postgres:\/\/ URL/);
  }
  assertRefused(await runCli(['migrate', '--create', '--db', 'mysql://u:secret@h/x'], {}, { cwd: dir }), /mysql:\/\/u:secret@h\/x|unsupported/);
  assert.deepEqual(readdirSync(dir), []);
});

test('SQLite: a database whose schema is newer than this code is refused, untouched', { timeout: 180_000 }, async () => {
  const db = createdDatabase(join(tempDir(), 'gateway.db'));
  const raw = new Database(db);
  raw.prepare('insert into schema_migrations (version, applied_at) values (?, ?)').run(SQLITE_LATEST + 1, Date.now());
  raw.close();
  const newer = new RegExp(`schema is at version ${SQLITE_LATEST + 1}, newer than this direct-gateway knows \\(${SQLITE_LATEST}\\)`);
  for (const command of [['accounts', 'list'], ['migrate'], ['serve', '--port', '0']]) assertRefused(await runCli([...command, '--db', db]), newer);
});

test('PostgreSQL: a database whose schema is newer than this code is refused', { skip: SKIP_WITHOUT_POSTGRES, timeout: 180_000 }, async () => {
  const database = await createTestDatabase('dgw_newer');
  try {
    assert.equal((await runCli(['migrate', '--db', database.url])).code, 0);
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    await sql`insert into schema_migrations (version, applied_at) values (${PG_LATEST + 1}, ${Date.now()})`;
    await sql.end();
    const newer = new RegExp(`schema is at version ${PG_LATEST + 1}, newer than this direct-gateway knows \\(${PG_LATEST}\\)`);
    for (const command of [['migrate'], ['accounts', 'list'], ['serve', '--port', '0']]) assertRefused(await runCli([...command, '--db', database.url]), newer);
  } finally {
    await database.drop();
  }
});

test('a database the user cannot write is refused with what to change, not a raw SqliteError', { timeout: 180_000 }, async () => {
  const dir = tempDir();
  const db = createdDatabase(join(dir, 'gateway.db'));
  // root writes any file whatever its mode: then the CLI runs as nobody, for whom a root-owned 0644 file in a
  // 0755 folder is read-only.
  const asRoot = process.getuid?.() === 0;
  chmodSync(dir, 0o755);
  chmodSync(db, asRoot ? 0o644 : 0o444);
  const as = asRoot ? { uid: 65534, gid: 65534 } : {};
  for (const command of [['accounts', 'list'], ['migrate'], ['serve', '--port', '0']]) {
    const result = await runCli([...command, '--db', db], {}, as);
    assertRefused(result, /database .*gateway\.db cannot be opened for writing .*give the user that runs it write access to the file and its folder/);
    assert.doesNotMatch(result.stderr, /SqliteError/);
  }
});
