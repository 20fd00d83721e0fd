import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/**
 * A fresh PostgreSQL database for one test file, on the server of `DGW_TEST_POSTGRES_URL`; dropped by `drop()`.
 * Without the variable there is none (tests skip, saying why); with it set, an unreachable server fails them.
 */
// An empty value counts as unset (a CI variable defined but empty).
export const POSTGRES_URL = process.env.DGW_TEST_POSTGRES_URL || null;

export const SKIP_WITHOUT_POSTGRES = POSTGRES_URL === null ? 'DGW_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped' : false;

export async function createTestDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (POSTGRES_URL === null) throw new Error('DGW_TEST_POSTGRES_URL is not set');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
