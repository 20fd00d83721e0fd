/**
 * SQLite plans reports that need only reads before it takes the write lock (applyReports.ts); the transaction
 * writes a message only if it is still as planned, and plans again inside the lock when it is not.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type Database from 'better-sqlite3';
import { sqliteApplyReports } from '../../../src/store/sqlite/engine/applyReports.js';
import { openSqliteDatabase, sqliteStore } from '../../../src/store/sqlite/sqliteStore.js';
import { acceptOne, draft, mustAccount, mustGet, newAccount, report, T0 } from '../contract/support.js';

const dir = mkdtempSync(join(tmpdir(), 'dgw-planned-'));
const path = join(dir, 'gateway.db');
const store = sqliteStore(path);
const engineSide = openSqliteDatabase(path);
const otherWriter = openSqliteDatabase(path);
after(async () => {
  engineSide.close();
  otherWriter.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const URL = 'https://example.com/cb';

async function acceptedMessage() {
  const account = await newAccount(store);
  const uuid = await acceptOne(store, account.id, draft({ channelType: 'VK', callbackUrl: URL, callbackEvents: ['sent'] }), T0, { price: 7 });
  return { account, uuid };
}

function applyWith(beforeWrite: (db: Database.Database) => void) {
  let calls = 0;
  const apply = sqliteApplyReports(engineSide, {
    beforeWrite: () => {
      calls += 1;
      beforeWrite(otherWriter);
    },
  });
  return { apply, calls: () => calls };
}

test('a plan made outside the lock is written when the message is unchanged', async () => {
  const { account, uuid } = await acceptedMessage();
  const { apply, calls } = applyWith(() => {});
  apply([report.sent(uuid, T0 + 1000, 7)], T0 + 1000);
  assert.equal(calls(), 1, 'planned before the write');
  assert.equal((await mustGet(store, account.id, uuid)).status, 'sent');
  assert.deepEqual(await store.callbacks.pendingCount(), { unbatchedEvents: 1, pendingDeliveries: 0 });
  assert.equal((await mustAccount(store, account.id)).reserved, 0);
});

test('a message changed between the plan and the write is planned again under the lock: the other writer wins', async () => {
  const { account, uuid } = await acceptedMessage();
  const before = await store.callbacks.pendingCount();
  // As a stop does to a message it finds waiting: unsent, reservation returned.
  const { apply } = applyWith((db) => {
    db.prepare(`update messages set status = 'unsent', error_code = 606, reserved = 0 where uuid = ?`).run(uuid);
    db.prepare('update accounts set reserved = reserved - 7 where id = ?').run(account.id);
  });
  apply([report.sent(uuid, T0 + 1000, 7)], T0 + 1000);
  const message = await mustGet(store, account.id, uuid);
  assert.deepEqual([message.status, message.errorCode, message.price], ['unsent', 606, null]);
  const money = await mustAccount(store, account.id);
  assert.deepEqual([money.balance, money.reserved], [account.balance, 0], 'nothing charged');
  assert.deepEqual(await store.callbacks.pendingCount(), before, 'no sent callback');
  const timeline = await store.messages.timeline(account.id, uuid);
  const sent = timeline?.filter((e) => e.kind === 'sent') ?? [];
  assert.equal(sent.length, 1, 'one timeline row: the planned one was rolled back');
  assert.equal(sent[0]!.detail?.['ignored'], 'status is already unsent');
});

test('the state a claim kept is not trusted: a message changed after its claim is planned from its row', async () => {
  const { account, uuid } = await acceptedMessage();
  const [claimed] = await store.engine.claimDue('worker-1', T0 + 500, 60_000, 10);
  assert.equal(claimed?.uuid, uuid);
  otherWriter.prepare(`update messages set status = 'unsent', error_code = 606, reserved = 0 where uuid = ?`).run(uuid);
  otherWriter.prepare('update accounts set reserved = reserved - 7 where id = ?').run(account.id);
  await store.engine.apply([report.sent(uuid, T0 + 1000, 7)], T0 + 1000);
  const message = await mustGet(store, account.id, uuid);
  assert.deepEqual([message.status, message.errorCode, message.price], ['unsent', 606, null]);
  assert.equal((await mustAccount(store, account.id)).balance, account.balance, 'nothing charged');
});
