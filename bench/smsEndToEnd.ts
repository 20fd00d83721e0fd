import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMPP_DEFAULTS } from '../src/connectors/smpp/smppConfig.js';
import { cli, startServe, stopProcess } from '../test/support/serveProcess.js';
import { startSmscProcess } from './smpp.js';
import { countWithStatus, waitUntilAllFinal } from './serveApi.js';
import { fmt } from './stats.js';

const BATCHES = 40;

/**
 * SMS end to end through a real `serve` process: HTTP accept → submit_sm (window 100) → DELIVRD receipt →
 * `delivered`, with the SMSC stand-in in its own process; timed from the first POST until every message is final.
 */
export async function benchSmsEndToEnd(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-sms-e2e-'));
  const db = join(dir, 'gateway.db');
  const smsc = await startSmscProcess();
  try {
    const configFile = join(dir, 'config.json');
    const smscConfig = { ...SMPP_DEFAULTS, name: 'bench', host: '127.0.0.1', port: smsc.port, systemId: 'bench', password: 'bench', window: 100 };
    writeFileSync(configFile, JSON.stringify({ channels: { SMS: { connector: 'smpp:bench' } }, smpp: { smscs: [smscConfig] } }));
    cli(['migrate', '--create', '--db', db]); // admin commands refuse a missing database
    cli(['accounts', 'create', 'sms', '--balance', '100000000', '--db', db]);
    cli(['senders', 'approve', 'Bench', '--account', 'sms', '--channel', 'SMS', '--db', db]);
    const auth = `Basic ${cli(['tokens', 'create', '--account', 'sms', '--type', '1', '--db', db])}`;
    const { child, origin } = await startServe(['--db', db, '--port', '0', '--config', configFile]);
    try {
      const bodies = Array.from({ length: BATCHES }, (_, b) =>
        JSON.stringify(
          Array.from({ length: 1000 }, (_, i) => ({
            channelType: 'SMS',
            senderName: 'Bench',
            destination: `7926${String(b * 1000 + i).padStart(7, '0')}`,
            content: `Your code is ${String(i).padStart(4, '0')}`,
          })),
        ),
      );
      const started = performance.now();
      let next = 0;
      const post = async () => {
        while (next < bodies.length) {
          const response = await fetch(`${origin}/api/v1/message`, { method: 'POST', headers: { authorization: auth }, body: bodies[next++]! });
          if (response.status !== 200) throw new Error(`POST failed: ${response.status}`);
          await response.arrayBuffer();
        }
      };
      await Promise.all([post(), post(), post(), post()]);
      const accepted = performance.now();
      await waitUntilAllFinal(origin, auth);
      const final = performance.now();
      const delivered = await countWithStatus(origin, auth, 'delivered');
      const messages = BATCHES * 1000;
      console.log('SMS end to end over SMPP (HTTP accept → submit_sm → receipt → delivered), 40 x 1000, window 100, 1 bind');
      console.log(`  accepted in ${fmt((accepted - started) / 1000, 2)} s; all final after ${fmt((final - started) / 1000, 2)} s; ${delivered} delivered`);
      console.log(`  ${fmt(messages / ((final - started) / 1000))} msg/s (target >= 5,000)`);
    } finally {
      await stopProcess(child);
    }
  } finally {
    smsc.process.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
