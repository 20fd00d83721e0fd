import type { Command } from 'commander';
import type { Store } from '../store/store.js';
import { addStoreOptions, requireAccount, withStore, type StoreOptions } from './adminStore.js';
import { CliError } from './cliError.js';
import { parseAccountName, parseMsisdn } from './parsers.js';

type BlocklistOptions = StoreOptions & { account?: string };

export function registerBlocklistCommands(program: Command): void {
  const blocklist = program.command('blocklist').description('Block destinations: their items get 4033 (spec §5.6)');
  const withAccountOption = (command: Command): Command =>
    addStoreOptions(command.option('--account <name>', "the account's list (default: the gateway-wide list)", parseAccountName));

  withAccountOption(
    blocklist.command('add').description('Block a number').argument('<number>', 'e.g. 79261234567 or +79261234567', parseMsisdn),
  ).action(async (number: string, options: BlocklistOptions) => {
    await withStore(options, async (store) => {
      await store.blocklist.add(await listOwner(store, options), number);
      process.stdout.write(`blocked ${number} (${listName(options)})\n`);
    });
  });

  withAccountOption(
    blocklist.command('remove').description('Unblock a number').argument('<number>', 'the blocked number', parseMsisdn),
  ).action(async (number: string, options: BlocklistOptions) => {
    await withStore(options, async (store) => {
      if (!(await store.blocklist.remove(await listOwner(store, options), number))) {
        throw new CliError(`${number} is not on the ${listName(options)}`);
      }
      process.stdout.write(`unblocked ${number} (${listName(options)})\n`);
    });
  });

  withAccountOption(blocklist.command('list').description('List blocked numbers, one a line')).action(async (options: BlocklistOptions) => {
    await withStore(options, async (store) => {
      const numbers = await store.blocklist.list(await listOwner(store, options));
      if (numbers.length === 0) process.stderr.write(`the ${listName(options)} is empty\n`);
      for (const number of numbers) process.stdout.write(`${number}\n`);
    });
  });
}

/** null is the gateway-wide list. */
async function listOwner(store: Store, options: BlocklistOptions): Promise<number | null> {
  return options.account === undefined ? null : (await requireAccount(store, options.account)).id;
}

function listName(options: BlocklistOptions): string {
  return options.account === undefined ? 'gateway-wide blocklist' : `blocklist of account ${options.account}`;
}
