import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

/** Runs an admin command of the real CLI and returns its stdout. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' }).trim();
}

/**
 * Starts `direct-gateway serve` as its own process and waits until it listens; `banner` is what it had printed by then.
 * `nodeArgs` go to node before the CLI (e.g. `--cpu-prof`).
 */
export async function startServe(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; origin: string; banner: string }> {
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve', ...args], {
    env: { ...process.env, DGW_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8');
  const origin = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: string) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
  // The banner is one write of under 4 KiB: a pipe delivers it whole.
  return { child, origin, banner: output };
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  // A child killed by a signal has no exit code, only a signal code.
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  await once(child, 'exit');
}
