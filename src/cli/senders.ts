import type { Command } from 'commander';
import type { GatewayConfig } from '../config.js';
import { CHANNELS_NEEDING_APPROVED_SENDER, type Channel, type TrafficType } from '../domain/channels.js';
import { routesInboundBySenderName, sharedSenderRefusal } from '../domain/inboundRouting.js';
import { addStoreOptions, requireAccount, withStore, type StoreOptions } from './adminStore.js';
import { CliError } from './cliError.js';
import { formatTable, isoSeconds } from './format.js';
import { parseAccountName, parseChannel, parseIsoTime, parseSenderName, parseTrafficType } from './parsers.js';

export function registerSendersCommands(program: Command): void {
  const senders = program.command('senders').description('Approve sender names (SMS and WHATSAPP need one, spec §5.6)');

  addStoreOptions(
    senders
      .command('approve')
      .description('Approve a sender name for an account and channel (again: updates its traffic type and start)')
      .argument('<sender>', 'sender name, 1–64 characters', parseSenderName)
      .requiredOption('--account <name>', 'account name', parseAccountName)
      .requiredOption('--channel <channel>', 'SMS or WHATSAPP (VOICECODE, FLASHCALL, VK also accepted)', parseChannel)
      .option('--traffic-type <type>', 'PROMO, SERVICE, AUTHORIZE or TRANSACT (default: none, messages get SERVICE)', parseTrafficType)
      .option('--start <time>', 'usable from this ISO 8601 time, e.g. 2024-05-01T00:00:00Z (default: now)', parseIsoTime),
  ).action(async (sender: string, options: StoreOptions & { account: string; channel: Channel; trafficType?: TrafficType; start?: number }) => {
    await withStore(options, async (store, config) => {
      const account = await requireAccount(store, options.account);
      const startsAt = options.start ?? Date.now();
      const approval = await store.senders.approve(
        { accountId: account.id, channel: options.channel, name: sender, trafficType: options.trafficType ?? null, startsAt },
        { exclusive: routesInboundBySenderName(options.channel, inboundReceivers(config, options.channel, sender)) },
      );
      if (!approval.approved) throw new CliError(sharedSenderRefusal(options.channel, sender, approval.sharedWith));
      if (options.channel === 'VOICECODE' || options.channel === 'FLASHCALL') {
        process.stderr.write(`note: ${options.channel} needs no approved sender and its traffic type is always AUTHORIZE (spec §12.3)\n`);
      } else if (!CHANNELS_NEEDING_APPROVED_SENDER.includes(options.channel)) {
        process.stderr.write(`note: ${options.channel} needs no approved sender; the approval only sets its traffic type\n`);
      }
      process.stdout.write(
        `approved sender ${sender} for ${options.channel} on account ${account.name} ` +
          `(traffic type ${options.trafficType ?? 'none'}, from ${isoSeconds(startsAt)})\n`,
      );
    });
  });

  addStoreOptions(
    senders
      .command('list')
      .description('List approved sender names')
      .option('--account <name>', 'only this account (default: all)', parseAccountName),
  ).action(async (options: StoreOptions & { account?: string }) => {
    await withStore(options, async (store) => {
      const accountId = options.account === undefined ? undefined : (await requireAccount(store, options.account)).id;
      const names = new Map((await store.accounts.list()).map((account) => [account.id, account.name]));
      const approved = await store.senders.list(accountId);
      if (approved.length === 0) {
        process.stderr.write('no approved senders\n');
        return;
      }
      const rows = approved.map((s) => [names.get(s.accountId) ?? String(s.accountId), s.channel, s.name, s.trafficType ?? '-', isoSeconds(s.startsAt)]);
      process.stdout.write(formatTable(['account', 'channel', 'sender', 'traffic type', 'starts'], rows));
    });
  });
}

/** What receives inbound messages sent to the sender name: every SMSC for SMS, the numbers of that name for WHATSAPP. */
function inboundReceivers(config: GatewayConfig, channel: Channel, sender: string): { inboundAccount: string | null }[] {
  if (channel === 'WHATSAPP') return config.whatsapp.senders.filter((s) => s.senderName === sender);
  return config.smpp.smscs;
}
