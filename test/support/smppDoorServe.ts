/**
 * `serve` as its own process with the SMPP door for clients on: the database prepared with the real admin CLI (an
 * account, an approved SMS sender, an API key, SMPP users), the door's port read from the banner
 * (`SMPP for clients: HOST:PORT`).
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cli, startServe } from './serveProcess.js';

export const DOOR_SENDER = 'Shop';

export interface DoorServe {
  child: ChildProcess;
  origin: string;
  smppPort: number;
}

/**
 * Starts serve and reads the SMPP door's port from its banner. `nodeArgs` are flags for node itself (e.g.
 * `--cpu-prof`, which NODE_OPTIONS does not take).
 */
export async function startDoorServe(args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<DoorServe> {
  const { child, origin, banner } = await startServe(args, env, nodeArgs);
  const match = /SMPP for clients: \S+:(\d+)/.exec(banner);
  if (!match) {
    child.kill('SIGKILL');
    throw new Error(`no SMPP door in the banner:\n${banner}`);
  }
  return { child, origin, smppPort: Number(match[1]) };
}

/** A config file with the door on any free port and whatever else is given (shallow per section). */
export function writeDoorConfig(file: string, extra: Record<string, Record<string, unknown>> = {}): void {
  const { smppServer, ...rest } = extra;
  writeFileSync(file, JSON.stringify({ smppServer: { enabled: true, host: '127.0.0.1', port: 0, ...smppServer }, ...rest }));
}

/** Prepares a database (migrated, created) with an account, its SMS sender and API key; returns the key's header. */
export function prepareDoorDatabase(db: string, account: string, balance = 1_000_000): string {
  cli(['migrate', '--create', '--db', db]);
  cli(['accounts', 'create', account, '--balance', String(balance), '--db', db]);
  cli(['senders', 'approve', DOOR_SENDER, '--account', account, '--channel', 'SMS', '--db', db]);
  return `Basic ${cli(['tokens', 'create', '--account', account, '--type', '1', '--db', db])}`;
}

/** `smpp users create` through the CLI; returns the password it printed once. */
export function createSmppUser(db: string, account: string, systemId: string, options: string[] = []): string {
  const password = cli(['smpp', 'users', 'create', systemId, '--account', account, ...options, '--db', db]);
  if (!/^\S{8}$/.test(password)) throw new Error(`unexpected password output: ${JSON.stringify(password)}`);
  return password;
}

