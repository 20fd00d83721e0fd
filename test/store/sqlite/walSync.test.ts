/**
 * walSync: an accepted batch is answered only after the WAL that holds it was flushed; answers waiting at the
 * same time share a flush, and a commit made while a flush runs waits for the next one.
 */
import assert from 'node:assert/strict';
import { fsync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { walSync } from '../../../src/store/sqlite/walSync.js';

const dir = mkdtempSync(join(tmpdir(), 'dgw-walsync-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A flush the test finishes by hand. */
function manualFlushes() {
  const pending: (() => void)[] = [];
  const flushFile = ((fd: number, done: (error: NodeJS.ErrnoException | null) => void) => {
    pending.push(() => fsync(fd, done));
  }) as typeof fsync;
  return { flushFile, pending };
}

const settled = async (promise: Promise<void>) => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

test('resolves only once the flush is done; calls during a flush share the next one', async () => {
  const path = join(dir, 'a.db');
  writeFileSync(`${path}-wal`, 'frames');
  const { flushFile, pending } = manualFlushes();
  const wal = walSync(path, flushFile);
  const first = wal.sync();
  assert.equal(pending.length, 1);
  const second = wal.sync();
  const third = wal.sync();
  assert.equal(pending.length, 1, 'no second flush while the first runs');
  assert.equal(await settled(first), false, 'not before the flush is done');
  pending.shift()!();
  await first;
  assert.equal(await settled(second), false, 'a commit made during a flush is not covered by it');
  assert.equal(pending.length, 1, 'the calls made during the first flush share one more');
  pending.shift()!();
  await Promise.all([second, third]);
  assert.equal(pending.length, 0);
  wal.close();
});

test('a failed flush fails the answers that waited for it; the next call flushes again', async () => {
  const path = join(dir, 'b.db');
  writeFileSync(`${path}-wal`, 'frames');
  let fail = true;
  const flushFile = ((fd: number, done: (error: NodeJS.ErrnoException | null) => void) =>
    fail ? setImmediate(() => done(Object.assign(new Error('EIO'), { code: 'EIO' }))) : fsync(fd, done)) as typeof fsync;
  const wal = walSync(path, flushFile);
  await assert.rejects(wal.sync(), /EIO/);
  fail = false;
  await wal.sync();
  wal.close();
});

test('an in-memory database has no WAL to flush', async () => {
  const wal = walSync(':memory:', (() => assert.fail('flushed')) as unknown as typeof fsync);
  await wal.sync();
  wal.close();
});
