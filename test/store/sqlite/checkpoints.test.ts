/**
 * The checkpoint thread (src/store/sqlite/checkpointer.ts): the WAL is copied into the database file by a
 * connection of its own; its last pass waits for the write lock, so that the checkpoint completes and the
 * next writer starts the WAL over.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createCheckpointer } from '../../../src/store/sqlite/checkpointer.js';
import { WriteLock } from '../../../src/store/sqlite/writeLock.js';
import { cli, startServe, stopProcess } from '../../support/serveProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'dgw-checkpoints-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A WAL database whose writer never checkpoints by itself. */
function walDatabase(name: string): Database.Database {
  const db = new Database(join(dir, name));
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('create table t (id integer primary key, v text)');
  return db;
}

const write = (db: Database.Database, rows: number) =>
  db.transaction(() => {
    const insert = db.prepare('insert into t (v) values (?)');
    for (let i = 0; i < rows; i++) insert.run('x'.repeat(200));
  })();

/** Frames in the WAL now (a PASSIVE checkpoint reports them; that it also copies them does not matter here). */
function walFrames(db: Database.Database): number {
  return (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;
}

describe('checkpointer', () => {
  it('copies the whole WAL into the database file; the next write starts the WAL over', () => {
    const db = walDatabase('copy.db');
    const checker = new Database(join(dir, 'copy.db'));
    write(db, 5_000);
    const before = statSync(join(dir, 'copy.db')).size;
    const frames = createCheckpointer(checker, new WriteLock()).run();
    assert.ok(frames > 100, `the WAL held ${frames} frames`);
    assert.ok(statSync(join(dir, 'copy.db')).size > before, 'the rows are in the database file');
    write(db, 10);
    assert.ok(walFrames(db) < 20, 'the WAL started over');
    db.close();
    checker.close();
  });

  it('with nothing written since the last checkpoint, does nothing and never waits for the write lock', () => {
    const db = walDatabase('idle.db');
    write(db, 1_000);
    const lock = new WriteLock();
    const checkpointer = createCheckpointer(db, lock);
    checkpointer.run();
    // Held by this thread: a checkpoint that asked for it would nest, so make any ask fail loudly.
    const run = lock.run.bind(lock);
    lock.run = () => assert.fail('asked for the write lock with nothing to copy');
    checkpointer.run();
    lock.run = run;
    db.close();
  });

  it('its last pass waits for the write lock another thread holds', async () => {
    const db = walDatabase('locked.db');
    write(db, 2_000);
    const lock = new WriteLock();
    const released = new Int32Array(new SharedArrayBuffer(4));
    // Another thread takes the lock through WriteLock itself, holds it 300 ms, and marks the release just before it.
    const holder = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       import(workerData.writeLock).then(({ WriteLock }) => {
         new WriteLock(workerData.lock).run(() => {
           parentPort.postMessage('locked');
           Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
           Atomics.store(workerData.released, 0, 1);
         });
       });`,
      { eval: true, workerData: { lock: lock.buffer, released, writeLock: new URL('../../../src/store/sqlite/writeLock.js', import.meta.url).href } },
    );
    await new Promise((resolve) => holder.once('message', resolve));
    createCheckpointer(db, lock).run();
    assert.equal(Atomics.load(released, 0), 1, 'returned only after the other thread let go of the lock');
    await holder.terminate();
    db.close();
  });
});

describe('serve on SQLite', () => {
  it('copies accepted messages into the database file while it runs (the checkpoint thread)', async () => {
    const db = join(dir, 'serve', 'gateway.db');
    cli(['migrate', '--create', '--db', db]); // admin commands refuse a missing database
    cli(['accounts', 'create', 'cp', '--balance', '1000', '--db', db]);
    const auth = `Basic ${cli(['tokens', 'create', '--account', 'cp', '--type', '1', '--db', db])}`;
    const configFile = join(dir, 'serve.json');
    writeFileSync(configFile, JSON.stringify({ simulator: { deliveryDelayMs: 60_000 } }));
    const { child, origin } = await startServe(['--db', db, '--port', '0', '--config', configFile]);
    try {
      const before = statSync(db).size;
      const body = Array.from({ length: 500 }, (_, i) => ({
        channelType: 'VOICECODE',
        senderName: 'voicecode',
        destination: `7926${String(1_000_000 + i)}`,
        content: { contentType: 'text', text: 'Код авторизации от cp: 1234' },
      }));
      const response = await fetch(`${origin}/api/v1/message`, { method: 'POST', headers: { authorization: auth }, body: JSON.stringify(body) });
      assert.equal(response.status, 200);
      // 500 rows are far below the writers' own checkpoint threshold: only the checkpoint thread copies them.
      let grown = false;
      // A checkpoint every 250 ms; 15 s only bounds a hang (a loaded machine delays the thread, it does not skip it).
      for (let i = 0; i < 300 && !grown; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        grown = statSync(db).size > before + 100_000;
      }
      assert.ok(grown, 'the database file grew while the gateway ran');
    } finally {
      await stopProcess(child);
    }
  });
});
