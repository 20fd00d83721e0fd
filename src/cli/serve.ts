import { InvalidArgumentError, type Command } from 'commander';
import { systemClock } from '../clock.js';
import type { GatewayConfig } from '../config.js';
import { ConfigError, loadConfig } from '../configLoad.js';
import { listeningOrigin } from '../http/origin.js';
import { VK_WEBHOOK_PATH } from '../http/routes/vkWebhooks.js';
import { WHATSAPP_WEBHOOK_PATH } from '../http/routes/whatsappWebhooks.js';
import { redactDatabasePassword } from '../store/databaseLocation.js';
import { ensureSandboxAccount, ensureSandboxSmppUser, sandboxKeyWorks, SANDBOX_SMPP_PASSWORD, SANDBOX_SMPP_SYSTEM_ID, SANDBOX_TOKEN } from '../sandbox.js';
import type { SmppDoor } from '../smppDoor/startSmppDoor.js';
import type { Store } from '../store/store.js';
import { CliError } from './cliError.js';
import { preflightServe } from './servePreflight.js';

interface ServeOptions {
  db?: string;
  port?: number;
  host?: string;
  config?: string;
  sandbox?: boolean;
  create?: boolean;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/i;

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the gateway: HTTP API and delivery')
    .option('--db <path>', 'SQLite file path or postgres:// URL (env DGW_DATABASE_URL)')
    .option('--create', 'create a SQLite file that does not exist yet (always done for ./data/gateway.db)')
    .option('--port <port>', 'HTTP port (env DGW_HTTP_PORT)', parsePort)
    .option('--host <host>', 'HTTP listen address (env DGW_HTTP_HOST)')
    .option('--config <file>', 'JSON settings file')
    .option('--sandbox', 'demo account on an empty database; loopback only; callbacks to private addresses allowed')
    .action(async (options: ServeOptions) => {
      const config = loadConfig({
        configFile: options.config,
        db: options.db,
        port: options.port,
        host: options.host,
        sandbox: options.sandbox ?? false,
      });
      await serve(config, { create: options.create ?? false });
    });
}

/** A malformed --port is a usage error (exit 2), reported before anything starts. */
function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535) throw new InvalidArgumentError(`Expected a port number 0..65535, got "${text}"`);
  return port;
}

