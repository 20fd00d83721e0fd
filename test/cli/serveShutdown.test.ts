/**
 * SIGTERM under load (issue 10 item 11): `serve` as its own process, clients on kept-alive connections.
 * Every request that reached the gateway is answered (the last ones with `Connection: close`), none is reset,
 * every message answered as created is in the store, and the log ends with "stopped". SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/openStore.js';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from '../support/postgresDatabase.js';
import { startServe } from '../support/serveProcess.js';
import { storeAccount } from '../support/storeAccount.js';
import { createdDatabase, tempDir } from './cliHarness.js';

const CLIENTS = 16;
/** Load before the signal, so that every client holds a kept-alive connection when it comes. */
const WARM_UP_MS = 700;

interface Outcome {
  status: number;
  connection: string | undefined;
  uuids: string[];
  afterSignal: boolean;
}

function settingsFile(settings: unknown): string {
  const path = join(tempDir(), 'settings.json');
  writeFileSync(path, JSON.stringify(settings));
  return path;
}

/** One POST /message of one FLASHCALL on the client's own kept-alive connection. */
function send(origin: string, agent: Agent, auth: string): Promise<{ status: number; connection: string | undefined; body: any }> {
  const body = JSON.stringify([{ channelType: 'FLASHCALL', senderName: 'load', destination: '14085553911', content: '1234' }]);
  const url = new URL('/api/v1/message', origin);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { authorization: auth, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text ? JSON.parse(text) : undefined }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function sigtermUnderLoad(database: string): Promise<void> {
  const { auth, accountId } = await storeAccount(database);
  const config = settingsFile({ shutdownTimeoutMs: 20_000 });
  const { child, origin } = await startServe(['--db', database, '--port', '0', '--config', config], { DGW_LOG_LEVEL: 'info' });
  let log = '';
  child.stdout!.on('data', (chunk: string) => (log += chunk));
  const exited = once(child, 'exit');

  let signalled = false;
  const outcomes: Outcome[] = [];
  const failures: string[] = [];
  const client = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (;;) {
        try {
          const answer = await send(origin, agent, auth);
          const uuids = (answer.body?.items ?? []).map((item: { messageUuid?: string }) => item.messageUuid).filter(Boolean);
          outcomes.push({ status: answer.status, connection: answer.connection, uuids, afterSignal: signalled });
        } catch (error) {
          // Refused at connect: the gateway no longer listens, nothing was sent. Anything else lost a request.
          if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED' && signalled) return;
          failures.push(`${(error as NodeJS.ErrnoException).code ?? ''} ${(error as Error).message}`);
          if (!signalled) return;
        }
      }
    } finally {
      agent.destroy();
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
  signalled = true;
  child.kill('SIGTERM');
  await Promise.all(clients);
  const [code] = await exited;

  assert.deepEqual(failures, [], `requests lost at shutdown (${outcomes.length} answered)`);
  assert.equal(code, 0, log.slice(-2000));
  assert.ok(outcomes.length > CLIENTS, `too little load: ${outcomes.length} answers`);
  assert.ok(outcomes.every((o) => o.status === 200), JSON.stringify(outcomes.filter((o) => o.status !== 200).slice(0, 3)));
  const closing = outcomes.filter((o) => o.afterSignal && o.connection === 'close');
  assert.ok(closing.length >= 1, 'no answer came during the drain: the signal missed the load');
  const lines = log.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg: string });
  assert.equal(lines.at(-1)?.msg, 'stopped', log.slice(-2000));

  const created = outcomes.flatMap((o) => o.uuids);
  assert.equal(created.length, outcomes.length, 'every answer created its one message');
  const store = await openStore(database);
  try {
    for (const uuid of created) assert.ok(await store.messages.get(accountId, uuid), `answered ${uuid} but it is not stored`);
  } finally {
    await store.close();
  }
}

describe('SIGTERM under load: nothing reset, everything answered is stored, "stopped" logged', () => {
  it('SQLite', { timeout: 120_000 }, async () => {
    await sigtermUnderLoad(createdDatabase(join(tempDir(), 'gateway.db')));
  });

  it('PostgreSQL', { timeout: 120_000, skip: SKIP_WITHOUT_POSTGRES }, async () => {
    const database = await createTestDatabase('dgw_shutdown');
    try {
      await sigtermUnderLoad(database.url);
    } finally {
      await database.drop();
    }
  });
});
