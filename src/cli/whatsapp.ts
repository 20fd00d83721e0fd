import type { Command } from 'commander';
import { resumedWaiting } from '../connectors/senderBreaker.js';
import { graphAccess } from '../connectors/whatsapp/whatsappConnector.js';
import { syncTemplates } from '../connectors/whatsapp/templateSync.js';
import type { WhatsAppSenderConfig } from '../connectors/whatsapp/whatsappSettings.js';
import { addStoreOptions, withStore, type StoreOptions } from './adminStore.js';
import { CliError } from './cliError.js';
import { formatTable, isoSeconds, masked } from './format.js';

/**
 * The WhatsApp numbers of the config file (`whatsapp.senders`): what is configured (secrets masked, never printed),
 * which the circuit breaker paused, and the template registry each node reads.
 */
export function registerWhatsAppCommands(program: Command): void {
  const whatsapp = program.command('whatsapp').description('WhatsApp Business Cloud API: senders, pauses, templates');
  const senders = whatsapp.command('senders').description('The numbers of whatsapp.senders in the config file');

  addStoreOptions(senders.command('list').description('List the configured numbers (secrets masked) and whether each is paused')).action(
    async (options: StoreOptions) => {
      await withStore(options, async (store, config) => {
        const paused = new Map((await store.whatsapp.pausedSenders()).map((p) => [p.senderName, p]));
        if (config.whatsapp.senders.length === 0) {
          process.stderr.write('no WhatsApp senders configured (whatsapp.senders in the config file)\n');
          return;
        }
        const rows = config.whatsapp.senders.map((s) => {
          const pause = paused.get(s.senderName);
          return [
            s.senderName,
            s.phoneNumberId,
            s.wabaId,
            s.graphVersion ?? config.whatsapp.graphVersion,
            String(s.throughput),
            masked(s.accessToken),
            pause ? `PAUSED since ${isoSeconds(pause.pausedAt)}: ${pause.reason}` : 'sending',
          ];
        });
        process.stdout.write(formatTable(['sender', 'phone number id', 'WABA', 'version', 'msg/s', 'token', 'state'], rows));
      });
    },
  );

  addStoreOptions(
    senders
      .command('resume')
      .description('Resume a sender the circuit breaker paused (after fixing its token or account); every node sends again within seconds')
      .argument('<sender>', 'the sender name'),
  ).action(async (senderName: string, options: StoreOptions) => {
    await withStore(options, async (store) => {
      if (!(await store.whatsapp.resumeSender(senderName, resumedWaiting(Date.now())))) throw new CliError(`WhatsApp sender "${senderName}" is not paused`);
      process.stdout.write(`resumed WhatsApp sender ${senderName}\n`);
    });
  });

  const templates = whatsapp.command('templates').description("The template registry synced from each WABA's message_templates");
  addStoreOptions(
    templates
      .command('sync')
      .description("Sync the registry now from Meta's Graph API (serve also does it at start and every whatsapp.templateSyncMs)")
      .option('--waba <id>', 'only this WhatsApp Business Account'),
  ).action(async (options: StoreOptions & { waba?: string }) => {
    await withStore(options, async (store, config) => {
      const targets = wabaSenders(config.whatsapp.senders, options.waba);
      for (const sender of targets) {
        try {
          const synced = await syncTemplates(graphAccess(config.whatsapp, sender), sender.wabaId, store.whatsapp, Date.now);
          process.stdout.write(`WABA ${sender.wabaId}: ${synced.length} templates\n`);
        } catch (error) {
          throw new CliError(`WABA ${sender.wabaId}: ${(error as Error).message}`);
        }
      }
    });
  });

  addStoreOptions(templates.command('list').description('List the registry').option('--waba <id>', 'only this WhatsApp Business Account')).action(
    async (options: StoreOptions & { waba?: string }) => {
      await withStore(options, async (store, config) => {
        const rows: string[][] = [];
        for (const sender of wabaSenders(config.whatsapp.senders, options.waba)) {
          const synced = await store.whatsapp.templatesSyncedAt(sender.wabaId);
          for (const t of await store.whatsapp.templates(sender.wabaId)) {
            rows.push([t.wabaId, t.name, t.language, t.status, t.category, String(t.bodyParameters), t.id, synced === null ? '-' : isoSeconds(synced)]);
          }
        }
        if (rows.length === 0) {
          process.stderr.write('no templates (run: direct-gateway whatsapp templates sync)\n');
          return;
        }
        process.stdout.write(formatTable(['WABA', 'name', 'language', 'status', 'category', 'parameters', 'id', 'synced'], rows));
      });
    },
  );
}

/** One sender per WABA (a WABA's templates are the same whichever of its numbers asks). */
function wabaSenders(senders: WhatsAppSenderConfig[], waba: string | undefined): WhatsAppSenderConfig[] {
  const chosen = waba === undefined ? senders : senders.filter((s) => s.wabaId === waba);
  if (chosen.length === 0) throw new CliError(waba === undefined ? 'no WhatsApp senders configured (whatsapp.senders)' : `no whatsapp.senders row has wabaId ${waba}`);
  return [...new Map(chosen.map((s) => [s.wabaId, s])).values()];
}
