/**
 * The SMPP door's sessions over real TCP (smpp-interface.md §1, §4): inbound SMS (MO) as deliver_sm with esm_class
 * 0x00 to a receiver of the account's SMPP user, receipts round-robin over a user's receiver sessions, at most
 * `window` unanswered deliver_sm on a session, a refused deliver_sm sent again, unbind answered after what is in
 * flight and then the connection closed, and a bind and a submit over the TLS listener.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import smpp from 'smpp';
import { uniqueName } from '../support/http.js';
import { DoorClient, receiptFields, type DoorPdu } from '../support/smppDoorClient.js';
import { gsm, SENDER, startDoorGateway, type DoorGateway } from '../support/smppDoorGateway.js';
import { delay, userOfAccount, waitUntil } from '../support/smppDoorPdus.js';

/** The text of a deliver_sm as the library decoded it. */
function textOf(pdu: DoorPdu): string {
  const short = pdu.short_message as { message?: unknown } | Buffer | string;
  if (typeof short === 'string') return short;
  if (Buffer.isBuffer(short)) return short.toString('latin1');
  return String(short?.message ?? '');
}

describe('SMPP door: sessions', () => {
  let door: DoorGateway;
  const clients: DoorClient[] = [];
  let destinations = 0;
  // The last 4 digits are no simulator magic number: every message is delivered.
  const nextDestination = () => `7998${String(++destinations).padStart(3, '0')}6789`;

  const connect = async (user: { systemId: string; password: string }, mode: 'transceiver' | 'transmitter' | 'receiver' = 'transceiver') => {
    const c = await DoorClient.connect(door.door.port);
    clients.push(c);
    assert.equal(await c.bind(user.systemId, user.password, mode), 0);
    return c;
  };

  before(async () => {
    // Unanswered deliver_sm are sent again only after 30 s: longer than any of these tests waits.
    door = await startDoorGateway({ configure: (config) => (config.smppServer.responseTimeoutMs = 30_000) });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await door.close();
  });

  async function submitWithReceipts(on: DoorClient, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const { status, messageId } = await on.submit({ source_addr: SENDER, destination_addr: nextDestination(), registered_delivery: 1, short_message: gsm(`receipt ${i}`) });
      assert.equal(status, 0);
      ids.push(messageId);
    }
    await door.gateway.settle();
    return ids;
  }

  it('an inbound SMS of the account arrives as deliver_sm esm_class 0x00 at a receiver of its SMPP user', async () => {
    const account = await door.gateway.account(uniqueName('mo'), { senders: [{ channel: 'SMS', name: SENDER }] });
    const name = (await door.gateway.store.accounts.byId(account.accountId))!.name;
    const user = await userOfAccount(door, account.accountId);
    const receiver = await connect(user, 'receiver');
    const at = door.gateway.clock.now();
    const plain = await door.gateway.store.messages.storeInbound({ channelType: 'SMS', from: '79997770001', to: SENDER, text: 'Hello from a subscriber', at, accountName: name });
    const cyrillic = await door.gateway.store.messages.storeInbound({ channelType: 'SMS', from: '79997770002', to: SENDER, text: 'Ответ: да 😀', at, accountName: name });
    assert.ok(plain && cyrillic);
    const delivers = await receiver.waitDelivers(2);
    const bySource = new Map(delivers.map((d) => [String(d.source_addr), d]));
    const first = bySource.get('79997770001')!;
    assert.equal(first.esm_class, 0x00);
    assert.equal(first.destination_addr, SENDER);
    assert.equal(first.data_coding, 0);
    assert.equal(textOf(first), 'Hello from a subscriber');
    const second = bySource.get('79997770002')!;
    assert.equal(second.esm_class, 0x00);
    assert.equal(second.data_coding, 8);
    assert.equal(textOf(second), 'Ответ: да 😀');
    // A text longer than a short_message comes in message_payload.
    const long = 'Long MO text. '.repeat(25);
    await door.gateway.store.messages.storeInbound({ channelType: 'SMS', from: '79997770004', to: SENDER, text: long, at, accountName: name });
    const [, , third] = await receiver.waitDelivers(3);
    assert.equal(third!.source_addr, '79997770004');
    const payload = third!.message_payload as { message?: unknown } | Buffer | undefined;
    const payloadText = Buffer.isBuffer(payload) ? payload.toString('latin1') : String(payload?.message ?? '');
    assert.equal(payloadText, long);
    // Answered: nothing stays owed.
    await waitUntil(async () => (await door.gateway.store.smpp.pendingDelivers(user.id)) === 0, 'the MO rows done');
  });

  it('an inbound SMS is not sent to a transmitter, and waits for a receiver of the account', async () => {
    const account = await door.gateway.account(uniqueName('mo2'), { senders: [{ channel: 'SMS', name: SENDER }] });
    const name = (await door.gateway.store.accounts.byId(account.accountId))!.name;
    const user = await userOfAccount(door, account.accountId, { maxBinds: 3 });
    const transmitter = await connect(user, 'transmitter');
    await door.gateway.store.messages.storeInbound({ channelType: 'SMS', from: '79997770003', to: SENDER, text: 'kept for later', at: door.gateway.clock.now(), accountName: name });
    await delay(400);
    assert.equal(transmitter.delivers.length, 0);
    const transceiver = await connect(user, 'transceiver');
    const [mo] = await transceiver.waitDelivers(1);
    assert.equal(mo!.source_addr, '79997770003');
    assert.equal(textOf(mo!), 'kept for later');
    assert.equal(transmitter.delivers.length, 0);
  });

  it('receipts go round-robin over two receiver sessions of one user', async () => {
    const user = await door.user({ maxBinds: 3 });
    const a = await connect(user, 'receiver');
    const b = await connect(user, 'receiver');
    const transmitter = await connect(user, 'transmitter');
    const ids = await submitWithReceipts(transmitter, 6);
    await waitUntil(() => a.delivers.length + b.delivers.length >= 6, '6 receipts');
    await delay(200);
    const got = [...a.delivers, ...b.delivers].map((d) => String(d.receipted_message_id));
    assert.deepEqual([...got].sort(), [...ids].sort());
    assert.ok(a.delivers.length >= 1 && b.delivers.length >= 1, `${a.delivers.length} and ${b.delivers.length}`);
    assert.ok(Math.abs(a.delivers.length - b.delivers.length) <= 1, `${a.delivers.length} and ${b.delivers.length}: not in turn`);
    assert.equal(transmitter.delivers.length, 0);
  });

  it('at most `window` (3) deliver_sm unanswered on a session; the rest follow as they are answered', async () => {
    const user = await door.user({ window: 3 });
    const client = await connect(user);
    client.deliverStatus = null;
    const ids = await submitWithReceipts(client, 7);
    await client.waitDelivers(3);
    // Time for more to be sent if the window were not kept (the engine settled, the sender polls every 100 ms).
    await door.gateway.settle();
    await delay(800);
    assert.equal(client.delivers.length, 3);
    assert.equal(await door.gateway.store.smpp.pendingDelivers(user.id), 7);

    // Answer them: as many again come, never more than the window unanswered.
    const answered = new Set<DoorPdu>();
    const answerAll = () => {
      for (const pdu of client.delivers) {
        if (answered.has(pdu)) continue;
        answered.add(pdu);
        client.session.send((pdu as unknown as smpp.PDU).response());
      }
    };
    for (let round = 0; round < 20 && client.delivers.length < 7; round++) {
      const before = client.delivers.length;
      answerAll();
      await waitUntil(() => client.delivers.length > before || client.delivers.length >= 7, 'more receipts after answering');
      await delay(100);
      assert.ok(client.delivers.length - answered.size <= 3, `${client.delivers.length - answered.size} unanswered`);
    }
    answerAll();
    assert.deepEqual(client.delivers.map((d) => String(d.receipted_message_id)).sort(), [...ids].sort());
    await waitUntil(async () => (await door.gateway.store.smpp.pendingDelivers(user.id)) === 0, 'every receipt done');
  });

  it('a deliver_sm refused (0x64) is sent again later, with the same content', async () => {
    const user = await door.user();
    const client = await connect(user);
    client.deliverStatus = 0x64;
    const retried = door.door.counters.rowsRetried;
    const [id] = await submitWithReceipts(client, 1);
    const [first] = await client.waitDelivers(1);
    assert.equal(first!.receipted_message_id, id);
    // The refusal is read (its retry time taken from the gateway's clock) before the clock moves.
    await waitUntil(() => door.door.counters.rowsRetried > retried, 'the refusal recorded');
    // Not at once: the refusal waits its retry delay (on the gateway's clock).
    await delay(500);
    assert.equal(client.delivers.length, 1);
    assert.equal(await door.gateway.store.smpp.pendingDelivers(user.id), 1);
    client.deliverStatus = 0;
    door.gateway.clock.advance(11_000);
    const [, again] = await client.waitDelivers(2);
    assert.equal(again!.receipted_message_id, id);
    assert.deepEqual(receiptFields(again!), receiptFields(first!));
    await waitUntil(async () => (await door.gateway.store.smpp.pendingDelivers(user.id)) === 0, 'the receipt done');
  });

  it('unbind is answered after the submit in flight, then the connection is closed and the bind released', async () => {
    const user = await door.user({ maxBinds: 1 });
    const client = await connect(user);
    const order: string[] = [];
    const submitted = client.request('submit_sm', { source_addr: SENDER, destination_addr: nextDestination(), data_coding: 0, short_message: gsm('just before unbind') }).then((resp) => {
      order.push('submit_sm_resp');
      return resp;
    });
    const unbound = client.request('unbind').then((resp) => {
      order.push('unbind_resp');
      return resp;
    });
    const [submitResp, unbindResp] = await Promise.all([submitted, unbound]);
    assert.equal(submitResp.command_status, 0);
    assert.equal(unbindResp.command_status, 0);
    assert.deepEqual(order, ['submit_sm_resp', 'unbind_resp']);
    await waitUntil(() => client.closed, 'the connection closed by the gateway');
    // maxBinds 1: a new bind is taken once the session is gone.
    let status = -1;
    for (let i = 0; i < 50 && status !== 0; i++) {
      const next = await DoorClient.connect(door.door.port);
      clients.push(next);
      status = await next.bind(user.systemId, user.password);
      if (status !== 0) await delay(40);
    }
    assert.equal(status, 0);
  });

  it('binds, submits and receives its receipt over the TLS listener', async (t) => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
    } catch {
      return t.skip('openssl is not in PATH: no certificate to test TLS with');
    }
    const dir = mkdtempSync(join(tmpdir(), 'smppdoor-tls-'));
    try {
      const keyFile = join(dir, 'key.pem');
      const certFile = join(dir, 'cert.pem');
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile,
          '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
        { stdio: 'ignore' },
      );
      const ca = readFileSync(certFile, 'utf8');
      const tlsDoor = await startDoorGateway({ configure: (config) => (config.smppServer.tls = { port: 0, certFile, keyFile }) });
      try {
        assert.ok(tlsDoor.door.tlsPort !== null && tlsDoor.door.tlsPort > 0);
        assert.notEqual(tlsDoor.door.tlsPort, tlsDoor.door.port);
        const user = await tlsDoor.user();
        const client = await DoorClient.connect(tlsDoor.door.tlsPort!, { tls: { ca } });
        try {
          const resp = await client.request('bind_transceiver', { system_id: user.systemId, password: user.password, interface_version: 0x34 });
          assert.equal(resp.command_status, 0);
          assert.equal(resp.system_id, 'direct-gateway');
          assert.ok(tlsDoor.door.sessions().some((s) => s.tls === true && s.state === 'bound'));
          const { status, messageId } = await client.submit({ source_addr: SENDER, destination_addr: '79996006789', registered_delivery: 1, short_message: gsm('over TLS') });
          assert.equal(status, 0);
          for (let i = 0; i < 100 && !client.delivers.some((d) => d.receipted_message_id === messageId); i++) {
            await tlsDoor.gateway.settle();
            await delay(50);
          }
          const receipt = client.delivers.find((d) => d.receipted_message_id === messageId);
          assert.ok(receipt, 'the receipt over TLS');
          assert.equal(receiptFields(receipt).stat, 'DELIVRD');
        } finally {
          await client.close();
        }
      } finally {
        await tlsDoor.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
