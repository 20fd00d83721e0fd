import type { Command } from 'commander';
import { generateSmppPassword, hashSmppPassword } from '../auth/smppPasswords.js';
import { parseCallbackUrl, redactCallbackUrl } from '../domain/callbackUrl.js';
import {
  isMessageIdFormat,
  isValidSystemId,
  limitProblem,
  MESSAGE_ID_FORMATS,
  parseAllowList,
  SMPP_USER_DEFAULTS,
  type SmppNumericLimit,
  type SmppUser,
  type SmppUserLimits,
} from '../domain/smppUser.js';
import type { Store } from '../store/store.js';
import { addStoreOptions, requireAccount, withStore, type StoreOptions } from './adminStore.js';
import { CliError } from './cliError.js';
import { formatTable, isoSeconds } from './format.js';
import { parseAccountName } from './parsers.js';

/** The options of `create` and `set-limits`, as typed: checked in the action, so every mistake is a CliError. */
interface LimitOptions {
  allow?: string[];
  maxBinds?: string;
  throughput?: string;
  window?: string;
  messageIdFormat?: string;
  callbackUrl?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function addLimitOptions(command: Command, defaults: boolean): Command {
  const d = (text: string) => (defaults ? ` (default ${text})` : '');
  return command
    .option('--allow <cidr>', `an address or CIDR (IPv4 or IPv6) the user may bind from; repeat for more${defaults ? ' (default: any address)' : '; replaces the list'}`, collect)
    .option('--max-binds <n>', `sessions bound at once, 1–100${d(String(SMPP_USER_DEFAULTS.maxBinds))}`)
    .option('--throughput <n>', `submit_sm per second, 0–100000, 0 = no limit${d(String(SMPP_USER_DEFAULTS.throughput))}`)
    .option('--window <n>', `unanswered submits per session, 1–1000${d(String(SMPP_USER_DEFAULTS.window))}`)
    .option('--message-id-format <format>', `message_id of submit_sm_resp: ${MESSAGE_ID_FORMATS.join(', ')}${d(SMPP_USER_DEFAULTS.messageIdFormat)}`)
    .option('--callback-url <url>', 'callbackUrl given to every message the user submits (as the API\'s, spec §5.10)');
}

function checkedInteger(limit: SmppNumericLimit, flag: string, text: string): number {
  const value = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
  const problem = limitProblem(limit, value);
  if (problem !== null) throw new CliError(`${flag} ${text}: ${problem.replace(limit, flag)}`);
  return value;
}

/** The settings the options give, each checked; options not given stay undefined. */
function checkedLimits(options: LimitOptions): Partial<SmppUserLimits> {
  const limits: Partial<SmppUserLimits> = {};
  if (options.allow !== undefined) {
    const parsed = parseAllowList(options.allow);
    if (!parsed.ok) throw new CliError(`--allow ${parsed.bad}: not an IPv4 or IPv6 address or CIDR (e.g. 192.0.2.0/24, 2001:db8::/32)`);
    limits.allowList = parsed.list;
  }
  if (options.maxBinds !== undefined) limits.maxBinds = checkedInteger('maxBinds', '--max-binds', options.maxBinds);
  if (options.throughput !== undefined) limits.throughput = checkedInteger('throughput', '--throughput', options.throughput);
  if (options.window !== undefined) limits.window = checkedInteger('window', '--window', options.window);
  if (options.messageIdFormat !== undefined) {
    if (!isMessageIdFormat(options.messageIdFormat)) {
      throw new CliError(`--message-id-format ${options.messageIdFormat}: expected one of ${MESSAGE_ID_FORMATS.join(', ')}`);
    }
    limits.messageIdFormat = options.messageIdFormat;
  }
  if (options.callbackUrl !== undefined) {
    const url = parseCallbackUrl(options.callbackUrl);
    if (url === null) throw new CliError(`--callback-url ${options.callbackUrl}: not an http(s) URL a callback can be sent to (spec §5.10)`);
    limits.callbackUrl = url;
  }
  return limits;
}

function checkedSystemId(systemId: string): string {
  if (!isValidSystemId(systemId)) {
    throw new CliError(`invalid system_id ${JSON.stringify(systemId)}: 1–15 printable ASCII characters, no spaces (SMPP 3.4)`);
  }
  return systemId;
}

/** A user that exists and is not revoked. */
async function requireActiveUser(store: Store, systemId: string): Promise<SmppUser> {
  const found = await store.smppUsers.bySystemId(systemId);
  if (!found) throw new CliError(`no SMPP user with system_id ${JSON.stringify(systemId)} (see: direct-gateway smpp users list)`);
  if (found.user.revokedAt !== null) throw new CliError(`SMPP user ${systemId} was revoked at ${isoSeconds(found.user.revokedAt)}`);
  return found.user;
}

const allowText = (list: string[]): string => (list.length === 0 ? 'any' : list.join(','));
const throughputText = (n: number): string => (n === 0 ? 'no limit' : String(n));

function describeLimits(user: SmppUser): string {
  return (
    `allow ${allowText(user.allowList)}, max binds ${user.maxBinds}, throughput ${throughputText(user.throughput)}, ` +
    `window ${user.window}, message ids ${user.messageIdFormat}, callback ${user.callbackUrl === null ? '-' : redactCallbackUrl(user.callbackUrl)}`
  );
}

/**
 * SMPP users (smpp-interface.md §2): the system_id and password an ESME binds with. The password is generated,
 * printed once on stdout (like `tokens create` prints its token) and stored only as a scrypt hash.
 */
export function registerSmppCommands(program: Command): void {
  const smpp = program.command('smpp').description('SMPP server: the users client ESMEs bind as (smpp-interface.md)');
  const users = smpp.command('users').description('Create, list, revoke SMPP users; change their password and limits');

  addStoreOptions(
    addLimitOptions(
      users
        .command('create')
        .description('Create an SMPP user; prints only its password on stdout, once')
        .argument('<systemId>', 'the system_id it binds with: 1–15 printable ASCII characters, unique (a revoked one is never reused)')
        .requiredOption('--account <name>', 'account the user sends for', parseAccountName),
      true,
    ),
  ).action(async (systemId: string, options: StoreOptions & LimitOptions & { account: string }) => {
    checkedSystemId(systemId);
    const limits = checkedLimits(options);
    await withStore(options, async (store) => {
      const account = await requireAccount(store, options.account);
      const password = generateSmppPassword();
      const user = await store.smppUsers.create(
        {
          systemId,
          accountId: account.id,
          allowList: limits.allowList ?? [],
          maxBinds: limits.maxBinds ?? SMPP_USER_DEFAULTS.maxBinds,
          throughput: limits.throughput ?? SMPP_USER_DEFAULTS.throughput,
          window: limits.window ?? SMPP_USER_DEFAULTS.window,
          messageIdFormat: limits.messageIdFormat ?? SMPP_USER_DEFAULTS.messageIdFormat,
          callbackUrl: limits.callbackUrl ?? null,
        },
        await hashSmppPassword(password),
        Date.now(),
      );
      if (!user) throw new CliError(`system_id ${systemId} is taken (by a user active or revoked: a system_id is never reused)`);
      // stdout carries the password alone so that `PASSWORD=$(direct-gateway smpp users create …)` just works.
      process.stderr.write(
        `created SMPP user ${user.systemId} (id ${user.id}, account ${account.name}; ${describeLimits(user)}); ` +
          'the password below is shown only this once\n',
      );
      process.stdout.write(`${password}\n`);
    });
  });

  addStoreOptions(
    users
      .command('list')
      .description('List SMPP users, revoked ones too (never their passwords)')
      .option('--account <name>', "only this account's users", parseAccountName),
  ).action(async (options: StoreOptions & { account?: string }) => {
    await withStore(options, async (store) => {
      const account = options.account === undefined ? undefined : await requireAccount(store, options.account);
      const list = await store.smppUsers.list(account?.id);
      if (list.length === 0) {
        process.stderr.write(account ? `account ${account.name} has no SMPP users\n` : 'no SMPP users\n');
        return;
      }
      const names = new Map((await store.accounts.list()).map((a) => [a.id, a.name]));
      const rows = list.map((user) => [
        user.systemId,
        names.get(user.accountId) ?? String(user.accountId),
        allowText(user.allowList),
        String(user.maxBinds),
        throughputText(user.throughput),
        String(user.window),
        user.messageIdFormat,
        user.callbackUrl === null ? '-' : redactCallbackUrl(user.callbackUrl),
        isoSeconds(user.createdAt),
        user.revokedAt === null ? '-' : isoSeconds(user.revokedAt),
      ]);
      process.stdout.write(
        formatTable(['system id', 'account', 'allow', 'max binds', 'submits/s', 'window', 'message ids', 'callback url', 'created', 'revoked'], rows),
      );
    });
  });

  addStoreOptions(
    users
      .command('revoke')
      .description('Revoke an SMPP user: its binds then fail with Invalid System ID; the system_id is never reused')
      .argument('<systemId>', 'the system_id'),
  ).action(async (systemId: string, options: StoreOptions) => {
    await withStore(options, async (store) => {
      await requireActiveUser(store, systemId);
      if (!(await store.smppUsers.revoke(systemId, Date.now()))) throw new CliError(`SMPP user ${systemId} was revoked meanwhile`);
      process.stdout.write(`revoked SMPP user ${systemId}\n`);
    });
  });

  addStoreOptions(
    users
      .command('set-password')
      .description('Give an SMPP user a new password; prints only the password on stdout, once; the old one no longer binds')
      .argument('<systemId>', 'the system_id'),
  ).action(async (systemId: string, options: StoreOptions) => {
    await withStore(options, async (store) => {
      await requireActiveUser(store, systemId);
      const password = generateSmppPassword();
      if (!(await store.smppUsers.setPassword(systemId, await hashSmppPassword(password)))) {
        throw new CliError(`SMPP user ${systemId} was revoked meanwhile`);
      }
      process.stderr.write(`new password for SMPP user ${systemId}; the password below is shown only this once\n`);
      process.stdout.write(`${password}\n`);
    });
  });

  addStoreOptions(
    addLimitOptions(
      users
        .command('set-limits')
        .description('Change the settings of an SMPP user; those not given stay as they are')
        .argument('<systemId>', 'the system_id'),
      false,
    )
      .option('--allow-any', 'clear the allow-list: any address may bind')
      .option('--clear-callback-url', 'no callbackUrl on the messages the user submits'),
  ).action(async (systemId: string, options: StoreOptions & LimitOptions & { allowAny?: boolean; clearCallbackUrl?: boolean }) => {
    if (options.allowAny && options.allow !== undefined) throw new CliError('--allow and --allow-any exclude each other');
    if (options.clearCallbackUrl && options.callbackUrl !== undefined) throw new CliError('--callback-url and --clear-callback-url exclude each other');
    const limits = checkedLimits(options);
    if (options.allowAny) limits.allowList = [];
    if (options.clearCallbackUrl) limits.callbackUrl = null;
    if (Object.keys(limits).length === 0) {
      throw new CliError('nothing to change: give --allow, --allow-any, --max-binds, --throughput, --window, --message-id-format, --callback-url or --clear-callback-url');
    }
    await withStore(options, async (store) => {
      await requireActiveUser(store, systemId);
      const user = await store.smppUsers.setLimits(systemId, limits);
      if (!user) throw new CliError(`SMPP user ${systemId} was revoked meanwhile`);
      process.stdout.write(`SMPP user ${systemId}: ${describeLimits(user)}\n`);
    });
  });
}
