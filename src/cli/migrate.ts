import type { Command } from 'commander';
import { loadConfig } from '../configLoad.js';
import { checkDatabaseLocation, isPostgresUrl, redactDatabasePassword as redactPassword } from '../store/databaseLocation.js';
import { CliError } from './cliError.js';
import { mayCreateDatabase } from './databaseCreation.js';

interface MigrateOptions {
  db?: string;
  config?: string;
  create?: boolean;
}

/**
 * `direct-gateway migrate`: brings the database schema up to date and exits. `serve` migrates on start too;
 * this is for operators who migrate as a deploy step, before starting (or while running) their nodes.
 */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Create or update the database schema, then exit')
    .option('--db <url>', 'SQLite file path or postgres:// URL (default: $DGW_DATABASE_URL, else ./data/gateway.db)')
    .option('--config <file>', 'JSON config file (README "Settings")')
    .option('--create', 'create a SQLite file that does not exist yet (always done for ./data/gateway.db)')
    .action(async (options: MigrateOptions) => {
      const { database } = loadConfig({ configFile: options.config, db: options.db });
      checkDatabaseLocation(database);
      try {
        const message = isPostgresUrl(database)
          ? await migratePostgresDatabase(database)
          : await migrateSqliteDatabase(database, mayCreateDatabase(database, options.create ?? false));
        process.stdout.write(`${message}\n`);
      } catch (error) {
        throw new CliError(`cannot migrate database ${redactPassword(database)}: ${(error as Error).message}`);
      }
    });
}

async function migratePostgresDatabase(url: string): Promise<string> {
  const { connectPostgres } = await import('../store/postgres/connection.js');
  const { migratePostgres, LATEST_SCHEMA_VERSION } = await import('../store/postgres/schema.js');
  const sql = connectPostgres(url, { max: 1, applicationName: 'direct-gateway migrate' });
  try {
    const applied = await migratePostgres(sql);
    return describe(applied, LATEST_SCHEMA_VERSION);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** SQLite migrates whenever it is opened. */
async function migrateSqliteDatabase(path: string, create: boolean): Promise<string> {
  const { openSqliteDatabase } = await import('../store/sqlite/sqliteStore.js');
  const db = openSqliteDatabase(path, { create });
  const version = (db.prepare('select max(version) as v from schema_migrations').get() as { v: number }).v;
  db.close();
  return `schema is at version ${version}`;
}

function describe(applied: number[], latest: number): string {
  return applied.length === 0
    ? `schema is at version ${latest}: nothing to do`
    : `applied migration${applied.length === 1 ? '' : 's'} ${applied.join(', ')}; schema is at version ${latest}`;
}
