import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkDatabaseLocation, redactDatabasePassword } from '../src/store/databaseLocation.js';
import { openStore } from '../src/store/openStore.js';
import { openSqliteDatabase } from '../src/store/sqlite/sqliteStore.js';
import { UnusableDatabaseError } from '../src/store/unusableDatabaseError.js';

const folder = mkdtempSync(join(tmpdir(), 'dgw-location-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

test('a database URL is shown without its password; file paths and URLs without one are unchanged', () => {
  assert.equal(redactDatabasePassword('postgres://gw:s3cr@t@db.example:5432/gw'), 'postgres://gw:***@db.example:5432/gw');
  assert.equal(redactDatabasePassword('postgresql://gw:x@db/gw'), 'postgresql://gw:***@db/gw');
  assert.equal(redactDatabasePassword('postgres://gw@db/gw'), 'postgres://gw@db/gw');
  assert.equal(redactDatabasePassword('./data/gateway.db'), './data/gateway.db');
});

test('a new SQLite database is 0600 (and its -wal and -shm) in a folder created 0700: it holds signing secrets', async () => {
  const path = join(folder, 'new', 'deeper', 'gateway.db');
  const store = await openStore(path);
  try {
    await store.accounts.create({ name: 'acme', currency: 'RUB', balance: 0, billingEnabled: true }, 1);
    await store.accounts.setSigningSecret((await store.accounts.byName('acme'))!.id, 'whsec_c2VjcmV0');
    for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(modeOf(file), 0o600, file);
    assert.equal(modeOf(join(folder, 'new')), 0o700);
    assert.equal(modeOf(join(folder, 'new', 'deeper')), 0o700);
  } finally {
    await store.close();
  }
});

test('an existing database readable by others is tightened to its owner, with a warning on stderr', () => {
  const path = join(folder, 'old.db');
  openSqliteDatabase(path).close();
  chmodSync(path, 0o644);
  const warnings: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (warnings.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    openSqliteDatabase(path).close();
  } finally {
    process.stderr.write = write;
  }
  assert.equal(modeOf(path), 0o600);
  assert.match(warnings.join(''), /old\.db was readable by others \(mode 0644\): changed to 0600/);
  // Owner bits are kept: a file made read-only by its owner stays read-only, only others lose access.
  chmodSync(path, 0o444);
  try {
    openSqliteDatabase(path).close();
  } catch {
    // root may write a 0400 file; other users get the read-only error (test/cli/databaseChecks.test.ts)
  }
  assert.equal(modeOf(path), 0o400);
});

test('a location that is a URL of another database is refused, not taken as a file name', async () => {
  for (const location of ['mysql://x', 'sqlite://gateway.db', 'MARIADB://u:p@h/db', 'file:///tmp/x.db']) {
    assert.throws(() => checkDatabaseLocation(location), (error: Error) => error instanceof UnusableDatabaseError && /unsupported database URL scheme/.test(error.message), location);
  }
  assert.doesNotThrow(() => checkDatabaseLocation('postgresql://gw@db/gw'));
  assert.doesNotThrow(() => checkDatabaseLocation('./data/gate:way.db'));
  const cwdFile = join(folder, 'mysql:');
  await assert.rejects(openStore('mysql://x'), /unsupported database URL scheme "mysql:"/);
  assert.equal(existsSync(cwdFile) || existsSync('mysql:'), false);
});

test('a missing database is refused with create: false, and nothing is created', async () => {
  const path = join(folder, 'typo', 'gatewya.db');
  await assert.rejects(openStore(path, { create: false }), (error: Error) => error instanceof UnusableDatabaseError && /no database at .*gatewya\.db/.test(error.message));
  assert.equal(existsSync(join(folder, 'typo')), false);
});
