/**
 * The SMPP door for clients under kill -9 (smpp-interface.md §3: ESME_ROK only once durable; §4: receipts never lost):
 * - a client submits N messages with registered_delivery 1 over a transceiver (window 100), the first half answered
 *   and some receipts received, and `serve` is killed with SIGKILL during the second half: every submit answered ESME_ROK is a message after the restart, and once the client
 *   binds again every such message's receipt arrives (at least once: the duplicates are counted and printed, never
 *   asserted);
 * - the parts of a concatenation answered ESME_ROK survive the kill, and the message is made once, of every part,
 *   when the last part arrives after the restart (its first two parts are sent before the bulk, the third by the
 *   second test, to the restarted gateway).
 * On SQLite always, on PostgreSQL when DGW_TEST_POSTGRES_URL is set.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { toGsm7Septets } from '../../src/smpp/gsm7.js';
import { encodePdu, LeanEsme } from '../support/leanEsme.js';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from '../support/postgresDatabase.js';
import { apiCall, until } from '../support/processHarness.js';
import { stopProcess } from '../support/serveProcess.js';
import { createSmppUser, DOOR_SENDER, prepareDoorDatabase, startDoorServe, writeDoorConfig, type DoorServe } from '../support/smppDoorServe.js';

const N = 2000;
const ACCOUNT = 'doorcrash';
const SYSTEM_ID = 'crashesme';
/** Not a simulator magic number (last four digits 5555): delivered after the delay. */
const destination = (i: number): string => `79${String(i).padStart(5, '0')}5555`;

/** GETs every uuid (20 at a time); returns those that are not there. */
async function missingMessages(origin: string, auth: string, uuids: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (let from = 0; from < uuids.length; from += 20) {
    const answers = await Promise.all(uuids.slice(from, from + 20).map((uuid) => apiCall(origin, auth, `/api/v1/message/${uuid}`)));
    answers.forEach((answer, i) => {
      if (answer.status !== 200 || answer.body?.messageUuid !== uuids[from + i]) missing.push(uuids[from + i]!);
    });
  }
  return missing;
}

const udhPart = (reference: number, total: number, segment: number, text: string): Buffer =>
  Buffer.concat([Buffer.from([0x05, 0x00, 0x03, reference, total, segment]), toGsm7Septets(text)]);

