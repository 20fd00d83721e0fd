import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, startServe, stopProcess } from '../test/support/serveProcess.js';
import { senderRow, TEMPLATES, WA } from '../test/support/whatsappGateway.js';
import { startWhatsAppStandIn } from '../test/support/whatsappStandIn.js';
import { countWithStatus, postInBatches, waitUntilAllFinal } from './serveApi.js';
import { fmt } from './stats.js';

/**
 * WHATSAPP end to end through a real `serve` process and the Cloud API stand-in (in this process): HTTP accept →
 * Graph API send → `sent` and `delivered` status webhooks back → `delivered`; timed from the first POST until every
 * message is final. Once with the pacing off (throughput 1000/s, no pair interval), once with Meta's defaults
 * (80 messages/s per number): the second shows the pacing holds the rate, not the gateway's speed.
 */
export async function benchWhatsApp(): Promise<void> {
  console.log('WHATSAPP end to end over the Cloud API stand-in (accept → send → sent + delivered webhooks → delivered)');
  await run('pacing off (throughput 1000/s, pairIntervalMs 0)', 4_000, { throughput: 1000, pairIntervalMs: 0 });
  await run('pacing on (throughput 80/s, pairIntervalMs 6000)', 800, { throughput: 80, pairIntervalMs: 6_000 });
}

async function run(label: string, messages: number, pacing: { throughput: number; pairIntervalMs: number }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-wa-bench-'));
  const db = join(dir, 'gateway.db');
  const wa = await startWhatsAppStandIn({
    accessToken: WA.accessToken,
    appSecret: WA.appSecret,
    phoneNumbers: [{ phoneNumberId: WA.phoneNumberId, displayPhoneNumber: WA.displayPhoneNumber, wabaId: WA.wabaId }],
    templates: { [WA.wabaId]: TEMPLATES },
  });
  try {
    const configFile = join(dir, 'config.json');
    const whatsapp = { graphBase: wa.baseUrl, pairIntervalMs: pacing.pairIntervalMs, senders: [senderRow({ throughput: pacing.throughput })] };
    writeFileSync(configFile, JSON.stringify({ channels: { WHATSAPP: { connector: 'whatsapp' } }, whatsapp }));
    cli(['migrate', '--create', '--db', db]);
    cli(['accounts', 'create', 'wa', '--balance', '100000000', '--db', db]);
    cli(['senders', 'approve', WA.senderName, '--account', 'wa', '--channel', 'WHATSAPP', '--db', db]);
    const auth = `Basic ${cli(['tokens', 'create', '--account', 'wa', '--type', '1', '--db', db])}`;
    const { child, origin } = await startServe(['--db', db, '--port', '0', '--config', configFile]);
    wa.setWebhookUrl(`${origin}/webhooks/whatsapp`);
    try {
      const item = (i: number) => ({
        channelType: 'WHATSAPP',
        senderName: WA.senderName,
        destination: `7926${String(i).padStart(7, '0')}`,
        content: { contentType: 'template', templateId: 'login_code', language: 'en_US', parameters: [String(i % 10_000).padStart(4, '0')] },
      });
      const started = performance.now();
      await postInBatches(origin, auth, messages, item);
      await waitUntilAllFinal(origin, auth);
      const seconds = (performance.now() - started) / 1000;
      const delivered = await countWithStatus(origin, auth, 'delivered');
      console.log(`  ${label}: ${messages} messages final in ${fmt(seconds, 2)} s, ${delivered} delivered, ${fmt(messages / seconds)} msg/s`);
    } finally {
      await stopProcess(child);
    }
  } finally {
    await wa.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
