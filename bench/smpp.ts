import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/clock.js';
import type { OutboundMessage } from '../src/connectors/connector.js';
import { SMPP_DEFAULTS } from '../src/connectors/smpp/smppConfig.js';
import { createSmppConnector } from '../src/connectors/smpp/smppConnector.js';
import { mapWithLimit } from '../src/mapWithLimit.js';
import { SmscStandIn } from '../test/support/smscStandIn.js';
import { fmt } from './stats.js';

const SELF = fileURLToPath(import.meta.url);
const SMSC_ROLE = 'smsc-stand-in';
const MESSAGES = 50_000;
const WINDOW = 100;
/** Hand-offs in flight at once, as the engine's maxConcurrentHandoffs (default 200) bounds them. */
const CONCURRENT_SENDS = 200;

/**
 * The SMPP connector alone (no HTTP, no store): 50,000 single-part SMS submitted through one connector (window 100,
 * 1 and 2 binds) to the SMSC stand-in in its own process, which answers each submit_sm and sends a DELIVRD receipt
 * at once. Timed from the first send until every send resolved (submits/s) and until every receipt was reported
 * (receipts/s). The end-to-end SMS figure (HTTP accept → submit_sm → receipt → delivered) is the engine's bench.
 */
export async function benchSmpp(): Promise<void> {
  for (const binds of [1, 2]) await benchBinds(binds);
}

/** The SMSC stand-in in its own process (so it never shares an event loop with what it measures). */
export async function startSmscProcess(): Promise<{ port: number; process: ChildProcess }> {
  const smsc = fork(SELF, [SMSC_ROLE], { stdio: 'inherit' });
  const [port] = (await once(smsc, 'message')) as [number];
  return { port, process: smsc };
}

async function benchBinds(binds: number): Promise<void> {
  const { port, process: smsc } = await startSmscProcess();
  try {
    let receipts = 0;
    let allReceipts: () => void = () => undefined;
    const receiptsDone = new Promise<void>((resolve) => (allReceipts = resolve));
    const connector = createSmppConnector(
      { ...SMPP_DEFAULTS, name: 'bench', host: '127.0.0.1', port, systemId: 'bench', password: 'bench', binds, window: WINDOW, responseTimeoutMs: 30_000 },
      { clock: systemClock },
    );
    await connector.start({
      report: () => {
        if (++receipts === MESSAGES) allReceipts();
      },
      inbound: () => undefined,
    });
    await connector.whenBound(5_000, binds);
    const messages = Array.from({ length: MESSAGES }, (_, i) => message(i));
    const started = performance.now();
    const cpuAtStart = process.cpuUsage();
    const results = await mapWithLimit(messages, CONCURRENT_SENDS, (m) => connector.send(m));
    const submitted = performance.now();
    await Promise.race([receiptsDone, new Promise((resolve) => setTimeout(resolve, 60_000))]);
    const received = performance.now();
    await connector.stop();
    smsc.send('cpu');
    const [{ cpuSeconds: smscCpu }] = (await once(smsc, 'message')) as [{ cpuSeconds: number }];
    const connectorCpu = (process.cpuUsage(cpuAtStart).user + process.cpuUsage(cpuAtStart).system) / 1e6;
    const sent = results.filter((r) => r.kind === 'sent').length;
    const submitSeconds = (submitted - started) / 1000;
    const receiptSeconds = (received - started) / 1000;
    console.log(
      `smpp connector, ${binds} bind${binds > 1 ? 's' : ''} × window ${WINDOW}: ${fmt(MESSAGES)} submits in ${fmt(submitSeconds, 2)} s = ${fmt(sent / submitSeconds)} submits/s; ` +
        `${fmt(receipts)} receipts in ${fmt(receiptSeconds, 2)} s = ${fmt(receipts / receiptSeconds)} receipts/s`,
    );
    console.log(`  CPU: connector process ${fmt(connectorCpu, 2)} s (${fmt((connectorCpu / MESSAGES) * 1e6)} µs per message), SMSC stand-in process ${fmt(smscCpu, 2)} s`);
    if (sent !== MESSAGES || receipts !== MESSAGES) console.log(`  INCOMPLETE: ${sent} sent, ${receipts} receipts of ${MESSAGES}`);
  } finally {
    smsc.kill();
  }
}

function message(i: number): OutboundMessage {
  return {
    uuid: `0196a000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`,
    accountId: 1,
    channelType: 'SMS',
    senderName: 'Bench',
    destination: `7926${String(i).padStart(7, '0')}`,
    content: `Your code is ${String(i % 10_000).padStart(4, '0')}`,
    totalParts: 1,
    expiresAt: Date.now() + 3_600_000,
  };
}

/** The SMSC process: the stand-in without recording (counters only), its port sent to the parent. */
async function runSmsc(): Promise<void> {
  const smsc = new SmscStandIn({ systemId: 'bench', password: 'bench', record: false });
  const { port } = await smsc.start();
  process.send!(port);
  process.on('message', () => {
    const { user, system } = process.cpuUsage();
    process.send!({ cpuSeconds: (user + system) / 1e6 });
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[1] === SELF && process.argv[2] === SMSC_ROLE) await runSmsc();