export async function serve(config: GatewayConfig, { create }: { create: boolean }): Promise<void> {
  if (config.sandbox) {
    if (!LOOPBACK.test(config.http.host)) {
      throw new ConfigError(`--sandbox listens on loopback only; refusing host ${config.http.host}`);
    }
    // Integrators run their callback receivers on localhost (spec §5.10).
    config.callbacks.allowPrivateTargets = true;
    // The SMPP door too (smpp-interface.md §1), on loopback.
    config.smppServer.enabled = true;
    if (!LOOPBACK.test(config.smppServer.host)) throw new ConfigError(`--sandbox listens on loopback only; refusing smppServer.host ${config.smppServer.host}`);
  }
  await preflightServe(config, create);
  // Loaded here, not at the top: the admin commands should not pay for Fastify and the engine.
  const { startGateway } = await import('../gateway.js');
  const gateway = await startGateway(config, systemClock, (error) => {
    process.stderr.write(`direct-gateway: the delivery thread crashed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
  const { app } = gateway;
  const sandbox = config.sandbox ? await sandboxState(gateway.store) : null;
  try {
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (error) {
    await gateway.close();
    throw explainListenError(config, error);
  }
  const origin = listeningOrigin(app, config);
  printBanner(config, origin, sandbox, gateway.smpp);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    const timeoutMs = config.shutdownTimeoutMs;
    app.log.info({ signal, timeoutMs }, 'shutting down: no new connections; finishing in-flight requests, then stopping delivery');
    // What a cut leaves behind is safe: an answered request was committed first, and claimed messages are claimed again after their lease.
    setTimeout(() => {
      const openConnections = app.connectionGate.openConnections();
      app.log.error({ signal, timeoutMs, openConnections }, `shutdown timeout: not stopped within ${timeoutMs} ms; cutting ${openConnections} open connection(s) and what else is running, exiting with 1`);
      process.exit(1);
    }, timeoutMs).unref();
    try {
      await gateway.close();
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
    app.log.info({ signal }, 'stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** What the sandbox banner may promise: the example key only when it answers on this database. */
interface SandboxState {
  createdDemo: boolean;
  keyWorks: boolean;
  accounts: string[];
  /** The sandbox SMPP user binds with its published password. */
  smppUserWorks: boolean;
}

async function sandboxState(store: Store): Promise<SandboxState> {
  const createdDemo = await ensureSandboxAccount(store, systemClock.now());
  const keyWorks = createdDemo || (await sandboxKeyWorks(store));
  // Only on the sandbox's own database (its example key answers): an operator's `demo` account is never given a user.
  const smppUserWorks = keyWorks && (await ensureSandboxSmppUser(store, systemClock.now()));
  return { createdDemo, keyWorks, smppUserWorks, accounts: keyWorks ? [] : (await store.accounts.list()).map((a) => a.name) };
}

/** A port someone else holds is an operator's mistake, not a bug: say what to change instead of a stack trace. */
function explainListenError(config: GatewayConfig, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${config.http.host}:${config.http.port}`;
  if (code === 'EADDRINUSE') return new CliError(`port ${config.http.port} is in use (${where}); use --port or DGW_HTTP_PORT`);
  if (code === 'EACCES') return new CliError(`not allowed to listen on ${where}; use --port or DGW_HTTP_PORT (ports below 1024 need privileges)`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new CliError(`cannot listen on ${where}: no such local address; use --host or DGW_HTTP_HOST`);
  return error;
}

const TRY_IT_BODY =
  `-d '[{"channelType":"VOICECODE","senderName":"voicecode","destination":"14085553911","content":{"contentType": "text","text": "Код авторизации от revicom: 3 4 5 6"},"callbackUrl":"https://company.com/callback","callbackEvents":["sent","delivered"],"tags":["tag1","tag2"]}]'`;

function printBanner(config: GatewayConfig, origin: string, sandbox: SandboxState | null, smpp: SmppDoor | null): void {
  const lines = [`direct-gateway listening on ${origin}`, `  database: ${redactDatabasePassword(config.database)}`, `  API docs: ${origin}/docs`];
  if (smpp) {
    const host = config.smppServer.host.includes(':') ? `[${config.smppServer.host}]` : config.smppServer.host;
    const user = sandbox?.smppUserWorks ? ` (sandbox SMPP user: system_id "${SANDBOX_SMPP_SYSTEM_ID}", password "${SANDBOX_SMPP_PASSWORD}")` : '';
    lines.push(`  SMPP for clients: ${host}:${smpp.port}${smpp.tlsPort === null ? '' : `, TLS on port ${smpp.tlsPort}`}${user}`);
  }
  if (config.whatsapp.senders.length > 0) {
    lines.push(`  WhatsApp webhook: ${origin}${WHATSAPP_WEBHOOK_PATH} (behind your HTTPS address; ${config.whatsapp.senders.length} number(s))`);
  }
  for (const profile of Object.keys(config.vk.providers)) lines.push(`  VK provider "${profile}" callbacks: ${origin}${VK_WEBHOOK_PATH}/${profile}`);
  if (config.vk.senders.some((s) => s.adapter === 'community')) lines.push(`  VK Callback API (communities): ${origin}${VK_WEBHOOK_PATH}/community`);
  if (sandbox?.keyWorks) {
    lines.push(
      `  sandbox: ${sandbox.createdDemo ? 'created' : 'using'} account "demo" (type-1 key: Basic ${SANDBOX_TOKEN})`,
      '  sandbox: callbacks to localhost and private addresses are ALLOWED',
      '',
      'Try it:',
      `curl -X POST '${origin}/api/v1/message' \\`,
      `-H 'Content-Type: application/json' \\`,
      `-H 'Authorization: Basic ${SANDBOX_TOKEN}' \\`,
      TRY_IT_BODY,
    );
  } else if (sandbox) {
    // The database is the operator's (it had accounts): the demo account is never added to it.
    const account = sandbox.accounts[0] ?? 'ACCOUNT';
    const db = `--db '${redactDatabasePassword(config.database).replaceAll("'", "'\\''")}'`;
    lines.push(
      `  sandbox: this database already has accounts (${sandbox.accounts.join(', ')}), so no "demo" account was created, and the example key does not work here`,
      '  sandbox: callbacks to localhost and private addresses are ALLOWED',
      '',
      'Make a key for one of the accounts, then try it:',
      `TOKEN=$(direct-gateway tokens create --account ${account} --type 1 ${db})`,
      `curl -X POST '${origin}/api/v1/message' \\`,
      `-H 'Content-Type: application/json' \\`,
      `-H "Authorization: Basic $TOKEN" \\`,
      TRY_IT_BODY,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
