#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerAccountsCommands } from './cli/accounts.js';
import { registerBalanceCommands } from './cli/balance.js';
import { registerBlocklistCommands } from './cli/blocklist.js';
import { registerChannelsCommands } from './cli/channels.js';
import { registerConfigCommands } from './cli/config.js';
import { registerInboundCommands } from './cli/inbound.js';
import { CliError } from './cli/cliError.js';
import { registerSendersCommands } from './cli/senders.js';
import { registerServeCommand } from './cli/serve.js';
import { registerTokensCommands } from './cli/tokens.js';
import { registerVoiceCommands } from './cli/voice.js';
import { registerVkCommands } from './cli/vk.js';
import { registerSmppCommands } from './cli/smpp.js';
import { registerWhatsAppCommands } from './cli/whatsapp.js';
import { registerMigrateCommand } from './cli/migrate.js';
import { ConfigError } from './configLoad.js';
import { UnusableDatabaseError } from './store/unusableDatabaseError.js';
import { PACKAGE_VERSION } from './userAgent.js';

/** Exit codes: 0 success, 1 the command failed, 2 the command line was wrong (usage). */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

function buildProgram(): Command {
  const program = new Command('direct-gateway')
    .description('Messaging gateway wire-compatible with the Direct API')
    .version(PACKAGE_VERSION)
    .showHelpAfterError('(add --help for usage)');
  registerServeCommand(program);
  registerAccountsCommands(program);
  registerTokensCommands(program);
  registerBalanceCommands(program);
  registerSendersCommands(program);
  registerChannelsCommands(program);
  registerBlocklistCommands(program);
  registerInboundCommands(program);
  registerVoiceCommands(program);
  registerWhatsAppCommands(program);
  registerVkCommands(program);
  registerSmppCommands(program);
  registerMigrateCommand(program);
  registerConfigCommands(program);
  throwInsteadOfExiting(program);
  return program;
}

/** Commander exits by itself on usage errors; we want them thrown, to choose the exit code in one place. */
function throwInsteadOfExiting(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) throwInsteadOfExiting(sub);
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exit(exitCodeFor(error));
  }
}

/** Expected errors print their message only; anything else is a bug, so it keeps its stack. */
function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help/version text).
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (error instanceof CliError || error instanceof ConfigError || error instanceof UnusableDatabaseError) {
    process.stderr.write(`direct-gateway: ${error.message}\n`);
    return EXIT_FAILURE;
  }
  process.stderr.write(`direct-gateway: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_FAILURE;
}

await main(process.argv);
