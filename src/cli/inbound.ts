import type { Command } from 'commander';
import { addStoreOptions, withStore, type StoreOptions } from './adminStore.js';
import { formatTable, isoSeconds } from './format.js';
import { parsePositiveInteger } from './parsers.js';

/** Inbound messages that reached no account: the operator sees them here instead of the gateway guessing an owner. */
export function registerInboundCommands(program: Command): void {
  const inbound = program.command('inbound').description('Messages subscribers sent (inbound SMS)');

  addStoreOptions(
    inbound
      .command('unmatched')
      .description('List inbound messages that reached no account (no or several owners of the address), newest first')
      .option('--limit <n>', 'at most this many', parsePositiveInteger, 100),
  ).action(async (options: StoreOptions & { limit: number }) => {
    await withStore(options, async (store) => {
      const unmatched = await store.messages.unmatchedInbound(options.limit);
      if (unmatched.length === 0) {
        process.stderr.write('no unmatched inbound messages\n');
        return;
      }
      const rows = unmatched.map((m) => [isoSeconds(m.receivedAt), m.channelType, m.from, m.to, m.reason, m.candidates.join(',') || '-', oneLine(m.text)]);
      process.stdout.write(formatTable(['received', 'channel', 'from', 'to', 'reason', 'accounts', 'text'], rows));
    });
  });
}

/** A table row is one line: line breaks and tabs in the text are shown escaped. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t]/g, (c) => ({ '\r': '\\r', '\n': '\\n', '\t': '\\t' })[c]!);
}
