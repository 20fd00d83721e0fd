import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, startServe, stopProcess } from '../test/support/serveProcess.js';
import { providerSender, VK } from '../test/support/vkGateway.js';
import { startVkProviderStandIn } from '../test/support/vkProviderStandIn.js';
import { countWithStatus, postInBatches, waitUntilAllFinal } from './serveApi.js';
import { fmt } from './stats.js';

/**
 * VK end to end through a real `serve` process and the provider stand-in (in this process): HTTP accept → provider
 * requests of up to 1000 items → a signed `sent` and a signed `delivered` callback per message → `delivered`; timed
 * from the first POST until every message is final. Once with the pacing off (one group at 10,000/s), once with VK's
 * 50 messages/s per group over 4 groups, which the run should match (200 msg/s): the pacing, not the gateway, sets it.
 */
export async function benchVk(): Promise<void> {
  console.log('VK end to end over the provider stand-in (accept → batched send → sent + delivered callbacks → delivered)');
  await run('pacing off (1 group, throughput 10000/s)', 10_000, 1, 10_000);
  await run("pacing on (4 groups at VK's 50/s)", 1_000, 4, null);
}

async function run(label: string, messages: number, groups: number, throughput: number | null): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-vk-bench-'));
  const db = join(dir, 'gateway.db');
  const provider = await startVkProviderStandIn({ authValue: VK.authValue, callbackSecret: VK.callbackSecret, groupRatePerSecond: throughput === null ? 50 : 0 });
  try {
    const names = Array.from({ length: groups }, (_, i) => `${VK.senderName}${i}`);
    const configFile = join(dir, 'config.json');
    const vk = {
      providers: { [VK.profile]: { baseUrl: provider.baseUrl, authValue: VK.authValue, callbackSecret: VK.callbackSecret } },
      senders: names.map((senderName) => providerSender({ senderName, throughput })),
    };
    writeFileSync(configFile, JSON.stringify({ channels: { VK: { connector: 'vk' } }, vk }));
    cli(['migrate', '--create', '--db', db]);
    cli(['accounts', 'create', 'vk', '--balance', '100000000', '--db', db]);
    const auth = `Basic ${cli(['tokens', 'create', '--account', 'vk', '--type', '1', '--db', db])}`;
    const { child, origin } = await startServe(['--db', db, '--port', '0', '--config', configFile]);
    provider.setCallbackUrl(`${origin}/webhooks/vk/${VK.profile}`);
    try {
      const item = (i: number) => ({ channelType: 'VK', senderName: names[i % groups], destination: `7926${String(i).padStart(7, '0')}`, content: `Your code is ${String(i % 10_000).padStart(4, '0')}` });
      const started = performance.now();
      await postInBatches(origin, auth, messages, item);
      await waitUntilAllFinal(origin, auth);
      const seconds = (performance.now() - started) / 1000;
      const delivered = await countWithStatus(origin, auth, 'delivered');
      const refused = provider.batchSizes.reduce((a, b) => a + b, 0) - provider.sends.length - provider.duplicates;
      console.log(
        `  ${label}: ${messages} messages final in ${fmt(seconds, 2)} s, ${delivered} delivered, ${fmt(messages / seconds)} msg/s; ` +
          `${provider.batchSizes.length} provider requests (largest ${Math.max(...provider.batchSizes)} items), ${provider.callbackAttempts.length} callbacks, ${refused} items refused by the provider`,
      );
    } finally {
      await stopProcess(child);
    }
  } finally {
    await provider.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
