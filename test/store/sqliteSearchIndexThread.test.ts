import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { nextSearchIndexPause } from '../../src/store/sqlite/searchIndexPace.js';
import { cli, startServe, stopProcess } from '../support/serveProcess.js';

/**
 * Issue 10 item 3(c), SQLite: `serve` keeps the trigram index of the content and tags filters up to date in a thread
 * of its own, off the acceptance path. Messages accepted by the API end up in the index (so a content or tags query
 * no longer scans them), and the answers are the same before and after they are indexed.
 */
function indexState(database: string): { through: number; newest: number } {
  const db = new Database(database, { readonly: true, fileMustExist: true });
  try {
    const through = db.prepare('select indexed_through from message_search_state').pluck().get() as number;
    const newest = (db.prepare('select max(rowid) from messages').pluck().get() as number | null) ?? 0;
    return { through, newest };
  } finally {
    db.close();
  }
}

it('the search index pace: slices while messages arrive, faster while catching up, slow when up to date; at most a tenth of the time', () => {
  const arriving = nextSearchIndexPause(500, true, 1);
  const catchingUp = nextSearchIndexPause(500, false, 1);
  const upToDate = nextSearchIndexPause(0, false, 1);
  assert.ok(catchingUp < arriving && arriving <= upToDate, `${catchingUp} < ${arriving} <= ${upToDate}`);
  assert.equal(nextSearchIndexPause(0, true, 1), upToDate, 'nothing to index: no hurry, whatever arrives');
  // A slow slice (a loaded machine, long texts) is followed by nine times its length asleep, arriving or not.
  assert.equal(nextSearchIndexPause(500, false, 40), 360);
  assert.equal(nextSearchIndexPause(500, true, 40), 360);
});

it('serve (SQLite) indexes accepted messages in its search index thread; filtered answers are the same before and after', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-search-index-'));
  const db = join(dir, 'gateway.db');
  cli(['migrate', '--create', '--db', db]);
  cli(['accounts', 'create', 'search', '--balance', '100000', '--db', db]);
  cli(['senders', 'approve', 'Shop', '--account', 'search', '--channel', 'SMS', '--db', db]);
  const auth = `Basic ${cli(['tokens', 'create', '--account', 'search', '--type', '1', '--db', db])}`;
  const serve = await startServe(['--db', db, '--port', '0']);
  const total = async (query: string) =>
    Number((await fetch(`${serve.origin}/api/v1/message?per_page=1&${query}`, { headers: { authorization: auth } })).headers.get('x-total-count'));
  try {
    const items = Array.from({ length: 1200 }, (_, i) => ({
      channelType: 'SMS',
      senderName: 'Shop',
      destination: `792610${String(i).padStart(5, '0')}`,
      content: `Parcel ${i} is on its way`,
      tags: i % 3 === 0 ? ['third'] : ['rest'],
    }));
    for (let at = 0; at < items.length; at += 400) {
      const answer = await fetch(`${serve.origin}/api/v1/message`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify(items.slice(at, at + 400)),
      });
      assert.equal(answer.status, 200);
    }
    const queries = ['content=PARCEL%2011%20', 'content=is%20on', 'tags=third', 'tags=third&content=parcel%201'];
    const before = await Promise.all(queries.map(total));
    assert.deepEqual(before.slice(0, 3), [1, 1200, 400]);

    const deadline = Date.now() + 30_000;
    let state = indexState(db);
    while (state.through < state.newest) {
      assert.ok(Date.now() < deadline, `the index reached rowid ${state.through} of ${state.newest} in 30 s`);
      await sleep(100);
      state = indexState(db);
    }
    assert.ok(state.newest >= 1200);
    assert.deepEqual(await Promise.all(queries.map(total)), before, 'the same answers once every message is indexed');
  } finally {
    await stopProcess(serve.child);
    rmSync(dir, { recursive: true, force: true });
  }
});
