import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import type { GatewayConfig } from '../config.js';
import { ConfigError, loadConfig } from '../configLoad.js';
import { listeningOrigin } from '../http/origin.js';
import { redactDatabasePassword } from '../store/databaseLocation.js';
import { ensureSandboxAccount, SANDBOX_TOKEN } from '../sandbox.js';

interface ServeOptions {
  db?: string;
  port?: string;
  host?: string;
  config?: string;
  sandbox?: boolean;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/i;

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the gateway: HTTP API and delivery')
    .option('--db <path>', 'SQLite database file (env DGW_DATABASE_URL)')
    .option('--port <port>', 'HTTP port (env DGW_HTTP_PORT)')
    .option('--host <host>', 'HTTP listen address (env DGW_HTTP_HOST)')
    .option('--config <file>', 'JSON settings file')
    .option('--sandbox', 'demo account on an empty database; loopback only; callbacks to private addresses allowed')
    .action(async (options: ServeOptions) => {
      const config = loadConfig({
        configFile: options.config,
        db: options.db,
        port: options.port === undefined ? undefined : parsePort(options.port),
        host: options.host,
        sandbox: options.sandbox ?? false,
      });
      await serve(config);
    });
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new ConfigError(`--port must be 0..65535, got "${text}"`);
  return port;
}

export async function serve(config: GatewayConfig): Promise<void> {
  if (config.sandbox) {
    if (!LOOPBACK.test(config.http.host)) {
      throw new ConfigError(`--sandbox listens on loopback only; refusing host ${config.http.host}`);
    }
    // Integrators run their callback receivers on localhost (spec §5.10).
    config.callbacks.allowPrivateTargets = true;
  }
  // Loaded here, not at the top: the admin commands should not pay for Fastify and the engine.
  const { startGateway } = await import('../gateway.js');
  const gateway = await startGateway(config, systemClock, (error) => {
    process.stderr.write(`direct-gateway: the delivery thread crashed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
  const { app } = gateway;
  const createdDemo = config.sandbox ? await ensureSandboxAccount(gateway.store, systemClock.now()) : false;
  await app.listen({ host: config.http.host, port: config.http.port });
  const origin = listeningOrigin(app, config);
  printBanner(config, origin, createdDemo);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests, stopping delivery');
    await gateway.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

function printBanner(config: GatewayConfig, origin: string, createdDemo: boolean): void {
  const lines = [`direct-gateway listening on ${origin}`, `  database: ${redactDatabasePassword(config.database)}`, `  API docs: ${origin}/docs`];
  if (config.sandbox) {
    lines.push(
      `  sandbox: ${createdDemo ? 'created' : 'using'} account "demo" (type-1 key: Basic ${SANDBOX_TOKEN})`,
      '  sandbox: callbacks to localhost and private addresses are ALLOWED',
      '',
      'Try it:',
      `curl -X POST '${origin}/api/v1/message' \\`,
      `-H 'Content-Type: application/json' \\`,
      `-H 'Authorization: Basic ${SANDBOX_TOKEN}' \\`,
      `-d '[{"channelType":"VOICECODE","senderName":"voicecode","destination":"14085553911","content":{"contentType": "text","text": "Код авторизации от revicom: 3 4 5 6"},"callbackUrl":"https://company.com/callback","callbackEvents":["sent","delivered"],"tags":["tag1","tag2"]}]'`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
