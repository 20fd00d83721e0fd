/** Sessions: bind modes, several binds, reconnect with backoff, keep-alive, SMSC unbind, stop, generic_nack, TLS. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSmppConnector } from '../../src/connectors/smpp/smppConnector.js';
import { PduFramer } from '../../src/smpp/pduFraming.js';
import { ESME, type BindRecord } from '../support/smscStandIn.js';
import { ManualClock } from '../support/manualClock.js';
import { sleep, sms, testConfig, waitUntil, withSmsc } from './smppHarness.js';

test('binds as transceiver with SMPP 3.4, system_id, password and system_type', async () => {
  await withSmsc({ config: { systemType: 'VMA' } }, async ({ smsc, connector }) => {
    assert.equal(connector.name, 'smpp:test');
    assert.equal(smsc.binds.length, 1);
    const bind = smsc.binds[0]!;
    assert.deepEqual(
      { mode: bind.mode, systemId: bind.systemId, password: bind.password, systemType: bind.systemType, version: bind.interfaceVersion, status: bind.status },
      { mode: 'transceiver', systemId: 'test', password: 'secret', systemType: 'VMA', version: 0x34, status: ESME.ROK },
    );
  });
});

test('several binds: one connection each, submits spread round robin', async () => {
  await withSmsc({ config: { binds: 2 }, bound: 2 }, async ({ smsc, connector }) => {
    assert.equal(smsc.connectionInfos().filter((c) => c.bound).length, 2);
    const results = await Promise.all(Array.from({ length: 10 }, () => connector.send(sms())));
    assert.ok(results.every((r) => r.kind === 'sent'));
    const perConnection = new Map<number, number>();
    for (const submit of smsc.submits) perConnection.set(submit.connectionId, (perConnection.get(submit.connectionId) ?? 0) + 1);
    assert.deepEqual([...perConnection.values()], [5, 5]);
  });
});

test('transmitter + receiver: submits on the transmitter, receipts come in on the receiver', async () => {
  await withSmsc({ config: { bindMode: 'transmitter+receiver' } }, async ({ smsc, connector, reports }) => {
    await waitUntil(() => smsc.binds.length === 2, 'both binds');
    assert.deepEqual(smsc.binds.map((b) => b.mode).sort(), ['receiver', 'transmitter']);
    const result = await connector.send(sms());
    assert.equal(result.kind, 'sent');
    await waitUntil(() => reports.length === 1, 'the receipt');
    const transmitter = smsc.binds.find((b) => b.mode === 'transmitter')!.connectionId;
    const receiver = smsc.binds.find((b) => b.mode === 'receiver')!.connectionId;
    assert.equal(smsc.submits[0]!.connectionId, transmitter);
    assert.equal(smsc.receipts[0]!.connectionId, receiver);
    assert.equal(reports[0]!.kind, 'delivered');
  });
});

test('a wrong password: bind attempts again with a growing backoff, and sends answer retry without submitting', async () => {
  const attempts: number[] = [];
  await withSmsc({ config: { password: 'wrong', reconnectMinMs: 25, reconnectMaxMs: 200 }, bound: 0 }, async ({ smsc, connector }) => {
    smsc.on('bind', (bind: BindRecord) => {
      assert.equal(bind.status, ESME.RINVPASWD);
      attempts.push(performance.now());
    });
    await waitUntil(() => attempts.length >= 7, '7 bind attempts');
    const result = await connector.send(sms());
    assert.equal(result.kind, 'retry');
    assert.match(result.detail ?? '', /no bound SMPP session/);
    assert.equal(smsc.submitCount, 0);
    // Timers never fire early, so each gap is at least its backoff: 25, 50, 100, 200, then capped at 200.
    const gaps = attempts.slice(1).map((at, i) => Math.round(at - attempts[i]!));
    [25, 50, 100, 200, 200, 200].forEach((backoff, i) => assert.ok(gaps[i]! >= backoff - 2, `gap ${i + 1} ≥ ${backoff}: ${gaps}`));
    assert.ok(Math.min(gaps[4]!, gaps[5]!) < 390, `capped at reconnectMaxMs, not doubling to 400 and 800: ${gaps}`);
  });
});

test('keep-alive: an enquire_link when the link is idle, and the SMSC\'s enquire_link answered', async () => {
  await withSmsc({ config: { enquireLinkMs: 100 } }, async ({ smsc }) => {
    await smsc.waitFor('enquireLink', () => true);
    const response = await smsc.enquireLink();
    assert.equal(response.command, 'enquire_link_resp');
    assert.equal(response.command_status, 0);
  });
});

test('an SMSC that stops answering enquire_link: the connection is dropped and bound again', async () => {
  await withSmsc({ smsc: { answerEnquireLink: false }, config: { enquireLinkMs: 50, responseTimeoutMs: 200 } }, async ({ smsc, connector }) => {
    await waitUntil(() => smsc.binds.length >= 2, 'a second bind');
    await connector.whenBound(15_000);
  });
});

test('an unbind from the SMSC is answered; the connector binds again and sends', async () => {
  await withSmsc({}, async ({ smsc, connector }) => {
    await smsc.unbindAll();
    assert.ok(smsc.pdus.some((p) => p.direction === 'in' && p.command === 'unbind_resp'), 'our unbind_resp reached the SMSC');
    await waitUntil(() => smsc.binds.length === 2 && connector.sessions[0]!.bound, 'bound again');
    assert.equal((await connector.send(sms())).kind, 'sent');
  });
});

test('stop: unbinds and closes; a send after stop answers retry', async () => {
  await withSmsc({}, async ({ smsc, connector }) => {
    let unbinds = 0;
    smsc.on('unbind', () => (unbinds += 1));
    await connector.stop();
    assert.equal(unbinds, 1);
    await waitUntil(() => smsc.connectionInfos().length === 0, 'the connection closed');
    assert.equal((await connector.send(sms())).kind, 'retry');
    const unbindResp = smsc.pdus.find((p) => p.direction === 'out' && p.command === 'unbind_resp');
    assert.ok(unbindResp, 'the SMSC answered our unbind');
  });
});

interface RawSmsc {
  port: number;
  /** Responses the connector sent us, in order. */
  responses: { id: number; status: number; seq: number }[];
  binds: number;
  closes: number;
  close(): void;
}

