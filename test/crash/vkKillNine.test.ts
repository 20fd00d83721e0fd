/**
 * VK through the provider against kill -9, on SQLite and on PostgreSQL, with `serve` as its own process and the
 * provider stand-in (vkProviderStandIn.ts) over real HTTP:
 * - `delivered` callbacks answered 200, then the process killed at once: after the restart those messages are
 *   delivered (a callback answered 200 was written before the answer, and the provider will not send it again);
 *   the callbacks posted right after, which the dying process never answered, are retried by the stand-in, as a
 *   provider does, and applied by the restarted process, on the same port — once;
 * - the process killed while its provider request is in flight (the stand-in holds it, `hangNext`): the provider
 *   may have taken the items anyway (here: the held body is replayed to the stand-in, an answer lost on the way
 *   back). After the restart the messages are sent again with the same callbackData, the provider's dedupe answers
 *   the ids it already gave (`duplicates`), nothing is sent twice, and every message ends delivered.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, SKIP_WITHOUT_POSTGRES } from '../support/postgresDatabase.js';
import { apiCall, freePort, until } from '../support/processHarness.js';
import { cli, startServe, stopProcess } from '../support/serveProcess.js';
import { VK } from '../support/vkGateway.js';
import { startVkProviderStandIn, type VkProviderStandIn } from '../support/vkProviderStandIn.js';

/** The uuids of a provider request's items. */
const callbackDataOf = (body: unknown): string[] => (((body as any)?.messages ?? []) as any[]).map((m) => m?.callbackData);

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`VK provider callbacks and kill -9 (${backend})`, { skip: backend === 'postgres' && SKIP_WITHOUT_POSTGRES }, () => {
    interface ServeEnv {
      provider: VkProviderStandIn;
      auth: string;
      origin: string;
      start(): ReturnType<typeof startServe>;
    }
    /** One gateway database, config, account and stand-in for the block (admin commands are slow to spawn); each test starts its own `serve`. */
    let env: ServeEnv;
    let cleanup = async (): Promise<void> => {};
    before(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dgw-vk-crash-'));
      const database = backend === 'postgres' ? await createTestDatabase('dgw_vk_crash') : null;
      const provider = await startVkProviderStandIn({
        authValue: VK.authValue,
        callbackSecret: VK.callbackSecret,
        groupRatePerSecond: 0,
        dailyLimit: 0,
        // Statuses are posted by the tests, at the moments they choose.
        script: 'none',
        // Providers retry for hours; here for about 20 s, every 200 ms: long enough to span a restart.
        retryDelaysMs: Array.from({ length: 100 }, () => 200),
        callbackTimeoutMs: 3_000,
      });
      cleanup = async () => {
        await provider.close();
        await database?.drop();
        rmSync(dir, { recursive: true, force: true });
      };
      const db = database?.url ?? join(dir, 'gateway.db');
      const configFile = join(dir, 'config.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          channels: { VK: { connector: 'vk' } },
          vk: {
            requestTimeoutMs: 5_000,
            providers: { [VK.profile]: { baseUrl: provider.baseUrl, authValue: VK.authValue, callbackSecret: VK.callbackSecret, callbackUrl: null } },
            senders: [{ senderName: VK.senderName, provider: VK.profile, throughput: 1000 }],
          },
          engine: { leaseMs: 2_000 },
        }),
      );
      cli(['migrate', '--create', '--db', db]);
      cli(['accounts', 'create', 'vk-crash', '--balance', '1000', '--db', db]);
      cli(['senders', 'approve', VK.senderName, '--account', 'vk-crash', '--channel', 'VK', '--db', db]);
      const auth = `Basic ${cli(['tokens', 'create', '--account', 'vk-crash', '--type', '1', '--db', db])}`;
      // A fixed port, so that the stand-in's retries reach the restarted process at the same URL.
      const port = await freePort();
      const args = ['--db', db, '--port', String(port), '--config', configFile];
      const origin = `http://127.0.0.1:${port}`;
      // The callback URL is set at the provider (callbackUrl null in the profile).
      provider.setCallbackUrl(`${origin}/webhooks/vk/${VK.profile}`);
      env = { provider, auth, origin, start: () => startServe(args) };
    });
    after(() => cleanup());

    const accept = async (origin: string, auth: string, phones: string[]): Promise<string[]> => {
      const accepted = await apiCall(
        origin,
        auth,
        '/api/v1/message',
        phones.map((destination) => ({ channelType: 'VK', senderName: VK.senderName, destination, content: 'Your code is 1234' })),
      );
      assert.equal(accepted.status, 200, accepted.text);
      return (accepted.body.items as any[]).map((item) => item.messageUuid as string);
    };
    const statusOf = async (origin: string, auth: string, uuid: string): Promise<any> => (await apiCall(origin, auth, `/api/v1/message/${uuid}`)).body;
    const allAre = async (origin: string, auth: string, uuids: string[], status: string): Promise<boolean> =>
      (await Promise.all(uuids.map((uuid) => statusOf(origin, auth, uuid)))).every((m) => m?.status === status);
    const sendOf = (provider: VkProviderStandIn, uuid: string) => {
      const sends = provider.sends.filter((s) => s.callbackData === uuid);
      assert.equal(sends.length, 1, `${uuid} accepted by the provider once`);
      return sends[0]!;
    };

    it('delivered callbacks answered 200, then kill -9 at once: delivered after the restart; those posted as it died are retried and applied once', { timeout: 30_000 }, async () => {
      const { provider, auth, origin, start } = env;
      const first = await start();
      let killed = false;
      try {
        const phones = Array.from({ length: 10 }, (_, i) => `7905000${backend === 'sqlite' ? 1 : 2}${String(i).padStart(3, '0')}`);
        const uuids = await accept(origin, auth, phones);
        await until('every message is handed off and recorded', () => allAre(origin, auth, uuids, 'sent'));
        const answered = uuids.slice(0, 5);
        const unanswered = uuids.slice(5);
        const events = (list: string[]) => list.map((uuid) => provider.statusFor(sendOf(provider, uuid).id, 'delivered'));
        const deliveriesBefore = new Set(provider.callbackAttempts.map((a) => a.delivery)).size;
        // All five POSTs in flight together; the kill follows the fifth 200 with nothing in between but the next
        // five POSTs, started and not yet on the wire.
        const answers = await Promise.all(events(answered).map((event) => provider.emitStatus(event, { retry: false })));
        const late = events(unanswered).map((event) => provider.emitStatus(event));
        first.child.kill('SIGKILL');
        killed = true;
        assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200]);
        await stopProcess(first.child, 'SIGKILL');
        for (const answer of await Promise.all(late)) assert.notEqual(answer.status, 200, 'the dead process answered nothing');

        const second = await start();
        try {
          // At once, before anything else could write them: the callbacks answered 200 were written before.
          for (const uuid of answered) assert.equal((await statusOf(origin, auth, uuid)).status, 'delivered', `${uuid} answered 200 before the kill`);
          await provider.idle();
          const ours = provider.callbackAttempts.filter((a) => a.delivery > deliveriesBefore);
          for (const uuid of answered) {
            const attempts = ours.filter((a) => a.raw.includes(uuid));
            assert.equal(attempts.length, 1, 'a callback answered 200 is not posted again');
          }
          for (const uuid of unanswered) {
            const attempts = ours.filter((a) => a.raw.includes(uuid));
            assert.ok(attempts.length >= 2, `${uuid}: retried`);
            assert.equal(attempts.at(-1)!.status, 200, 'a retry was answered 200 by the restarted process');
            assert.ok(attempts.slice(0, -1).every((a) => a.status !== 200));
          }
          const messages = await Promise.all(uuids.map((uuid) => statusOf(origin, auth, uuid)));
          for (const [i, message] of messages.entries()) assert.equal(message.status, 'delivered', uuids[i]);
          // Handed off once each, never again by the restarted process.
          for (const uuid of uuids) sendOf(provider, uuid);
          assert.equal(provider.requests.filter((r) => callbackDataOf(r.body).some((c) => uuids.includes(c))).length, 1, 'one provider request, before the kill');

          // The provider may send one once more even so (it cannot know which answer was lost): nothing changes.
          assert.equal((await provider.emitStatus(events([unanswered[0]!])[0]!, { retry: false })).status, 200);
          assert.equal((await provider.emitStatus(events([answered[0]!])[0]!, { retry: false })).status, 200);
          assert.deepEqual(await Promise.all(uuids.map((uuid) => statusOf(origin, auth, uuid))), messages);
        } finally {
          await stopProcess(second.child);
        }
      } finally {
        if (!killed) await stopProcess(first.child, 'SIGKILL');
      }
    });

    it('kill -9 with the provider request in flight: sent again after the restart with the same callbackData, deduplicated, nothing sent twice, all delivered', { timeout: 30_000 }, async () => {
      const { provider, auth, origin, start } = env;
      const first = await start();
      const reap = async (): Promise<void> => {
        if (first.child.exitCode === null && first.child.signalCode === null) await stopProcess(first.child, 'SIGKILL');
      };
      try {
        const phones = Array.from({ length: 5 }, (_, i) => `7905100${backend === 'sqlite' ? 1 : 2}${String(i).padStart(3, '0')}`);
        provider.hangNext(1);
        const uuids = await accept(origin, auth, phones);
        const carrying = () => provider.requests.filter((r) => callbackDataOf(r.body).some((c) => uuids.includes(c)));
        await until('the provider request is in flight', () => carrying().length > 0);
        const [held] = carrying();
        assert.equal(held!.status, 'hang');
        assert.deepEqual(callbackDataOf(held!.body).sort(), [...uuids].sort(), 'one request carries the five');
        first.child.kill('SIGKILL');
        await stopProcess(first.child, 'SIGKILL');
        provider.releaseHung();
        for (const uuid of uuids) assert.equal((await statusOf(origin, auth, uuid).catch(() => null)) ?? null, null, 'nothing answers while it is down');

        // The provider had in fact taken the request; its answer is what was lost (the held body, replayed to it).
        const replay = await fetch(`${provider.baseUrl}/vk/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: VK.authValue },
          body: held!.raw,
        });
        assert.equal(replay.status, 200);
        const taken = ((await replay.json()) as any).messages as { id?: string; callbackData: string }[];
        assert.ok(taken.every((t) => typeof t.id === 'string'), JSON.stringify(taken));
        const duplicatesBefore = provider.duplicates;

        const second = await start();
        try {
          // The dead process's lease runs out, the restarted one claims the messages and sends them again.
          await until('the messages are handed off again and recorded', () => allAre(origin, auth, uuids, 'sent'));
          const requests = carrying();
          assert.equal(requests.length, 3, 'the held request, the replay, and the one after the restart');
          for (const request of requests) assert.deepEqual(callbackDataOf(request.body).sort(), [...uuids].sort(), 'the same callbackData every time');
          assert.equal(provider.duplicates - duplicatesBefore, uuids.length, 'each answered by the provider\'s dedupe');
          for (const uuid of uuids) assert.equal(sendOf(provider, uuid).id, taken.find((t) => t.callbackData === uuid)!.id, 'nothing sent twice');

          // The provider's statuses, by the ids it gave the first time, reach the messages.
          const answers = await Promise.all(uuids.map((uuid) => provider.emitStatus(provider.statusFor(sendOf(provider, uuid).id, 'delivered'))));
          assert.deepEqual(answers.map((a) => a.status), uuids.map(() => 200));
          await provider.idle();
          await until('every message is delivered', () => allAre(origin, auth, uuids, 'delivered'), 5_000);
          for (const uuid of uuids) sendOf(provider, uuid);
        } finally {
          await stopProcess(second.child);
        }
      } finally {
        await reap();
      }
    });
  });
}
