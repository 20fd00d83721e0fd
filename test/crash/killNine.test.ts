import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { startCountingReceiver } from '../support/callbackReceiverProcess.js';
import { until } from '../support/processHarness.js';
import { cli, startServe, stopProcess } from '../support/serveProcess.js';

const MESSAGES = 20_000;
const BATCH = 1_000;

async function post(origin: string, auth: string, path: string, body?: unknown) {
  const response = await fetch(origin + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, total: Number(response.headers.get('x-total-count')), body: (await response.json()) as any };
}

test('kill -9 mid-flight: every accepted message reaches a final status, every due callback arrives', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-crash-'));
  const db = join(dir, 'gateway.db');
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ simulator: { deliveryDelayMs: 400 }, callbacks: { allowPrivateTargets: true, batchWaitMs: 50 } }));
  const receiver = await startCountingReceiver();
  cli(['migrate', '--create', '--db', db]); // admin commands refuse a missing database
  cli(['accounts', 'create', 'crash', '--balance', '1000000', '--db', db]);
  const auth = `Basic ${cli(['tokens', 'create', '--account', 'crash', '--type', '1', '--db', db])}`;
  const args = ['--db', db, '--port', '0', '--config', configFile];
  try {
    const first = await startServe(args);
    const uuids: string[] = [];
    for (let b = 0; b < MESSAGES / BATCH; b++) {
      const items = Array.from({ length: BATCH }, (_, i) => ({
        channelType: 'VOICECODE',
        senderName: 'voicecode',
        // Ends in 5555: not a simulator magic number, so every message is delivered.
        destination: `79${String(b * BATCH + i).padStart(5, '0')}5555`,
        content: { contentType: 'text', text: 'Код авторизации от crash: 1234' },
        callbackUrl: receiver.url,
        callbackEvents: ['sent', 'delivered'],
      }));
      const response = await post(first.origin, auth, '/api/v1/message', items);
      assert.equal(response.status, 200);
      for (const item of response.body.items) uuids.push(item.messageUuid);
    }
    assert.equal(uuids.filter(Boolean).length, MESSAGES);
    await stopProcess(first.child, 'SIGKILL');

    // Prove the kill landed mid-flight: some messages were not final yet.
    const probe = new Database(db, { readonly: true });
    const unfinished = (probe.prepare(`select count(*) n from messages where status in ('sending', 'sent')`).get() as { n: number }).n;
    probe.close();
    assert.ok(unfinished > 0, 'the kill should land while messages are in flight');

    const second = await startServe(args);
    try {
      await until('no message is left sending or sent', async () => (await post(second.origin, auth, '/api/v1/message?status=sending&status=sent&per_page=1')).total === 0, 60_000, 100);
      const delivered = await post(second.origin, auth, '/api/v1/message?status=delivered&per_page=1');
      assert.equal(delivered.total, MESSAGES);
      await until('every sent and delivered callback arrived', () => uuids.every((u) => receiver.seen.get(u)?.has('delivered') && receiver.seen.get(u)?.has('sent')), 60_000, 100);
    } finally {
      await stopProcess(second.child);
    }
  } finally {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
