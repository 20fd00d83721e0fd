import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newMessageId } from '../src/store/messageIds.js';
import type Database from 'better-sqlite3';
import { openSqliteDatabase } from '../src/store/sqlite/sqliteStore.js';
import { INSERT_MESSAGE } from '../src/store/sqlite/messages/accept.js';
import { voicecodeBatch } from './voicecodeBatch.js';

/** A write whose commit is fsynced (synchronous=FULL): what the gateway does for an accepted batch (walSync.ts). */
function durably<T>(db: Database.Database, write: () => T): T {
  db.pragma('synchronous = FULL');
  try {
    return write();
  } finally {
    db.pragma('synchronous = NORMAL');
  }
}

/**
 * The floor: this process parses a 1000-message VOICECODE batch and inserts it into SQLite in one
 * transaction, with the gateway's own schema, pragmas (an fsynced commit) and insert statement, and nothing else.
 */
export function measureSqliteFloor(batches: number): { msgsPerSec: number } {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-floor-'));
  const db = openSqliteDatabase(join(dir, 'floor.db'));
  db.prepare("insert into accounts (name, currency, balance, created_at) values ('floor', 'RUB', 0, 0)").run();
  const insert = db.prepare(INSERT_MESSAGE);
  const texts = Array.from({ length: batches }, (_, b) => JSON.stringify(voicecodeBatch(1000, b, 'http://127.0.0.1:9/callback')));
  const insertBatch = db.transaction((items: any[]) => {
    const now = Date.now();
    for (const item of items) {
      insert.run({
        uuid: newMessageId(), accountId: 1, channelType: item.channelType, senderName: item.senderName, destination: item.destination,
        content: JSON.stringify(item.content), contentSearch: item.content.text.toLowerCase(), ttl: null, tags: JSON.stringify(item.tags),
        externalMessageId: null, callbackUrl: item.callbackUrl, callbackEvents: JSON.stringify(item.callbackEvents), useLocalTime: null,
        localSendTime: null, localCompletionTime: null, hours: null, days: null, shortUrl: null, totalParts: 1,
        trafficType: 'AUTHORIZE', trafficCenterId: 1, countryCode: 'RU', reserved: 30000, now,
        dueAt: now, expiresAt: now + 90_000_000, sendAfter: null, completeBy: null, timeZone: 'Europe/Moscow',
        status: 'sending', errorCode: null, sendingMethod: 'API', smppUserId: null, smppReceipts: null,
      });
    }
  });
  const started = process.hrtime.bigint();
  for (const text of texts) durably(db, () => insertBatch(JSON.parse(text)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { msgsPerSec: (batches * 1000) / seconds };
}
