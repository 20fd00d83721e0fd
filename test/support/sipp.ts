/**
 * Runs sipp (SIPp 3.6, Debian package `sip-tester`) as an independent SIP peer in tests: on a free UDP port of
 * 127.0.0.1, with a scenario of test/sip/scenarios. Its exit code is the verdict: 0 means every call went
 * through every step of the scenario, with every check in it holding.
 */
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** From dist/test/support/ back to the sources: tsc does not copy the XML files. */
export const SCENARIO_DIR = fileURLToPath(new URL('../../../test/sip/scenarios/', import.meta.url));

export function sippInstalled(): boolean {
  return spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error === undefined;
}

/** A `skip` option for node:test: sipp tests skip where sipp is missing, except in CI where it must be there. */
export function skipWithoutSipp(): string | false {
  if (sippInstalled() || process.env['CI']) return false;
  return 'sipp is not installed (apt-get install -y sip-tester)';
}

/** A UDP port that was free a moment ago (sipp binds it itself). */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface SippOptions {
  /** File name in test/sip/scenarios. */
  scenario: string;
  /** A free port when absent. */
  port?: number;
  /** Calls to handle before exiting (-m); 1 when absent. */
  calls?: number;
  /** sipp gives up (and fails) after this long; 10 s when absent. */
  timeoutSeconds?: number;
  /** Extra command line arguments. */
  args?: string[];
}

export interface SippResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** -trace_err: unexpected messages, failed checks, warnings. */
  errors: string;
  /** -trace_msg: every message sipp sent and received. */
  messages: string;
}

export interface SippRun {
  port: number;
  /** Resolves when sipp exits. */
  done: Promise<SippResult>;
  kill(): void;
}

/** Starts sipp as a UAS and resolves once it listens on its port. */
export async function startSipp(options: SippOptions): Promise<SippRun> {
  const port = options.port ?? (await freeUdpPort());
  const dir = await mkdtemp(path.join(tmpdir(), 'dgw-sipp-'));
  const errorFile = path.join(dir, 'errors.log');
  const messageFile = path.join(dir, 'messages.log');
  const args = [
    '-sf', path.join(SCENARIO_DIR, options.scenario),
    '-i', '127.0.0.1',
    '-p', String(port),
    '-m', String(options.calls ?? 1),
    '-nostdin',
    '-timeout', `${options.timeoutSeconds ?? 10}s`,
    '-timeout_error',
    '-trace_err', '-error_file', errorFile,
    '-trace_msg', '-message_file', messageFile,
    ...(options.args ?? []),
  ];
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<SippResult>((resolve) => {
    const finish = async (exitCode: number | null, signal: NodeJS.Signals | null) => {
      const read = (file: string) => readFile(file, 'utf8').catch(() => '');
      const result = { exitCode, signal, stderr, errors: await read(errorFile), messages: await read(messageFile) };
      await rm(dir, { recursive: true, force: true });
      resolve(result);
    };
    child.once('error', (error) => {
      stderr += String(error);
      void finish(null, null);
    });
    child.once('exit', (code, signal) => void finish(code, signal));
  });
  await waitForUdpListener(port, 3000, done);
  return { port, done, kill: () => child.kill('SIGKILL') };
}

/** Polls /proc/net/udp until something listens on the port (or sipp already exited). */
async function waitForUdpListener(port: number, timeoutMs: number, exited: Promise<unknown>): Promise<void> {
  let over = false;
  void exited.then(() => (over = true));
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const tables = ['/proc/net/udp', '/proc/net/udp6'].filter((file) => existsSync(file));
  if (tables.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (!over && Date.now() < deadline) {
    const listening = tables.some((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .some((line) => line.trim().split(/\s+/)[1]?.endsWith(hexPort) === true),
    );
    if (listening) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** For assertion messages: what sipp said when it did not exit 0. */
export function describeSipp(result: SippResult): string {
  return [
    `sipp exit code ${result.exitCode} signal ${result.signal}`,
    result.stderr.trim(),
    result.errors.trim(),
    result.messages.trim().split('\n').slice(-120).join('\n'),
  ]
    .filter((part) => part.length > 0)
    .join('\n---\n');
}
