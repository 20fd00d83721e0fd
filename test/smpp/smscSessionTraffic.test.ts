/**
 * The SMSC session server's traffic on a bound session (src/smpp/server/, smpp-interface.md §1, §3): submits
 * answered in order of completion, the receiver's refusal, the window's back-pressure, the throughput limit,
 * unbind after the submits in flight, and deliver_sm with its window, status and loss.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawEsme, delay, encode, until } from '../support/smscEsme.js';
import { gate, startFixture } from '../support/smscFixture.js';
import type { SmscSession } from '../../src/smpp/server/smscSession.js';
import type { DeliverOutcome } from '../../src/smpp/server/smscTypes.js';

const SUBMIT = { destination_addr: '79001234567', short_message: Buffer.from('hello'), data_coding: 1 };

test('submit_sm, data_sm, query_sm, cancel_sm reach the door with wire fields and get their responses, in order of completion', async () => {
  const slow = gate<void>();
  const fixture = await startFixture({
    answer: async (request) => {
      if (request.command === 'submit_sm' && (request.fields['short_message'] as Buffer).toString() === 'slow') await slow.promise;
      if (request.command === 'query_sm') return { status: 0, fields: { message_id: 'q-1', final_date: '', message_state: 1, error_code: 0 } };
      if (request.command === 'cancel_sm') return { status: 0x11 };
      return { status: 0, messageId: `id-${request.sequenceNumber}` };
    },
  });
  try {
    const esme = await RawEsme.connect(fixture.server.port);
    await esme.bind('transmitter');
    const first = esme.send('submit_sm', { ...SUBMIT, short_message: Buffer.from('slow'), validity_period: '000001000000000R' });
    const second = esme.send('submit_sm', SUBMIT);
    const data = esme.send('data_sm', { destination_addr: '79001234567', message_payload: Buffer.from('payload'), data_coding: 1 });
    const secondAnswer = await esme.response(second);
    assert.deepEqual([secondAnswer.commandId, secondAnswer.status, secondAnswer.pdu['message_id']], [0x80000004, 0, `id-${second}`]);
    const dataAnswer = await esme.response(data);
    assert.deepEqual([dataAnswer.commandId, dataAnswer.pdu['message_id']], [0x80000103, `id-${data}`]);
    slow.open();
    const firstAnswer = await esme.response(first);
    assert.equal(firstAnswer.pdu['message_id'], `id-${first}`);
    assert.ok(esme.received.indexOf(firstAnswer) > esme.received.indexOf(secondAnswer), 'answered in order of completion');
    // Fields as on the wire: octets and the time string.
    const slowRequest = fixture.submits.find((r) => r.sequenceNumber === first)!;
    assert.ok(Buffer.isBuffer(slowRequest.fields['short_message']));
    assert.equal(slowRequest.fields['validity_period'], '000001000000000R');
    assert.equal(slowRequest.raw.readUInt32BE(12), first);
    assert.equal(fixture.submits.find((r) => r.command === 'data_sm')!.sequenceNumber, data);

    const query = esme.send('query_sm', { message_id: 'q-1' });
    const queryAnswer = await esme.response(query);
    assert.deepEqual([queryAnswer.commandId, queryAnswer.pdu['message_id'], queryAnswer.pdu['message_state']], [0x80000003, 'q-1', 1]);
    const cancel = esme.send('cancel_sm', { message_id: 'q-1' });
    const cancelAnswer = await esme.response(cancel);
    assert.deepEqual([cancelAnswer.commandId, cancelAnswer.status], [0x80000008, 0x11]);
    const info = fixture.server.sessions()[0]!;
    assert.deepEqual(
      { received: info.counters.submitsReceived, answered: info.counters.submitsAnswered, refused: info.counters.submitsRefused },
      { received: 3, answered: 3, refused: 0 },
    );
    esme.end();
  } finally {
    await fixture.server.close();
  }
});

test("a handler's failure is ESME_RSYSERR; a receiver's submit_sm and query_sm are 0x04 without the door", async () => {
  const fixture = await startFixture({
    answer: () => {
      throw new Error('boom');
    },
  });
  try {
    const transmitter = await RawEsme.connect(fixture.server.port);
    await transmitter.bind('transmitter');
    const failed = transmitter.send('submit_sm', SUBMIT);
    assert.equal((await transmitter.response(failed)).status, 0x08);
    assert.equal(fixture.submits.length, 1);

    const receiver = await RawEsme.connect(fixture.server.port);
    await receiver.bind('receiver');
    const submit = receiver.send('submit_sm', SUBMIT);
    const answer = await receiver.response(submit);
    assert.deepEqual([answer.commandId, answer.status], [0x80000004, 0x04]);
    const query = receiver.send('query_sm', { message_id: 'x' });
    assert.equal((await receiver.response(query)).status, 0x04);
    assert.equal(fixture.submits.length, 1);
    assert.equal(fixture.queries.length, 0);
    const info = fixture.server.sessions().find((s) => s.bindType === 'receiver')!;
    assert.equal(info.counters.submitsRefused, 1);
    transmitter.end();
    receiver.end();
  } finally {
    await fixture.server.close();
  }
});

test('window 2 with a blocking handler: the third submit is not read until one is answered', async () => {
  const gates: { open(value: void): void }[] = [];
  const fixture = await startFixture({
    decide: () => ({ ok: true, user: null, window: 2, throughput: 0 }),
    answer: async () => {
      const g = gate<void>();
      gates.push(g);
      await g.promise;
      return { status: 0, messageId: 'm' };
    },
  });
  try {
    const esme = await RawEsme.connect(fixture.server.port);
    await esme.bind('transceiver');
    // Three submits in one write: the server has all their octets at once.
    esme.write(Buffer.concat([1, 2, 3].map((n) => encode('submit_sm', SUBMIT, 100 + n))));
    await until(() => fixture.submits.length === 2);
    await delay(100);
    assert.equal(fixture.submits.length, 2, 'the third is not read while the window is full');
    assert.equal(fixture.server.sessions()[0]!.submitsInFlight, 2);
    gates[0]!.open();
    await until(() => fixture.submits.length === 3);
    assert.equal((await esme.response(101)).status, 0);
    gates[1]!.open();
    gates[2]!.open();
    assert.equal((await esme.response(103)).status, 0);
    esme.end();
  } finally {
    await fixture.server.close();
  }
});

test('throughput: over the limit per second a submit is ESME_RTHROTTLED without the door; the next second passes', async () => {
  const fixture = await startFixture({ decide: () => ({ ok: true, user: null, window: 10, throughput: 2 }) });
  try {
    const esme = await RawEsme.connect(fixture.server.port);
    await esme.bind('transmitter');
    esme.write(Buffer.concat([1, 2, 3, 4].map((n) => encode('submit_sm', SUBMIT, n))));
    const statuses = [];
    for (const n of [1, 2, 3, 4]) statuses.push((await esme.response(n)).status);
    assert.deepEqual(statuses, [0, 0, 0x58, 0x58]);
    assert.equal(fixture.submits.length, 2);
    await delay(1050);
    esme.write(encode('submit_sm', SUBMIT, 5));
    assert.equal((await esme.response(5)).status, 0);
    const counters = fixture.server.sessions()[0]!.counters;
    assert.deepEqual([counters.submitsReceived, counters.submitsAnswered, counters.submitsRefused], [5, 5, 2]);
    esme.end();
  } finally {
    await fixture.server.close();
  }
});

test('unbind: the submit in flight is answered first, then unbind_resp, then the connection is closed', async () => {
  const held = gate<void>();
  const fixture = await startFixture({
    answer: async () => {
      await held.promise;
      return { status: 0, messageId: 'late' };
    },
  });
  try {
    const esme = await RawEsme.connect(fixture.server.port);
    await esme.bind('transceiver');
    const submit = esme.send('submit_sm', SUBMIT);
    await until(() => fixture.submits.length === 1);
    const unbind = esme.send('unbind');
    await delay(50);
    assert.equal(esme.received.some((p) => p.sequence === unbind), false, 'unbind waits for the submit');
    const afterUnbind = esme.send('submit_sm', SUBMIT);
    assert.equal((await esme.response(afterUnbind)).status, 0x04, 'nothing new is taken after unbind');
    held.open();
    const submitAnswer = await esme.response(submit);
    const unbindAnswer = await esme.response(unbind);
    assert.equal(submitAnswer.pdu['message_id'], 'late');
    assert.deepEqual([unbindAnswer.commandId, unbindAnswer.status], [0x80000006, 0]);
    assert.ok(esme.received.indexOf(submitAnswer) < esme.received.indexOf(unbindAnswer));
    await esme.closed;
    await until(() => fixture.closedSessions.length === 1);
  } finally {
    await fixture.server.close();
  }
});

test('deliver: at most window unanswered, resolves with the resp status, lost on close; not on a transmitter', async () => {
  const fixture = await startFixture({ decide: () => ({ ok: true, user: null, window: 2, throughput: 0 }) });
  try {
    const esme = await RawEsme.connect(fixture.server.port);
    await esme.bind('transceiver');
    const session: SmscSession = fixture.boundSessions[0]!;
    const fields = (n: number) => ({ source_addr: '79001234567', destination_addr: 'Sender', esm_class: 0x04, data_coding: 0, short_message: Buffer.from(`r${n}`) });
    const outcomes: Promise<DeliverOutcome>[] = [1, 2, 3, 4].map((n) => session.deliver(fields(n)));
    await until(() => esme.received.filter((p) => p.pdu.command === 'deliver_sm').length === 2);
    await delay(50);
    const delivers = () => esme.received.filter((p) => p.pdu.command === 'deliver_sm');
    assert.equal(delivers().length, 2, 'window 2');
    assert.equal(session.deliversQueued, 2);
    const [d1, d2] = delivers();
    assert.equal(d1!.raw.readUInt32BE(4), 0x00000005);
    esme.write(encode('deliver_sm_resp', { message_id: '' }, d1!.sequence));
    assert.deepEqual(await outcomes[0], { status: 0 });
    await until(() => delivers().length === 3);
    esme.write(encode('deliver_sm_resp', { command_status: 0x08 }, d2!.sequence));
    assert.deepEqual(await outcomes[1], { status: 0x08 });
    await until(() => delivers().length === 4);
    const counters = fixture.server.sessions()[0]!.counters;
    assert.deepEqual([counters.deliversSent, counters.deliversAcked], [4, 2]);
    esme.end();
    assert.deepEqual(await outcomes[2], { lost: true });
    assert.deepEqual(await outcomes[3], { lost: true });
    assert.equal(session.counters.deliversLost, 2);
    assert.deepEqual(await session.deliver(fields(5)), { lost: true }, 'a closed session loses at once');

    const transmitter = await RawEsme.connect(fixture.server.port);
    await transmitter.bind('transmitter');
    await assert.rejects(fixture.boundSessions[1]!.deliver(fields(6)), /not bound as receiver or transceiver/);
    transmitter.end();
  } finally {
    await fixture.server.close();
  }
});

test('deliver: no deliver_sm_resp within responseTimeoutMs → lost, and the window slot is free again', async () => {
  const fixture = await startFixture({ decide: () => ({ ok: true, user: null, window: 1, throughput: 0 }), timers: { responseTimeoutMs: 150 } });
  try {
    const esme = await RawEsme.connect(fixture.server.port);
    await esme.bind('receiver');
    const session = fixture.boundSessions[0]!;
    const started = Date.now();
    const first = session.deliver({ source_addr: '1', destination_addr: '2', short_message: Buffer.from('a'), data_coding: 0 });
    const second = session.deliver({ source_addr: '1', destination_addr: '2', short_message: Buffer.from('b'), data_coding: 0 });
    assert.deepEqual(await first, { lost: true });
    assert.ok(Date.now() - started >= 140);
    const next = await esme.next((p) => p.pdu.command === 'deliver_sm' && p.raw.includes(Buffer.from('b')));
    esme.write(encode('deliver_sm_resp', { message_id: '' }, next.sequence));
    assert.deepEqual(await second, { status: 0 });
    esme.end();
  } finally {
    await fixture.server.close();
  }
});
