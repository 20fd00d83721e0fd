import type { Command } from 'commander';
import { generateApiKey, hashSecret } from '../auth/apiKeys.js';
import type { KeyType, Store } from '../store/store.js';
import { addStoreOptions, requireAccount, withStore, type StoreOptions } from './adminStore.js';
import { CliError } from './cliError.js';
import { formatTable, isoSeconds } from './format.js';
import { parseAccountName, parseKeyType, parsePositiveInteger } from './parsers.js';

export function registerTokensCommands(program: Command): void {
  const tokens = program.command('tokens').description('Issue, list and revoke API keys (spec §3.1)');

  addStoreOptions(
    tokens
      .command('create')
      .description('Issue an API key; prints only the token (what goes after "Basic ") on stdout, once')
      .requiredOption('--account <name>', 'account that owns the key', parseAccountName)
      .requiredOption('--type <type>', 'key type: 1 messages, 2 sender names, 3 verification API, 4 verification widget', parseKeyType)
      .option('--traffic-center <id>', 'traffic centre copied into every message the key sends', parsePositiveInteger, 1)
      .option('--name <name>', 'a label for the key (spec §3.1), e.g. the system that uses it'),
  ).action(async (options: StoreOptions & { account: string; type: KeyType; trafficCenter: number; name?: string }) => {
    await withStore(options, async (store) => {
      const account = await requireAccount(store, options.account);
      const key = generateApiKey();
      const record = await store.keys.create(
        {
          keyId: key.keyId,
          secretHash: hashSecret(key.secret),
          type: options.type,
          accountId: account.id,
          trafficCenterId: options.trafficCenter,
          name: options.name ?? null,
        },
        Date.now(),
      );
      // stdout carries the token alone so that `TOKEN=$(direct-gateway tokens create …)` just works.
      process.stderr.write(
        `created key ${record.keyId} (id ${record.id}, type ${record.type}, account ${account.name}, traffic centre ${record.trafficCenterId}); ` +
          'the token below is shown only this once\n',
      );
      process.stdout.write(`${key.token}\n`);
    });
  });

  addStoreOptions(
    tokens
      .command('list')
      .description("List an account's keys (never their secrets)")
      .requiredOption('--account <name>', 'account name', parseAccountName),
  ).action(async (options: StoreOptions & { account: string }) => {
    await withStore(options, async (store) => {
      const account = await requireAccount(store, options.account);
      const keys = await store.keys.listForAccount(account.id);
      if (keys.length === 0) {
        process.stderr.write(`account ${account.name} has no keys\n`);
        return;
      }
      const rows = keys.map((key) => [
        String(key.id),
        key.keyId,
        String(key.type),
        String(key.trafficCenterId),
        key.name ?? '-',
        isoSeconds(key.createdAt),
        key.revokedAt === null ? '-' : isoSeconds(key.revokedAt),
      ]);
      process.stdout.write(formatTable(['id', 'key id', 'type', 'traffic centre', 'name', 'created', 'revoked'], rows));
    });
  });

  addStoreOptions(
    tokens
      .command('revoke')
      .description('Revoke a key: it then gets 4012 like an unknown key')
      .argument('<id>', 'the key\'s id (first column of "tokens list") or its key id'),
  ).action(async (id: string, options: StoreOptions) => {
    await withStore(options, async (store) => {
      const numericId = await resolveKey(store, id);
      if (!(await store.keys.revoke(numericId, Date.now()))) throw new CliError(`no active key with id ${id} (unknown or already revoked)`);
      process.stdout.write(`revoked key ${id}\n`);
    });
  });
}

/** Digits are the row id; anything else is a key id, which only finds a key that is still active. */
async function resolveKey(store: Store, id: string): Promise<number> {
  if (/^\d+$/.test(id)) return Number(id);
  const key = await store.keys.findActive(id);
  if (!key) throw new CliError(`no active key with key id ${id} (unknown or already revoked)`);
  return key.id;
}
