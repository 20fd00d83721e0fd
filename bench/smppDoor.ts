import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toGsm7Septets } from '../src/smpp/gsm7.js';
import { encodePdu, LeanEsme } from '../test/support/leanEsme.js';
import { stopProcess } from '../test/support/serveProcess.js';
import { createSmppUser, DOOR_SENDER, prepareDoorDatabase, startDoorServe, writeDoorConfig } from '../test/support/smppDoorServe.js';
import { waitUntilAllFinal } from './serveApi.js';
import { fmt } from './stats.js';

const RUNS = 3;
const SUBMITS = 20_000;
const WINDOW = 100;
const SYSTEM_ID = 'benchesme';
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/** The serve process measured. */
let servePid = 0;

/** utime + stime of a process (every thread), in ms, from /proc/<pid>/stat: the child's own process.cpuUsage. */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) in parentheses; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

interface Phase {
  binds: number;
  /** registered_delivery 1 (else 0: no receipts, the submit path alone). */
  receipts: boolean;
  submitsPerSecond: number;
  receiptsPerSecond: number;
  allBackSeconds: number;
  cpuUsPerMessage: number;
  /** The gateway's CPU from the first submit to the last answer (its engine works meanwhile too). */
  cpuSubmitUsPerMessage: number;
  refused: number;
  duplicates: number;
}

/** Not a simulator magic number (last four digits 5555). */
const destination = (i: number): string => `79${String(i % 100_000).padStart(5, '0')}5555`;

function submits(count: number, offset: number, registeredDelivery: number): Buffer[] {
  return Array.from({ length: count }, (_, i) =>
    encodePdu(
      'submit_sm',
      {
        source_addr: DOOR_SENDER,
        destination_addr: destination(offset + i),
        registered_delivery: registeredDelivery,
        data_coding: 0,
        short_message: toGsm7Septets(`Your code is ${String((offset + i) % 10_000).padStart(4, '0')}`),
      },
      i + 1,
    ),
  );
}

/**
 * `count` submits over `binds` transceivers at once (window 100 each, registered_delivery 1 or 0, every deliver_sm
 * answered at once): submit_sm/s from the first write to the last answer; receipts/s from the first write until
 * every answered submit's receipt is back; the gateway's CPU over that whole time, per message.
 */
async function phase(port: number, password: string, binds: number, count: number, offset: number, receipts = true): Promise<Phase> {
  const clients = await Promise.all(Array.from({ length: binds }, () => LeanEsme.connect(port)));
  try {
    for (const client of clients) {
      const status = await client.bind(SYSTEM_ID, password);
      if (status !== 0) throw new Error(`bind refused: 0x${status.toString(16)}`);
    }
    const share = count / binds;
    const loads = clients.map((_, b) => submits(share, offset + b * share, receipts ? 1 : 0));
    return await measured(clients, loads, count, receipts);
  } finally {
    for (const client of clients) await client.unbind();
  }
}

