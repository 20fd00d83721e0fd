import type { Command } from 'commander';
import { resumedWaiting } from '../connectors/senderBreaker.js';
import { DEFAULT_COMMUNITY_THROUGHPUT, DEFAULT_PROVIDER_THROUGHPUT } from '../connectors/vk/vkSettings.js';
import { DAILY_WINDOW_MS } from '../domain/vkLimits.js';
import { isMsisdn, normalizeMsisdn } from '../domain/msisdn.js';
import { addStoreOptions, withStore, type StoreOptions } from './adminStore.js';
import { CliError } from './cliError.js';
import { formatTable, isoSeconds, masked } from './format.js';

/**
 * The VK senders of the config file (`vk.senders`, `vk.providers`): what is configured (secrets masked, never
 * printed), which the circuit breaker paused, and what a phone has used of the daily limit.
 */
export function registerVkCommands(program: Command): void {
  const vk = program.command('vk').description('VK: providers, communities, pauses, the daily limit');
  const senders = vk.command('senders').description('The senders of vk.senders in the config file');

  addStoreOptions(senders.command('list').description('List the configured senders (secrets masked) and whether each is paused')).action(async (options: StoreOptions) => {
    await withStore(options, async (store, config) => {
      if (config.vk.senders.length === 0) {
        process.stderr.write('no VK senders configured (vk.senders in the config file)\n');
        return;
      }
      const paused = new Map((await store.vk.pausedSenders()).map((p) => [p.senderName, p]));
      const rows = config.vk.senders.map((s) => {
        const pause = paused.get(s.senderName);
        const provider = s.provider === null ? undefined : config.vk.providers[s.provider];
        const via = s.adapter === 'provider' ? `provider ${s.provider} (service ${s.service ?? s.senderName})` : `community ${s.groupId}`;
        const secret = s.adapter === 'provider' ? masked(provider?.authValue ?? null) : masked(s.communityToken);
        const pace = s.throughput ?? (s.adapter === 'provider' ? DEFAULT_PROVIDER_THROUGHPUT : DEFAULT_COMMUNITY_THROUGHPUT);
        return [s.senderName, via, String(pace), secret, pause ? `PAUSED since ${isoSeconds(pause.pausedAt)}: ${pause.reason}` : 'sending'];
      });
      process.stdout.write(formatTable(['sender', 'via', 'msg/s', 'credentials', 'state'], rows));
    });
  });

  addStoreOptions(
    senders
      .command('resume')
      .description('Resume a sender the circuit breaker paused (after fixing its credentials or group); every node sends again within seconds')
      .argument('<sender>', 'the sender name'),
  ).action(async (senderName: string, options: StoreOptions) => {
    await withStore(options, async (store) => {
      if (!(await store.vk.resumeSender(senderName, resumedWaiting(Date.now())))) throw new CliError(`VK sender "${senderName}" is not paused`);
      process.stdout.write(`resumed VK sender ${senderName}\n`);
    });
  });

  addStoreOptions(
    vk
      .command('daily')
      .description("How much of VK's daily limit a phone has used with a sender (messages in the last 24 hours)")
      .argument('<sender>', 'the sender name')
      .argument('<phone>', 'the destination number'),
  ).action(async (senderName: string, phone: string, options: StoreOptions) => {
    await withStore(options, async (store, config) => {
      if (!isMsisdn(phone)) throw new CliError(`not a phone number (10–15 digits): ${phone}`);
      const digits = normalizeMsisdn(phone);
      const used = await store.vk.dailyCount(senderName, digits, Date.now() - DAILY_WINDOW_MS);
      const limit = config.vk.dailyLimit === 0 ? 'no limit (vk.dailyLimit 0)' : `of ${config.vk.dailyLimit}`;
      process.stdout.write(`${senderName} → ${digits}: ${used} ${limit} in the last 24 hours\n`);
    });
  });
}
