/**
 * The store contract suite (test/store/contract/) run against every backend: SQLite always; PostgreSQL when
 * DGW_TEST_POSTGRES_URL is set (CI sets it, and then an unreachable database fails the run), otherwise skipped
 * with a visible message. Every store the suite opens is fresh: a new SQLite file, or a new PostgreSQL database
 * created through a maintenance connection and dropped when the store is closed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import postgres from 'postgres';
import { openStore } from '../../src/store/openStore.js';
import { storeContract, type OpenedStore, type OpenStore } from './contract/storeContract.js';

function sqliteStores(): OpenStore {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-store-contract-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return async (): Promise<OpenedStore> => {
    n += 1;
    const path = join(dir, `store-${n}.db`);
    const store = await openStore(path);
    return {
      store,
      another: () => openStore(path),
      async close() {
        await store.close();
        for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
      },
    };
  };
}

function postgresStores(url: string): OpenStore {
  // One maintenance connection creates and drops the suite's databases.
  const admin = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} });
  const created = new Set<string>();
  const drop = async (name: string) => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    created.delete(name);
  };
  after(async () => {
    try {
      for (const name of [...created]) await drop(name);
    } finally {
      await admin.end({ timeout: 5 });
    }
  });

  // Asked once: when the database is unreachable, this test and every store the suite opens fail at once.
  let reachable: Promise<unknown> | undefined;
  const check = () => (reachable ??= admin`select 1 as ok`.then(() => true));
  test('PostgreSQL contract: the database at DGW_TEST_POSTGRES_URL answers', async () => {
    await check();
  });

  return async (): Promise<OpenedStore> => {
    await check();
    const name = `dgw_contract_${randomBytes(6).toString('hex')}`;
    await admin.unsafe(`create database "${name}"`);
    created.add(name);
    const location = new URL(url);
    location.pathname = `/${name}`;
    let store;
    try {
      store = await openStore(location.toString());
    } catch (error) {
      await drop(name);
      throw error;
    }
    const opened = store;
    return {
      store: opened,
      another: () => openStore(location.toString()),
      async close() {
        try {
          await opened.close();
        } finally {
          await drop(name);
        }
      },
    };
  };
}

storeContract('SQLite store contract', sqliteStores());

const postgresUrl = process.env.DGW_TEST_POSTGRES_URL;
if (postgresUrl) storeContract('PostgreSQL store contract', postgresStores(postgresUrl));
else test.skip('PostgreSQL contract: DGW_TEST_POSTGRES_URL is not set');
