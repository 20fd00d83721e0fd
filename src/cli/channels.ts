import type { Command } from 'commander';
import type { Channel } from '../domain/channels.js';
import { addStoreOptions, requireAccount, withStore, type StoreOptions } from './adminStore.js';
import { parseAccountName, parseChannel } from './parsers.js';

export function registerChannelsCommands(program: Command): void {
  const channels = program.command('channels').description('Enable or disable channels per account (all enabled by default)');

  for (const [verb, enabled] of [['disable', false], ['enable', true]] as const) {
    addStoreOptions(
      channels
        .command(verb)
        .description(enabled ? 'Enable a channel for an account' : 'Disable a channel: its items get 4032 (spec §5.6)')
        .argument('<channel>', 'VOICECODE, FLASHCALL, SMS, WHATSAPP or VK', parseChannel)
        .requiredOption('--account <name>', 'account name', parseAccountName),
    ).action(async (channel: Channel, options: StoreOptions & { account: string }) => {
      await withStore(options, async (store) => {
        const account = await requireAccount(store, options.account);
        await store.accounts.setChannelEnabled(account.id, channel, enabled);
        process.stdout.write(`${enabled ? 'enabled' : 'disabled'} ${channel} for account ${account.name}\n`);
      });
    });
  }
}
