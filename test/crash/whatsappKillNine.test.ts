/**
 * The WhatsApp webhook door against kill -9, on SQLite and on PostgreSQL, with `serve` as its own process and
 * WHATSAPP going to the Cloud API stand-in:
 * - a status and a subscriber's message answered 200, then the process killed at once: after the restart both are
 *   there (a webhook answered 200 was written before the answer, and Meta will not send it again);
 * - the converse: webhooks posted while the process is stopped (SIGSTOP, connection accepted by the kernel, never
 *   answered) and then killed get no 200; the stand-in retries them, as Meta does, and the restarted process, on the
 *   same port, applies them — once, however many of the retries it answers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from '../support/postgresDatabase.js';
import { apiCall, freePort, until } from '../support/processHarness.js';
import { cli, startServe, stopProcess } from '../support/serveProcess.js';
import { senderRow, TEMPLATES, WA } from '../support/whatsappGateway.js';
import { startWhatsAppStandIn, type WhatsAppStandIn } from '../support/whatsappStandIn.js';

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`WhatsApp webhooks and kill -9 (${backend})`, { skip: backend === 'postgres' && SKIP_WITHOUT_POSTGRES }, () => {
    interface ServeEnv {
      wa: WhatsAppStandIn;
      args: string[];
      auth: string;
      origin: string;
      start(): ReturnType<typeof startServe>;
    }
    /** One gateway database, config, account and stand-in for the block (admin commands are slow to spawn); each test starts its own `serve`. */
    let env: ServeEnv;
    let cleanup = async (): Promise<void> => {};
    before(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dgw-wa-crash-'));
      const database = backend === 'postgres' ? await createTestDatabase('dgw_wa_crash') : null;
      const wa = await startWhatsAppStandIn({
        accessToken: WA.accessToken,
        appSecret: WA.appSecret,
        phoneNumbers: [{ phoneNumberId: WA.phoneNumberId, displayPhoneNumber: WA.displayPhoneNumber, wabaId: WA.wabaId }],
        templates: { [WA.wabaId]: TEMPLATES.map((t) => ({ ...t })) },
        // Statuses are posted by the tests, at the moments they choose.
        statusScript: 'none',
        // Meta retries for days; here for about 20 s, every 200 ms: long enough to span a restart.
        webhookRetryDelaysMs: Array.from({ length: 100 }, () => 200),
        webhookTimeoutMs: 3_000,
      });
      cleanup = async () => {
        await wa.close();
        await database?.drop();
        rmSync(dir, { recursive: true, force: true });
      };
      const db = database?.url ?? join(dir, 'gateway.db');
      const configFile = join(dir, 'config.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          channels: { WHATSAPP: { connector: 'whatsapp' } },
          whatsapp: { graphBase: wa.baseUrl, pairIntervalMs: 0, requestTimeoutMs: 5_000, senders: [senderRow()] },
          engine: { leaseMs: 2_000 },
        }),
      );
      cli(['migrate', '--create', '--db', db]);
      cli(['accounts', 'create', 'wa-crash', '--balance', '1000', '--db', db]);
      cli(['senders', 'approve', WA.senderName, '--account', 'wa-crash', '--channel', 'WHATSAPP', '--db', db]);
      const auth = `Basic ${cli(['tokens', 'create', '--account', 'wa-crash', '--type', '1', '--db', db])}`;
      // A fixed port, so that the stand-in's retries reach the restarted process at the same URL.
      const port = await freePort();
      const args = ['--db', db, '--port', String(port), '--config', configFile];
      const origin = `http://127.0.0.1:${port}`;
      wa.setWebhookUrl(`${origin}/webhooks/whatsapp`);
      env = { wa, args, auth, origin, start: () => startServe(args) };
    });
    after(() => cleanup());
    const withServe = (run: (env: ServeEnv) => Promise<void>): Promise<void> => run(env);

    /** Sends a template through the running process and waits until it is handed off (recorded `sent`). */
    async function handedOff(wa: WhatsAppStandIn, origin: string, auth: string, destination: string): Promise<{ uuid: string; wamid: string }> {
      const accepted = await apiCall(origin, auth, '/api/v1/message', [
        { channelType: 'WHATSAPP', senderName: WA.senderName, destination, content: { contentType: 'template', templateId: 'order_shipped', language: 'en_US', parameters: ['42', '2026-12-04'] } },
      ]);
      assert.equal(accepted.status, 200, accepted.text);
      const uuid: string = accepted.body.items[0].messageUuid;
      await until('the message is handed off and recorded', async () => (await apiCall(origin, auth, `/api/v1/message/${uuid}`)).body?.status === 'sent');
      const sent = wa.sends.find((s) => s.bizOpaqueCallbackData === uuid);
      assert.ok(sent);
      return { uuid, wamid: sent.wamid };
    }

    const inboundFrom = async (origin: string, auth: string, from: string): Promise<any[]> => {
      const listed = await apiCall(origin, auth, '/api/v1/message?direction=inbound&per_page=1000');
      assert.equal(listed.status, 200, listed.text);
      return (listed.body as any[]).filter((m) => m.senderName === from);
    };

    it('a status and an inbound message answered 200, then kill -9 at once: both are there after the restart', { timeout: 30_000 }, async () => {
      await withServe(async ({ wa, auth, origin, start }) => {
        const first = await start();
        let killed = false;
        try {
          const { uuid, wamid } = await handedOff(wa, origin, auth, '79030000001');
          const from = '79030000002';
          // Both POSTs in flight together; the kill follows the second 200 with nothing in between.
          const [statuses, inbound] = await Promise.all([
            wa.emitStatuses(WA.phoneNumberId, [wa.statusFor(wamid, 'delivered')], { retry: false }),
            wa.emitInbound(WA.phoneNumberId, from, 'Где мой заказ?', { retry: false }),
          ]);
          first.child.kill('SIGKILL');
          killed = true;
          assert.equal(statuses[0]!.status, 200);
          assert.equal(inbound.status, 200);
          await stopProcess(first.child, 'SIGKILL');

          const second = await start();
          try {
            const message = (await apiCall(origin, auth, `/api/v1/message/${uuid}`)).body;
            assert.equal(message.status, 'delivered');
            const stored = await inboundFrom(origin, auth, from);
            assert.equal(stored.length, 1);
            assert.equal(typeof stored[0].content === 'string' ? stored[0].content : stored[0].content.text, 'Где мой заказ?');
            // The window that message opened survived too: a text to the subscriber goes out.
            const text = await apiCall(origin, auth, '/api/v1/message', [{ channelType: 'WHATSAPP', senderName: WA.senderName, destination: from, content: { contentType: 'text', text: 'It ships today' } }]);
            assert.equal(text.status, 200, text.text);
            const textUuid = text.body.items[0].messageUuid;
            await until('the text is handed off', async () => (await apiCall(origin, auth, `/api/v1/message/${textUuid}`)).body?.status === 'sent');
          } finally {
            await stopProcess(second.child);
          }
        } finally {
          if (!killed) await stopProcess(first.child, 'SIGKILL');
        }
      });
    });

    it('webhooks the process never answered (stopped, then killed) are retried and applied after the restart, once', { timeout: 30_000 }, async () => {
      await withServe(async ({ wa, auth, origin, start }) => {
        const first = await start();
        // Whatever fails, the first process does not outlive the test (stopped or not).
        const reap = async (): Promise<void> => {
          // stopProcess waits for an exit that already happened when the child died of a signal.
          if (first.child.exitCode === null && first.child.signalCode === null) await stopProcess(first.child, 'SIGKILL');
        };
        try {
          const { uuid, wamid } = await handedOff(wa, origin, auth, '79030000011');
          const from = '79030000012';
          // Not answering: the kernel still accepts the connections, nothing reads them.
          first.child.kill('SIGSTOP');
          const deliveriesBefore = new Set(wa.webhookAttempts.map((a) => a.delivery)).size;
          const statusAnswer = wa.emitStatuses(WA.phoneNumberId, [wa.statusFor(wamid, 'read')]);
          const inboundAnswer = wa.emitInbound(WA.phoneNumberId, from, 'Are you there?');
          // Give the POSTs time to reach the stopped process's socket, then kill it with them unanswered.
          await sleep(300);
          first.child.kill('SIGKILL');
          await stopProcess(first.child, 'SIGKILL');
          const [firstStatus] = await statusAnswer;
          const firstInbound = await inboundAnswer;
          assert.notEqual(firstStatus!.status, 200, 'the stopped process answered nothing');
          assert.notEqual(firstInbound.status, 200);

          // Restarted on the same port: the stand-in's retries reach it.
          const second = await start();
          try {
            await wa.idle();
            const ours = wa.webhookAttempts.filter((a) => a.delivery > deliveriesBefore);
            const deliveries = new Set(ours.map((a) => a.delivery));
            assert.equal(deliveries.size, 2);
            for (const delivery of deliveries) {
              const attempts = ours.filter((a) => a.delivery === delivery);
              assert.ok(attempts.length >= 2, 'retried');
              assert.equal(attempts.at(-1)!.status, 200, 'a retry was answered 200 by the restarted process');
              assert.ok(attempts.slice(0, -1).every((a) => a.status !== 200));
            }
            const message = (await apiCall(origin, auth, `/api/v1/message/${uuid}`)).body;
            assert.equal(message.status, 'read');
            assert.equal((await inboundFrom(origin, auth, from)).length, 1);

            // Meta may send it once more even so (it cannot know which answer was lost): still once.
            const again = ours.find((a) => a.raw.includes(from))!;
            assert.equal((await wa.emitRaw(again.raw, { retry: false })).status, 200);
            assert.equal((await inboundFrom(origin, auth, from)).length, 1);
          } finally {
            await stopProcess(second.child);
          }
        } finally {
          await reap();
        }
      });
    });
  });
}
