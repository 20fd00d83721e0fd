import type { Command } from 'commander';
import { availableBalance, type Account } from '../domain/account.js';
import { formatUnits, type Units } from '../domain/money.js';
import { addStoreOptions, requireAccount, withStore, type StoreOptions } from './adminStore.js';
import { CliError } from './cliError.js';
import { formatTable, yesNo } from './format.js';
import { parseAccountName, parseCodeLengths, parseCurrency, parseNonNegativeAmount } from './parsers.js';
import { generateSigningSecret } from '../domain/signingSecret.js';

export function registerAccountsCommands(program: Command): void {
  const accounts = program.command('accounts').description('Create, list, suspend and configure accounts');

  addStoreOptions(
    accounts
      .command('create')
      .description('Create an account')
      .argument('<name>', 'account name: 1–64 characters of A-Z a-z 0-9 _ . -', parseAccountName)
      .option('--balance <amount>', 'opening balance, up to 4 decimals', parseNonNegativeAmount, 0)
      .option('--currency <code>', 'ISO 4217 currency (default: defaultCurrency setting, RUB)', parseCurrency)
      .option('--no-billing', 'do not charge this account (its /balance is {})'),
  ).action(async (name: string, options: StoreOptions & { balance: Units; currency?: string; billing: boolean }) => {
    await withStore(options, async (store, config) => {
      if (await store.accounts.byName(name)) throw new CliError(`account "${name}" already exists`);
      const account = await store.accounts.create(
        { name, currency: options.currency ?? config.defaultCurrency, balance: options.balance, billingEnabled: options.billing },
        Date.now(),
      );
      process.stdout.write(`created account ${account.name}: ${formatUnits(account.balance)} ${account.currency}, billing ${account.billingEnabled ? 'on' : 'off'}\n`);
    });
  });

  addStoreOptions(accounts.command('list').description('List all accounts')).action(async (options: StoreOptions) => {
    await withStore(options, async (store) => {
      const all = await store.accounts.list();
      if (all.length === 0) process.stderr.write('no accounts\n');
      else process.stdout.write(formatTable(ACCOUNT_COLUMNS, all.map(accountRow)));
    });
  });

  for (const [verb, suspended] of [['suspend', true], ['resume', false]] as const) {
    addStoreOptions(
      accounts
        .command(verb)
        .description(suspended ? "Suspend an account: all its keys get 403 (spec §3.2)" : 'Lift a suspension')
        .argument('<name>', 'account name', parseAccountName),
    ).action(async (name: string, options: StoreOptions) => {
      await withStore(options, async (store) => {
        const account = await requireAccount(store, name);
        await store.accounts.setSuspended(account.id, suspended);
        process.stdout.write(`${suspended ? 'suspended' : 'resumed'} account ${name}\n`);
      });
    });
  }

  addStoreOptions(
    accounts
      .command('set-signing-secret')
      .description('Generate a new callback signing secret (Standard Webhooks, spec §11.3); prints it alone on stdout')
      .argument('<name>', 'account name', parseAccountName)
      .option('--clear', 'remove the secret: callbacks are sent unsigned'),
  ).action(async (name: string, options: StoreOptions & { clear?: boolean }) => {
    await withStore(options, async (store) => {
      const account = await requireAccount(store, name);
      if (options.clear) {
        await store.accounts.setSigningSecret(account.id, null);
        process.stderr.write(`account ${name}: callbacks are no longer signed\n`);
        return;
      }
      const secret = generateSigningSecret();
      await store.accounts.setSigningSecret(account.id, secret);
      process.stderr.write(`account ${name}: callbacks are now signed with this secret; give it to the receiver\n`);
      process.stdout.write(`${secret}\n`);
    });
  });

  addStoreOptions(
    accounts
      .command('set-flashcall-code-lengths')
      .description('Set the FLASHCALL code lengths the account may send (spec §6.2.1; default 4)')
      .argument('<name>', 'account name', parseAccountName)
      .argument('<lengths>', 'comma-separated subset of 4,5,6', parseCodeLengths),
  ).action(async (name: string, lengths: number[], options: StoreOptions) => {
    await withStore(options, async (store) => {
      const account = await requireAccount(store, name);
      await store.accounts.setFlashcallCodeLengths(account.id, lengths);
      process.stdout.write(`account ${name}: FLASHCALL code lengths ${lengths.join(',')}\n`);
    });
  });
}

const ACCOUNT_COLUMNS = ['name', 'currency', 'balance', 'available', 'billing', 'suspended', 'flashcall', 'disabled channels'];

function accountRow(account: Account): string[] {
  return [
    account.name,
    account.currency,
    formatUnits(account.balance),
    formatUnits(availableBalance(account)),
    yesNo(account.billingEnabled),
    yesNo(account.suspended),
    account.flashcallCodeLengths.join(','),
    account.disabledChannels.join(',') || '-',
  ];
}