async function measured(clients: LeanEsme[], loads: Buffer[][], count: number, receipts: boolean): Promise<Phase> {
  const cpuBefore = cpuMsOf(servePid);
  const started = performance.now();
  const answers = (await Promise.all(clients.map((client, i) => client.submitAll(loads[i]!, WINDOW)))).flat();
  const submitted = performance.now();
  const cpuSubmitMs = cpuMsOf(servePid) - cpuBefore;
  const ok = answers.filter((a) => a?.status === 0).map((a) => a!.messageId);
  const expected = new Set(receipts ? ok : []);
  /** The first arrival of each expected receipt. */
  const firstAt = new Map<string, number>();
  const read = clients.map(() => 0);
  const collect = () => {
    clients.forEach((client, c) => {
      for (let i = read[c]!; i < client.receipts.length; i++) {
        const id = client.receipts[i]!;
        if (expected.has(id) && !firstAt.has(id)) firstAt.set(id, client.receiptTimes[i]!);
      }
      read[c] = client.receipts.length;
    });
  };
  const deadline = Date.now() + 60_000;
  for (collect(); firstAt.size < expected.size; collect()) {
    if (Date.now() > deadline) throw new Error(`${firstAt.size} of ${expected.size} receipts within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const received = clients.reduce((sum, c) => sum + c.receipts.length, 0);
  const lastReceipt = receipts ? Math.max(...firstAt.values()) : submitted;
  const cpuMs = cpuMsOf(servePid) - cpuBefore;
  const allBack = (lastReceipt - started) / 1000;
  return {
    binds: clients.length,
    receipts,
    submitsPerSecond: ok.length / ((submitted - started) / 1000),
    receiptsPerSecond: ok.length / allBack,
    allBackSeconds: allBack,
    cpuUsPerMessage: (cpuMs * 1000) / count,
    cpuSubmitUsPerMessage: (cpuSubmitMs * 1000) / count,
    refused: count - ok.length,
    duplicates: received - firstAt.size,
  };
}

/**
 * The SMPP door for clients against a real `serve` process (SQLite file, simulator connector, deliveries after
 * 200 ms): submit_sm accepted durably on one bind with window 100, and on 4 binds; receipts back; the gateway's CPU
 * per message from /proc/<pid>/stat; and one bind with registered_delivery 0, the submit path without receipts.
 * The load comes from lean raw-PDU clients (pre-encoded submits, hand-framed answers) so that the client is not
 * what is measured. With BENCH_SMPP_DOOR_PROFILE=<dir>, serve runs under `--cpu-prof` and writes its profiles
 * (one per thread) there on exit.
 */
export async function benchSmppDoor(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-smpp-door-bench-'));
  const db = join(dir, 'gateway.db');
  const configFile = join(dir, 'config.json');
  writeDoorConfig(configFile, { simulator: { deliveryDelayMs: 200 } });
  const auth = prepareDoorDatabase(db, 'door', 1_000_000_000);
  const password = createSmppUser(db, 'door', SYSTEM_ID, ['--max-binds', '8']);
  const profileDir = process.env.BENCH_SMPP_DOOR_PROFILE;
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const serve = await startDoorServe(['--db', db, '--port', '0', '--config', configFile], {}, nodeArgs);
  servePid = serve.child.pid!;
  const rows: { run: number; phase: Phase }[] = [];
  try {
    // A short warm-up (JIT, SQLite cache), not counted.
    await phase(serve.smppPort, password, 1, 2_000, 0);
    await waitUntilAllFinal(serve.origin, auth);
    for (let run = 1; run <= RUNS; run++) {
      for (const [i, [binds, receipts]] of ([[1, true], [4, true], [1, false]] as const).entries()) {
        rows.push({ run, phase: await phase(serve.smppPort, password, binds, SUBMITS, (run * 3 + i) * SUBMITS, receipts) });
        // Every message final before the next phase: each one measures its own work.
        await waitUntilAllFinal(serve.origin, auth);
      }
    }
  } finally {
    await stopProcess(serve.child);
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(`SMPP door for clients (serve, SQLite, simulator): ${fmt(SUBMITS)} submit_sm per phase, window ${WINDOW} per bind; every deliver_sm answered at once`);
  const header = ['run', 'binds', 'reg. delivery', 'submit_sm/s', 'receipts/s', 'all back after', 'gateway CPU/msg (submit phase)', 'refused', 'dup receipts'];
  const table = rows.map(({ run, phase: p }) => [
    String(run),
    String(p.binds),
    p.receipts ? '1' : '0',
    fmt(p.submitsPerSecond),
    p.receipts ? fmt(p.receiptsPerSecond) : '-',
    p.receipts ? `${fmt(p.allBackSeconds, 2)} s` : '-',
    `${fmt(p.cpuUsPerMessage)} µs (${fmt(p.cpuSubmitUsPerMessage)} µs)`,
    String(p.refused),
    String(p.duplicates),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  for (const line of [header, ...table]) console.log(`  ${line.map((cell, i) => cell.padStart(widths[i]!)).join('  ')}`);
  const medianOf = (pick: (p: Phase) => boolean): number => {
    const figures = rows.filter((r) => pick(r.phase)).map((r) => r.phase.submitsPerSecond).sort((a, b) => a - b);
    return figures[Math.floor(figures.length / 2)]!;
  };
  const median = medianOf((p) => p.binds === 1 && p.receipts);
  console.log(`  one bind, receipts on: median ${fmt(median)} submit_sm/s (target ≥ 10,000 submit_sm/s on one bind${median >= 10_000 ? ': met' : ': NOT met'})`);
  console.log(`  one bind, no receipts (the submit path alone): median ${fmt(medianOf((p) => p.binds === 1 && !p.receipts))} submit_sm/s`);
}
