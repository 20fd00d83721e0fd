import type { Command } from 'commander';
import { availableBalance } from '../domain/account.js';
import { formatUnits, type Units } from '../domain/money.js';
import { addStoreOptions, requireAccount, withStore, type StoreOptions } from './adminStore.js';
import { CliError } from './cliError.js';
import { parseAccountName, parseNonZeroAmount } from './parsers.js';

export function registerBalanceCommands(program: Command): void {
  const balance = program.command('balance').description("Change an account's balance");

  addStoreOptions(
    balance
      .command('topup')
      .description('Add to the balance; a negative amount is a correction and may not make the available balance negative')
      .argument('<name>', 'account name', parseAccountName)
      .argument('<amount>', 'amount in the account currency, up to 4 decimals (e.g. 500, 2.50, -10)', parseNonZeroAmount),
  ).action(async (name: string, amount: Units, options: StoreOptions) => {
    await withStore(options, async (store) => {
      const account = await requireAccount(store, name);
      if (availableBalance(account) + amount < 0) {
        throw new CliError(
          `cannot take ${formatUnits(-amount)} ${account.currency} from ${name}: only ${formatUnits(availableBalance(account))} is available`,
        );
      }
      const updated = await store.accounts.topUp(account.id, amount);
      process.stdout.write(
        `${name}: balance ${formatUnits(updated.balance)} ${updated.currency}, available ${formatUnits(availableBalance(updated))} ${updated.currency}\n`,
      );
    });
  });
}