/** A bare TCP SMSC for what the stand-in cannot send: it answers bind and unbind, then runs `afterBind`. */
async function rawSmsc(afterBind: (socket: net.Socket, bindNumber: number) => void): Promise<RawSmsc> {
  const smsc: RawSmsc = { port: 0, responses: [], binds: 0, closes: 0, close: () => undefined };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const framer = new PduFramer();
    socket.on('data', (chunk) => {
      for (const pdu of framer.push(chunk)) {
        const id = pdu.readUInt32BE(4);
        const seq = pdu.readUInt32BE(12);
        if (id === 0x00000009) {
          smsc.binds += 1;
          socket.write(pdu16(0x80000009, 0, seq, Buffer.from('raw\0')));
          afterBind(socket, smsc.binds);
        } else if (id === 0x00000006) {
          socket.end(pdu16(0x80000006, 0, seq));
        } else if (id & 0x80000000) {
          smsc.responses.push({ id, status: pdu.readUInt32BE(8), seq });
        }
      }
    });
    socket.on('close', () => (smsc.closes += 1));
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  smsc.port = (server.address() as AddressInfo).port;
  smsc.close = () => {
    for (const socket of sockets) socket.destroy();
    server.close();
  };
  return smsc;
}

async function withRawSmsc(afterBind: (socket: net.Socket, bindNumber: number) => void, body: (smsc: RawSmsc) => Promise<void>): Promise<void> {
  const smsc = await rawSmsc(afterBind);
  const connector = createSmppConnector(testConfig(smsc.port), { clock: new ManualClock() });
  await connector.start({ report: () => undefined, inbound: () => undefined });
  try {
    await body(smsc);
  } finally {
    await connector.stop();
    smsc.close();
  }
}

test('an unknown command gets generic_nack ESME_RINVCMDID; alert_notification no answer; enquire_link its response', async () => {
  await withRawSmsc(
    (socket) => {
      socket.write(pdu16(0x00000222, 0, 7)); // no such command
      socket.write(pdu16(0x00000102, 0, 8, Buffer.from([0, 0, 0x31, 0, 0, 0, 0x32, 0]))); // alert_notification
      socket.write(pdu16(0x00000015, 0, 9)); // enquire_link
    },
    async (smsc) => {
      await waitUntil(() => smsc.responses.length >= 2, 'two responses');
      await sleep(50);
      assert.deepEqual(smsc.responses, [
        { id: 0x80000000, status: 0x03, seq: 7 },
        { id: 0x80000015, status: 0, seq: 9 },
      ]);
    },
  );
});

test('a deliver_sm whose fields run past command_length gets generic_nack ESME_RINVCMDLEN; the session carries on', async () => {
  // service_type, addresses … then sm_length 200 with 3 octets left.
  const body = Buffer.concat([Buffer.from('\0'), Buffer.from([1, 1]), Buffer.from('7926\0'), Buffer.from([1, 1]), Buffer.from('4242\0'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 200, 1, 2, 3])]);
  await withRawSmsc(
    (socket) => {
      socket.write(pdu16(0x00000005, 0, 11, body));
      socket.write(pdu16(0x00000015, 0, 12));
    },
    async (smsc) => {
      await waitUntil(() => smsc.responses.length >= 2, 'two responses');
      assert.deepEqual(smsc.responses, [
        { id: 0x80000000, status: 0x02, seq: 11 },
        { id: 0x80000015, status: 0, seq: 12 },
      ]);
      assert.equal(smsc.closes, 0);
    },
  );
});

test('an impossible command_length: generic_nack ESME_RINVCMDLEN, the connection is closed and bound again', async () => {
  await withRawSmsc(
    (socket, bindNumber) => {
      if (bindNumber > 1) return;
      const broken = pdu16(0x00000005, 0, 21);
      broken.writeUInt32BE(8, 0);
      socket.write(broken);
    },
    async (smsc) => {
      await waitUntil(() => smsc.binds >= 2, 'a second bind');
      assert.deepEqual(smsc.responses[0], { id: 0x80000000, status: 0x02, seq: 21 });
      assert.equal(smsc.closes, 1);
    },
  );
});

function pdu16(commandId: number, status: number, sequence: number, body = Buffer.alloc(0)): Buffer {
  const out = Buffer.alloc(16 + body.length);
  out.writeUInt32BE(out.length, 0);
  out.writeUInt32BE(commandId, 4);
  out.writeUInt32BE(status, 8);
  out.writeUInt32BE(sequence, 12);
  body.copy(out, 16);
  return out;
}

test('TLS: binds and submits over TLS to an SMSC whose certificate is signed by tlsCaFile', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dgw-smpp-tls-'));
  try {
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    } catch {
      t.skip('openssl is not available');
      return;
    }
    const tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
    await withSmsc({ smsc: { tls }, config: { tls: true, tlsCaFile: join(dir, 'cert.pem') } }, async ({ smsc, connector }) => {
      assert.equal((await connector.send(sms())).kind, 'sent');
      assert.equal(smsc.submits.length, 1);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
