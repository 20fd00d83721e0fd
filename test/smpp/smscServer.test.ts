/**
 * The SMSC session server (src/smpp/server/, smpp-interface.md §1) over real TCP: binds, what is refused before
 * a bind, the timers, unknown and unreadable PDUs, TLS, close(). The ESME is the `smpp` library's client, or a raw
 * socket where the octets are what is checked. Submits, windows and deliver_sm: smscSessionTraffic.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import smpp from 'smpp';
import { RawEsme, delay, encode, rawPdu, until } from '../support/smscEsme.js';
import { startFixture } from '../support/smscFixture.js';

async function libraryClient(port: number): Promise<smpp.Session> {
  const session = smpp.connect({ host: '127.0.0.1', port });
  session.on('error', () => {});
  await once(session, 'connect');
  return session;
}

function libraryBind(session: smpp.Session, mode: 'bind_transmitter' | 'bind_receiver' | 'bind_transceiver', fields: Record<string, unknown>): Promise<smpp.PDU> {
  return new Promise((resolve) => session[mode]({ system_id: 'esme1', password: 'secret12', interface_version: 0x34, ...fields }, resolve));
}

test('each bind type, with the library client: answered ESME_ROK with the gateway id; the door sees the bind', async () => {
  const fixture = await startFixture();
  try {
    for (const [mode, bindType] of [
      ['bind_transmitter', 'transmitter'],
      ['bind_receiver', 'receiver'],
      ['bind_transceiver', 'transceiver'],
    ] as const) {
      const client = await libraryClient(fixture.server.port);
      const response = await libraryBind(client, mode, { system_type: 'VMA' });
      assert.equal(response.command, `${mode}_resp`);
      assert.equal(response.command_status, 0);
      assert.equal(response['system_id'], 'direct-gateway');
      assert.equal(response['sc_interface_version'], 0x34);
      const seen = fixture.binds.at(-1)!;
      assert.deepEqual(
        { systemId: seen.systemId, password: seen.password, systemType: seen.systemType, bindType: seen.bindType, interfaceVersion: seen.interfaceVersion },
        { systemId: 'esme1', password: 'secret12', systemType: 'VMA', bindType, interfaceVersion: 0x34 },
      );
      assert.match(seen.remoteAddress, /127\.0\.0\.1/);
      const info = fixture.server.sessions().find((s) => s.bindType === bindType)!;
      assert.equal(info.state, 'bound');
      assert.equal(info.systemId, 'esme1');
      assert.ok(info.boundAt! > 0);
      client.destroy();
    }
    assert.equal(fixture.boundSessions.length, 3);
  } finally {
    await fixture.server.close();
  }
});

test('interface_version 0x33 is bound and answered as 3.4; another version is 0x0D without asking the door', async () => {
  const fixture = await startFixture();
  try {
    const old = await RawEsme.connect(fixture.server.port);
    const answer = await old.bind('transceiver', { interface_version: 0x33 });
    assert.equal(answer.status, 0);
    assert.equal(answer.pdu['sc_interface_version'], 0x34);
    // TLV 0x0210, length 1, value 0x34 at the end of the raw bind_resp.
    assert.equal(answer.raw.subarray(-5).toString('hex'), '0210000134');
    assert.equal(fixture.binds.length, 1);

    const v5 = await RawEsme.connect(fixture.server.port);
    const refused = await v5.bind('transmitter', { interface_version: 0x50 });
    assert.equal(refused.status, 0x0d);
    assert.equal(refused.commandId, 0x80000002);
    assert.equal(fixture.binds.length, 1);
    old.end();
    v5.end();
  } finally {
    await fixture.server.close();
  }
});

test('a malformed bind (system_id over 15, password over 8, cut short) is 0x0D', async () => {
  const fixture = await startFixture();
  try {
    const esme = await RawEsme.connect(fixture.server.port);
    assert.equal((await esme.bind('transceiver', { system_id: 'x'.repeat(16) })).status, 0x0d);
    assert.equal((await esme.bind('transceiver', { password: '123456789' })).status, 0x0d);
    esme.write(rawPdu(0x00000009, 77, Buffer.from('esme1\0pw\0')));
    assert.equal((await esme.response(77)).status, 0x0d);
    assert.equal(fixture.binds.length, 0);
    // The session is still open: a correct bind goes through.
    assert.equal((await esme.bind('transceiver', { system_id: 'x'.repeat(15), password: '12345678' })).status, 0);
    esme.end();
  } finally {
    await fixture.server.close();
  }
});

test("the door's refusal is answered with its status; a second bind on a bound session is 0x05", async () => {
  let refuse = true;
  const fixture = await startFixture({ decide: () => (refuse ? { ok: false, status: 0x0e } : { ok: true, user: null, window: 5, throughput: 0 }) });
  try {
    const esme = await RawEsme.connect(fixture.server.port);
    const refused = await esme.bind('transmitter');
    assert.equal(refused.status, 0x0e);
    assert.equal(refused.raw.length, 16, 'an error bind_resp is header only');
    refuse = false;
    assert.equal((await esme.bind('transmitter')).status, 0);
    assert.equal((await esme.bind('receiver')).status, 0x05);
    assert.equal(fixture.binds.length, 2);
    esme.end();
  } finally {
    await fixture.server.close();
  }
});

test('before a bind: a submit_sm is answered 0x04 with its sequence_number, enquire_link is answered, unknown is 0x03', async () => {
  const fixture = await startFixture();
  try {
    const esme = await RawEsme.connect(fixture.server.port);
    const submit = esme.send('submit_sm', { destination_addr: '79001234567', short_message: Buffer.from('hi'), data_coding: 1 }, 4242);
    const answer = await esme.response(submit);
    assert.equal(answer.commandId, 0x80000004);
    assert.equal(answer.status, 0x04);
    assert.equal(answer.sequence, 4242);
    const query = esme.send('query_sm', { message_id: 'x' });
    assert.deepEqual([(await esme.response(query)).commandId, (await esme.response(query)).status], [0x80000003, 0x04]);
    const unbind = esme.send('unbind');
    assert.equal((await esme.response(unbind)).status, 0x04);
    const enquire = esme.send('enquire_link', {}, 9);
    const enquireAnswer = await esme.response(enquire);
    assert.deepEqual([enquireAnswer.commandId, enquireAnswer.status, enquireAnswer.sequence], [0x80000015, 0, 9]);
    esme.write(rawPdu(0x00000099, 31));
    const nack = await esme.response(31);
    assert.deepEqual([nack.commandId, nack.status], [0x80000000, 0x03]);
    assert.equal(fixture.submits.length + fixture.queries.length, 0);
    esme.end();
  } finally {
    await fixture.server.close();
  }
});

test('no bind within bindTimeoutMs: the connection is closed', async () => {
  const fixture = await startFixture({ timers: { bindTimeoutMs: 150 } });
  try {
    const esme = await RawEsme.connect(fixture.server.port);
    const started = Date.now();
    esme.send('enquire_link'); // not a bind: does not count
    await esme.closed;
    const after = Date.now() - started;
    assert.ok(after >= 120 && after < 1500, `closed after ${after} ms`);
    await until(() => fixture.closedSessions.length === 1);
  } finally {
    await fixture.server.close();
  }
});

test('idle: the server sends enquire_link; answered it stays, unanswered it is closed', async () => {
  const fixture = await startFixture({ timers: { idleMs: 120, responseTimeoutMs: 150 } });
  try {
    const esme = await RawEsme.connect(fixture.server.port);
    await esme.bind('transceiver');
    const first = await esme.next('enquire_link', 1000);
    assert.equal(first.commandId, 0x00000015);
    esme.write(encode('enquire_link_resp', {}, first.sequence));
    const second = await esme.next((p) => p.pdu.command === 'enquire_link' && p.sequence !== first.sequence, 1000);
    assert.equal(esme.isClosed, false);
    const sentAt = Date.now();
    await esme.closed; // not answered this time
    assert.ok(Date.now() - sentAt >= 100, 'closed only after responseTimeoutMs');
    assert.ok(second.sequence > 0);
    await until(() => fixture.server.sessions().length === 0);
  } finally {
    await fixture.server.close();
  }
});

test('every enquire_link from the ESME is answered, bound or not, and counts as activity', async () => {
  const fixture = await startFixture({ timers: { idleMs: 300 } });
  try {
    const client = await libraryClient(fixture.server.port);
    const serverEnquires: smpp.PDU[] = [];
    client.on('enquire_link', (pdu: smpp.PDU) => serverEnquires.push(pdu));
    await libraryBind(client, 'bind_transceiver', {});
    for (let i = 0; i < 5; i += 1) {
      const answer = await new Promise<smpp.PDU>((resolve) => client.enquire_link({}, resolve));
      assert.equal(answer.command_status, 0);
      await delay(100);
    }
    assert.equal(serverEnquires.length, 0, 'an active ESME is not probed');
    client.destroy();
  } finally {
    await fixture.server.close();
  }
});

test('unknown command id on a bound session: generic_nack 0x03, same sequence_number; replace_sm and submit_multi: 0x03 in their resp', async () => {
  const fixture = await startFixture();
  try {
    const esme = await RawEsme.connect(fixture.server.port);
    await esme.bind('transceiver');
    esme.write(rawPdu(0x00000201, 0x7ffffffe, Buffer.from('junk')));
    const nack = await esme.response(0x7ffffffe);
    assert.equal(nack.raw.toString('hex'), '00000010' + '80000000' + '00000003' + '7ffffffe');
    const replace = esme.send('replace_sm', { message_id: 'm-1', short_message: Buffer.from('x') });
    const replaceAnswer = await esme.response(replace);
    assert.deepEqual([replaceAnswer.commandId, replaceAnswer.status], [0x80000007, 0x03]);
    const multi = esme.send('submit_multi', { dest_address: [{ dest_flag: 1, destination_addr: '79001234567' }], short_message: Buffer.from('x') });
    const multiAnswer = await esme.response(multi);
    assert.deepEqual([multiAnswer.commandId, multiAnswer.status], [0x80000021, 0x03]);
    // An SMSC-only request from the ESME: deliver_sm_resp 0x03.
    const deliver = esme.send('deliver_sm', { short_message: Buffer.from('x') });
    assert.deepEqual([(await esme.response(deliver)).commandId, (await esme.response(deliver)).status], [0x80000005, 0x03]);
    assert.equal(fixture.submits.length, 0);
    esme.end();
  } finally {
    await fixture.server.close();
  }
});

test('a PDU the library cannot read: generic_nack 0x02 and the session goes on; a stream that cannot be framed: generic_nack 0x02, closed', async () => {
  const fixture = await startFixture();
  try {
    const esme = await RawEsme.connect(fixture.server.port);
    await esme.bind('transceiver');
    // A submit_sm ending with the header of a message_state TLV and no value.
    const base = encode('submit_sm', { destination_addr: '79001234567', short_message: Buffer.from('hi'), data_coding: 1 }, 55);
    const broken = Buffer.concat([base, Buffer.from([0x04, 0x27, 0x00, 0x00])]);
    broken.writeUInt32BE(broken.length, 0);
    esme.write(broken);
    const nack = await esme.response(55);
    assert.deepEqual([nack.commandId, nack.status], [0x80000000, 0x02]);
    assert.equal(fixture.submits.length, 0);
    const enquire = esme.send('enquire_link');
    assert.equal((await esme.response(enquire)).status, 0);
    const submit = esme.send('submit_sm', { destination_addr: '79001234567', short_message: Buffer.from('ok'), data_coding: 1 });
    assert.equal((await esme.response(submit)).status, 0);

    const bad = Buffer.alloc(16);
    bad.writeUInt32BE(8, 0); // shorter than a header
    bad.writeUInt32BE(0x15, 4);
    bad.writeUInt32BE(66, 12);
    esme.write(bad);
    const lengthNack = await esme.next((p) => p.commandId === 0x80000000 && p.status === 0x02 && p.sequence === 66);
    assert.ok(lengthNack);
    await esme.closed;
  } finally {
    await fixture.server.close();
  }
});

test('TLS: a bind over a TLS listener with a self-signed certificate', async (t) => {
  let openssl = true;
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    openssl = false;
  }
  if (!openssl) return t.skip('openssl is not in PATH: no certificate to test TLS with');
  const dir = mkdtempSync(join(tmpdir(), 'smsc-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile,
      '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const cert = readFileSync(certFile, 'utf8');
    const fixture = await startFixture({ tls: { cert, key: readFileSync(keyFile, 'utf8') } });
    try {
      assert.equal(fixture.server.tls, true);
      const esme = await RawEsme.connect(fixture.server.port, { ca: cert });
      const answer = await esme.bind('transceiver');
      assert.equal(answer.status, 0);
      assert.equal(answer.pdu['system_id'], 'direct-gateway');
      const submit = esme.send('submit_sm', { destination_addr: '79001234567', short_message: Buffer.from('hi'), data_coding: 1 });
      assert.equal((await esme.response(submit)).pdu['message_id'], 'm-1');
      assert.equal(fixture.server.sessions()[0]!.tls, true);

      // The library's own client over TLS.
      const client = smpp.connect({ host: '127.0.0.1', port: fixture.server.port, tls: true, ca: cert });
      client.on('error', () => {});
      await once(client, 'secureConnect');
      assert.equal((await libraryBind(client, 'bind_receiver', {})).command_status, 0);
      client.destroy();
      esme.end();
    } finally {
      await fixture.server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('close(): bound ESMEs are sent unbind, every connection ends, nothing more is accepted', async () => {
  const fixture = await startFixture();
  const bound = await RawEsme.connect(fixture.server.port);
  await bound.bind('transceiver');
  const answered = bound.next('unbind').then((unbind) => bound.write(encode('unbind_resp', {}, unbind.sequence)));
  const unbound = await RawEsme.connect(fixture.server.port);
  assert.equal(fixture.server.sessions().length, 2);
  const started = Date.now();
  await fixture.server.close();
  await answered;
  assert.ok(Date.now() - started < 900, 'the unbind_resp ended the wait');
  assert.ok(bound.received.some((p) => p.pdu.command === 'unbind'));
  await Promise.all([bound.closed, unbound.closed]);
  assert.equal(fixture.server.sessions().length, 0);
  assert.equal(fixture.closedSessions.length, 2);
  await assert.rejects(RawEsme.connect(fixture.server.port));
});
