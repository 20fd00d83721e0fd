import postgres from 'postgres';
import type { Sql, TransactionSql } from 'postgres';

export type { Sql, TransactionSql };

export interface PostgresOptions {
  /** Connections in the pool; each `serve` process holds its own pool. */
  max?: number;
  /** Shown in pg_stat_activity, to tell the nodes apart. */
  applicationName?: string;
}

/**
 * Opens a pool on a `postgres://` URL. int8 columns (epoch ms, money units, ids) come back as JS numbers:
 * they stay far below 2^53, and the domain computes with numbers. Notices (e.g. "relation already exists,
 * skipping") are not news for a server, so they are dropped.
 */
export function connectPostgres(url: string, options: PostgresOptions = {}): Sql {
  const sql = postgres(url, {
    max: options.max ?? 10,
    idle_timeout: 60,
    connect_timeout: 10,
    onnotice: () => {},
    types: {
      bigint: { to: 20, from: [20], serialize: (value: number) => String(value), parse: (raw: string) => Number(raw) },
    },
    connection: { application_name: options.applicationName ?? 'direct-gateway' },
  });
  // The custom type only changes how int8 parses; callers take the plain Sql type.
  return sql as unknown as Sql;
}

/** SQLSTATEs after which a transaction may simply be run again: deadlock, serialization failure. */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Runs `work` in a transaction, again (up to 3 times) when PostgreSQL aborted it to break a deadlock:
 * row locks taken in different orders by different nodes (a stop and a batch of reports) can meet.
 */
export async function inTransaction<T>(sql: Sql, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await sql.begin((tx) => work(tx))) as T;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 3 || code === undefined || !RETRYABLE.has(code)) throw error;
    }
  }
}