async function submitRaw(esme: LeanEsme, fields: Record<string, unknown>): Promise<{ status: number; messageId: string }> {
  const raw = await esme.request('submit_sm', fields);
  const end = raw.indexOf(0, 16);
  return { status: raw.readUInt32BE(8), messageId: raw.length > 16 ? raw.toString('latin1', 16, end < 0 ? raw.length : end) : '' };
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`SMPP door: kill -9 (${backend})`, { skip: backend === 'postgres' && SKIP_WITHOUT_POSTGRES, timeout: 60_000 }, () => {
    let dir = '';
    let database: { url: string; drop(): Promise<void> } | null = null;
    let auth = '';
    let password = '';
    let args: string[] = [];
    let second: DoorServe | null = null;
    /** The concatenation's first two parts, answered ESME_ROK before the kill. */
    let parts: { status: number; messageId: string }[] = [];
    const to = '79777775555'; // not one of the bulk's destinations
    const texts = ['Part one of three, ', 'part two of three, ', 'and part three.'];
    const part = (segment: number) => ({
      source_addr: DOOR_SENDER,
      destination_addr: to,
      esm_class: 0x40,
      data_coding: 0,
      registered_delivery: 1,
      short_message: udhPart(0x2a, 3, segment, texts[segment - 1]!),
    });

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'dgw-door-crash-'));
      database = backend === 'postgres' ? await createTestDatabase('dgw_doorcrash') : null;
      const db = database?.url ?? join(dir, 'gateway.db');
      const configFile = join(dir, 'config.json');
      // Short leases and answer timeout: what the killed node held is claimable again soon after the restart.
      writeDoorConfig(configFile, { smppServer: { responseTimeoutMs: 2_000 }, simulator: { deliveryDelayMs: 200 }, engine: { leaseMs: 2_000 } });
      auth = prepareDoorDatabase(db, ACCOUNT);
      password = createSmppUser(db, ACCOUNT, SYSTEM_ID, ['--max-binds', '2']);
      args = ['--db', db, '--port', '0', '--config', configFile];
    });
    after(async () => {
      if (second) await stopProcess(second.child);
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it(`${N} submits, killed mid-way: every ESME_ROK is a message after the restart and its receipt arrives`, async (t) => {
      const first = await startDoorServe(args);
      const esme = await LeanEsme.connect(first.smppPort);
      assert.equal(await esme.bind(SYSTEM_ID, password), 0);
      // Two parts of three of a concatenation, before everything else (the second test sends the third).
      parts = [await submitRaw(esme, part(1)), await submitRaw(esme, part(2))];
      const encode = (i: number, sequence: number) =>
        encodePdu(
          'submit_sm',
          { source_addr: DOOR_SENDER, destination_addr: destination(i), registered_delivery: 1, data_coding: 0, short_message: toGsm7Septets(`Your code is ${String(i).padStart(4, '0')}`) },
          sequence,
        );
      const half = N / 2;
      // The first half answered, and some of its receipts received and answered, before the rest goes.
      const firstHalf = await esme.submitAll(Array.from({ length: half }, (_, i) => encode(i, i + 1)), 100);
      await until('some receipts arrived before the kill', () => esme.receipts.length >= 50, 20_000, 20);
      // Killed once half of the second half is answered; the answers read before the socket closes all count.
      let answeredOk = 0;
      let killing: Promise<void> | null = null;
      const submitting = esme.submitAll(Array.from({ length: half }, (_, i) => encode(half + i, i + 1)), 100);
      const record = esme.onSubmitAnswer!;
      esme.onSubmitAnswer = (sequence, answer) => {
        record(sequence, answer);
        if (answer.status === 0) answeredOk++;
        if (answeredOk >= half / 2 && killing === null) killing = stopProcess(first.child, 'SIGKILL');
      };
      const secondHalf = await submitting;
      assert.ok(killing !== null, `the kill should land mid-way (${answeredOk} of the second half answered ESME_ROK)`);
      await killing;
      await esme.closed;
      const answers = [...firstHalf, ...secondHalf];
      const ok = answers.filter((a) => a?.status === 0).map((a) => a!.messageId);
      const refused = answers.filter((a) => a !== undefined && a.status !== 0);
      assert.deepEqual(refused.map((a) => a!.status), [], 'no submit refused');
      assert.ok(ok.length >= half && ok.length < N, `killed mid-way: ${ok.length} of ${N} answered ESME_ROK`);
      const receivedBefore = esme.receipts.length;

      second = await startDoorServe(args);
      assert.deepEqual(await missingMessages(second.origin, auth, ok), [], 'every submit answered ESME_ROK is a message');
      const again = await LeanEsme.connect(second.smppPort);
      try {
        // The killed node's session may still be counted for a moment: bind until it is not.
        await until('the rebind succeeds', async () => (await again.bind(SYSTEM_ID, password)) === 0, 20_000, 200);
        const reboundAt = Date.now();
        await until('every answered submit has its receipt', () => {
          const seen = new Set([...esme.receipts, ...again.receipts]);
          return ok.every((id) => seen.has(id));
        }, 40_000, 100);
        const all = [...esme.receipts, ...again.receipts];
        const counts = new Map<string, number>();
        for (const id of all) counts.set(id, (counts.get(id) ?? 0) + 1);
        const duplicated = [...counts.values()].filter((n) => n > 1).length;
        const unanswered = N - answers.filter(Boolean).length;
        t.diagnostic(
          `${backend}: ${ok.length} of ${N} answered ESME_ROK before the kill (${unanswered} unanswered); ${receivedBefore} receipts before the kill, ` +
            `${again.receipts.length} after, the last ${Date.now() - reboundAt} ms after the rebind; ${duplicated} receipt ids received more than once (${all.length - counts.size} extra deliver_sm)`,
        );
        const expected = new Set([...ok, parts[0]?.messageId, parts[1]?.messageId]);
        const strangers = [...counts.keys()].filter((id) => !expected.has(id));
        // Receipts of submits whose answer the kill cut off may come (durable, unanswered): only those.
        assert.ok(strangers.length <= unanswered, `receipts for ids never submitted: ${strangers.slice(0, 5).join(', ')}`);
      } finally {
        await again.close();
      }
    });

    it('the parts of a concatenation answered ESME_ROK survive kill -9; the message is made once when the last part arrives', async () => {
      assert.ok(second, 'runs after the kill of the first test');
      const [one, two] = parts;
      assert.equal(one?.status, 0);
      assert.equal(two?.status, 0);
      assert.match(one!.messageId, /^[0-9a-f-]{36}$/, 'segment 1: the message uuid');
      assert.equal(two!.messageId, `${one!.messageId}-2`);
      const none = await apiCall(second.origin, auth, `/api/v1/message?destination=${to}&per_page=10`);
      assert.equal(none.status, 200);
      assert.equal((none.body as unknown[]).length, 0, `no message before the last part: ${none.text}`);
      const again = await LeanEsme.connect(second.smppPort);
      try {
        await until('the rebind succeeds', async () => (await again.bind(SYSTEM_ID, password)) === 0, 20_000, 200);
        const three = await submitRaw(again, part(3));
        assert.equal(three.status, 0);
        assert.equal(three.messageId, `${one!.messageId}-3`, 'the group found after the restart: same message uuid');
        const made = await apiCall(second.origin, auth, `/api/v1/message/${one!.messageId}`);
        assert.equal(made.status, 200, made.text);
        assert.equal(made.body.content, texts.join(''));
        assert.equal(made.body.destination, to);
        // The sweep runs meanwhile (every 5 s); still one message to that destination.
        await sleep(1_500);
        const listed = await apiCall(second.origin, auth, `/api/v1/message?destination=${to}&per_page=10`);
        assert.deepEqual((listed.body as any[]).map((m) => m.messageUuid), [one!.messageId], 'made once');
        // And its receipts, one per part id, reach the client.
        const ids = [one!.messageId, two!.messageId, three.messageId];
        await until('a receipt for every part id', () => ids.every((id) => again.receipts.includes(id)), 20_000, 100);
      } finally {
        await again.close();
      }
    });
  });
}
