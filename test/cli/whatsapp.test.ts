/** `direct-gateway whatsapp …`: the configured numbers (secrets never printed), pauses, and the template registry. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { senderRow, TEMPLATES, WA } from '../support/whatsappGateway.js';
import { startWhatsAppStandIn, type WhatsAppStandIn } from '../support/whatsappStandIn.js';
import { startServe, stopProcess } from '../support/serveProcess.js';
import { freshDatabase, inspect, STACK_LINE, tempDir } from './cliHarness.js';

let wa: WhatsAppStandIn;
before(async () => {
  wa = await startWhatsAppStandIn({
    accessToken: WA.accessToken,
    appSecret: WA.appSecret,
    phoneNumbers: [{ phoneNumberId: WA.phoneNumberId, displayPhoneNumber: WA.displayPhoneNumber, wabaId: WA.wabaId }],
    templates: { [WA.wabaId]: TEMPLATES },
  });
});
after(() => wa.close());

function configWith(senders: unknown[]): string {
  const file = join(tempDir(), 'config.json');
  writeFileSync(file, JSON.stringify({ whatsapp: { graphBase: wa.baseUrl, senders } }));
  return file;
}

test('senders list shows each number and its state, never a secret', async () => {
  const { db, cli } = freshDatabase();
  const config = configWith([senderRow({ accessToken: 'EAAsecret-token-value-1234' })]);
  const listed = await cli('whatsapp', 'senders', 'list', '--config', config);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`${WA.senderName}.*${WA.phoneNumberId}.*${WA.wabaId}.*v23\\.0.*set \\(26 chars\\).*sending`));
  for (const secret of ['EAAsecret', 'token-value', WA.appSecret, WA.verifyToken]) assert.doesNotMatch(listed.stdout + listed.stderr, new RegExp(secret));

  await inspect(db, (store) => store.whatsapp.pauseSender(WA.senderName, 'HTTP 401 code 190: token expired', Date.UTC(2026, 11, 1)));
  assert.match((await cli('whatsapp', 'senders', 'list', '--config', config)).stdout, /PAUSED since 2026-12-01T00:00:00Z: HTTP 401 code 190: token expired/);
  const resumed = await cli('whatsapp', 'senders', 'resume', WA.senderName, '--config', config);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal((await inspect(db, (store) => store.whatsapp.pausedSenders())).length, 0);
  const again = await cli('whatsapp', 'senders', 'resume', WA.senderName, '--config', config);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /is not paused/);
  assert.doesNotMatch(again.stderr, STACK_LINE);
});

test('templates sync reads every page of the WABA into the registry; list shows it; a bad token is an error, not a crash', async () => {
  const { db, cli } = freshDatabase();
  const config = configWith([senderRow()]);
  assert.match((await cli('whatsapp', 'templates', 'list', '--config', config)).stderr, /no templates/);
  const synced = await cli('whatsapp', 'templates', 'sync', '--config', config);
  assert.equal(synced.code, 0, synced.stderr);
  assert.equal(synced.stdout, `WABA ${WA.wabaId}: ${TEMPLATES.length} templates\n`);
  const stored = await inspect(db, (store) => store.whatsapp.templates(WA.wabaId));
  assert.deepEqual(
    stored.map((t) => [t.name, t.status, t.category, t.bodyParameters]),
    [['login_code', 'APPROVED', 'AUTHENTICATION', 1], ['order_shipped', 'APPROVED', 'UTILITY', 2], ['summer_sale', 'PAUSED', 'MARKETING', 0], ['welcome', 'APPROVED', 'MARKETING', 0]],
  );
  assert.match((await cli('whatsapp', 'templates', 'list', '--config', config)).stdout, /order_shipped\s+en_US\s+APPROVED\s+UTILITY\s+2\s+880001/);

  const wrong = await cli('whatsapp', 'templates', 'sync', '--config', configWith([senderRow({ accessToken: 'not-the-token' })]));
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /WABA .*HTTP 401 code 190/);
  assert.doesNotMatch(wrong.stderr, /not-the-token/);
  assert.doesNotMatch(wrong.stderr, STACK_LINE);
  const unknown = await cli('whatsapp', 'templates', 'sync', '--waba', '999', '--config', config);
  assert.match(unknown.stderr, /no whatsapp.senders row has wabaId 999/);
});

test('a WABA of more templates than one page holds is synced whole, following the cursors', async () => {
  const many = Array.from({ length: 230 }, (_, i) => ({ id: String(900_000 + i), name: `t${String(i).padStart(3, '0')}`, language: 'en_US', status: 'APPROVED', category: 'UTILITY', bodyText: 'Hi {{1}}' }));
  wa.setTemplates(WA.wabaId, many);
  try {
    const { db, cli } = freshDatabase();
    const synced = await cli('whatsapp', 'templates', 'sync', '--config', configWith([senderRow()]));
    assert.equal(synced.stdout, `WABA ${WA.wabaId}: 230 templates\n`, synced.stderr);
    assert.equal((await inspect(db, (store) => store.whatsapp.templates(WA.wabaId))).length, 230);
    const pages = wa.requests.filter((r) => r.path.includes('/message_templates') && r.status === 200 && r.headers.authorization === `Bearer ${WA.accessToken}`);
    assert.ok(pages.length >= 3, `${pages.length} pages read`);
  } finally {
    wa.setTemplates(WA.wabaId, TEMPLATES.map((t) => ({ ...t })));
  }
});

test('serve prints the webhook URL to give Meta when WhatsApp numbers are configured', async () => {
  const { db } = freshDatabase();
  const { child, origin, banner } = await startServe(['--db', db, '--port', '0', '--config', configWith([senderRow()])]);
  try {
    assert.match(banner, new RegExp(`WhatsApp webhook: ${origin}/webhooks/whatsapp \\(behind your HTTPS address; 1 number\\(s\\)\\)`));
    assert.doesNotMatch(banner, new RegExp(`${WA.accessToken}|${WA.appSecret}|${WA.verifyToken}`));
  } finally {
    await stopProcess(child);
  }
});
