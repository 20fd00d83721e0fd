/**
 * SQLite forms full callback deliveries in the transaction that writes their events (outboxWrites.ts): under
 * load the events of a round never wait in the outbox, and events that do wait go first into the next delivery.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sqliteStore } from '../../../src/store/sqlite/sqliteStore.js';
import { sentEvents } from '../contract/callbackOutbox.js';
import { newAccount } from '../contract/support.js';

const dir = mkdtempSync(join(tmpdir(), 'dgw-outbox-'));
const store = sqliteStore(join(dir, 'gateway.db'));
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 4, 1, 10);
const URL = 'https://example.com/cb';

test('full deliveries are formed by the apply that writes their events; the waiting ones go first into the next', async () => {
  const account = await newAccount(store);
  const sent = (count: number, at: number) => sentEvents(store, account, URL, count, at);
  const first = await sent(250, T0);
  assert.deepEqual(await store.callbacks.pendingCount(), { unbatchedEvents: 50, pendingDeliveries: 2 });
  const second = await sent(60, T0 + 10);
  assert.deepEqual(await store.callbacks.pendingCount(), { unbatchedEvents: 10, pendingDeliveries: 3 });
  const claimed = await store.callbacks.claimDue(T0 + 10, 10_000, 10);
  const bodies = claimed.map((d) => (JSON.parse(d.body) as { message_uuid: string }[]).map((e) => e.message_uuid));
  assert.deepEqual(bodies.sort((a, b) => a[0]!.localeCompare(b[0]!)), [first.slice(0, 100), first.slice(100, 200), [...first.slice(200), ...second.slice(0, 50)]]);
});
