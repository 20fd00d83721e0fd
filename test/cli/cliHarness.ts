/** Runs the built CLI as a separate process against a throw-away SQLite file. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/openStore.js';
import { openSqliteDatabase } from '../../src/store/sqlite/sqliteStore.js';
import type { Store } from '../../src/store/store.js';

/** This file runs as dist/test/cli/cliHarness.js; the CLI is dist/src/cli.js. */
export const CLI_PATH = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where and as whom the CLI runs (a test of file permissions runs it as another user when it is root). */
export interface RunOptions {
  cwd?: string;
  uid?: number;
  gid?: number;
}

/** A command that should have ended (e.g. a serve that should have refused to start) is killed after this long. */
const CLI_TIMEOUT_MS = 60_000;

/** The DGW_* variables of the caller are removed so that only what a test passes applies. */
export function runCli(args: string[], env: Record<string, string> = {}, options: RunOptions = {}): Promise<CliResult> {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('DGW_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { env: { ...cleanEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: CLI_TIMEOUT_MS, ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-cli-'));
  tempDirs.push(dir);
  return dir;
}

/** Creates (and migrates) an empty SQLite database at `path`, as `migrate --create` would; returns the path. */
export function createdDatabase(path: string): string {
  openSqliteDatabase(path).close();
  return path;
}

/** A created (migrated, empty) database in a fresh folder, and a runner bound to it with --db: admin commands never create one. */
export function freshDatabase(): { db: string; cli: (...args: string[]) => Promise<CliResult> } {
  const db = createdDatabase(join(tempDir(), 'gateway.db'));
  return { db, cli: (...args) => runCli([...args, '--db', db]) };
}

/** Opens the database the CLI wrote, to check what it stored, and closes it again. */
export async function inspect<T>(db: string, look: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(db);
  try {
    return await look(store);
  } finally {
    await store.close();
  }
}

/** A stack trace line: expected errors must never print one. */
export const STACK_LINE = /\n\s+at /;
