/** One connection's PDU traffic over a stand-in socket: numbering, matching, answers to the SMSC's requests. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import smpp from 'smpp';
import { COMMAND, RESPONSE_BIT, ESME_RINVCMDID, ESME_RINVCMDLEN, ESME_RX_T_APPN } from '../../src/smpp/commandCodes.js';
import { PduDispatch, type InboundPdu, type PduDispatchHandlers, type PduSocket } from '../../src/smpp/pduDispatch.js';
import { readHeader, type PduHeader } from '../../src/smpp/pduFraming.js';

class FakeSocket implements PduSocket {
  writable = true;
  writes: Buffer[] = [];
  ended = false;
  destroyed = false;
  write(data: Buffer): boolean {
    this.writes.push(data);
    return true;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** Every PDU written so far, cut apart by command_length. */
  pdus(): PduHeader[] {
    const all = Buffer.concat(this.writes);
    const out: PduHeader[] = [];
    for (let at = 0; at < all.length; at += all.readUInt32BE(at)) out.push(readHeader(all.subarray(at)));
    return out;
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function dispatchWith(overrides: Partial<PduDispatchHandlers> = {}) {
  const socket = new FakeSocket();
  const delivered: InboundPdu[] = [];
  const events: string[] = [];
  const dispatch = new PduDispatch(socket, {
    onDeliver: (pdu) => {
      delivered.push(pdu);
      return 0;
    },
    onUnbind: () => events.push('unbind'),
    log: (_level, _detail, message) => events.push(message),
    ...overrides,
  });
  return { socket, dispatch, delivered, events };
}

const pdu = (command: string, fields: Record<string, unknown>) => new smpp.PDU(command, fields).toBuffer();

test('requests are numbered in order, and each response reaches its own request', async () => {
  const { socket, dispatch } = dispatchWith();
  const answered: string[] = [];
  for (const name of ['first', 'second']) {
    dispatch.request(pdu('enquire_link', {}), 'enquire_link', { onResponse: () => answered.push(name), onLost: () => answered.push(`${name} lost`) });
  }
  await tick();
  assert.deepEqual(socket.pdus().map((h) => h.sequenceNumber), [1, 2]);
  assert.equal(socket.writes.length, 1, 'the writes of one tick leave in one buffer');
  dispatch.receive(pdu('enquire_link_resp', { sequence_number: 2 }));
  dispatch.receive(pdu('enquire_link_resp', { sequence_number: 9 })); // an answer to nothing
  dispatch.receive(pdu('enquire_link_resp', { sequence_number: 1 }));
  assert.deepEqual(answered, ['second', 'first']);
});

test("the SMSC's enquire_link is answered; an unknown command gets generic_nack ESME_RINVCMDID", async () => {
  const { socket, dispatch } = dispatchWith();
  dispatch.receive(pdu('enquire_link', { sequence_number: 41 }));
  dispatch.receive(pdu('query_sm', { sequence_number: 42, message_id: 'x', source_addr: '1' }));
  await tick();
  const [link, nack] = socket.pdus();
  assert.deepEqual([link!.commandId, link!.sequenceNumber], [COMMAND.enquire_link + RESPONSE_BIT, 41]);
  assert.deepEqual([nack!.commandId, nack!.sequenceNumber, nack!.commandStatus], [COMMAND.generic_nack, 42, ESME_RINVCMDID]);
});

test('a deliver_sm reaches onDeliver and is answered with the status it returns; a throwing handler answers ESME_RX_T_APPN', async () => {
  const statuses = [0, 0x45];
  const { socket, dispatch, delivered } = dispatchWith();
  const fields = { sequence_number: 5, source_addr: '79001234567', destination_addr: '4000', short_message: Buffer.from('hi'), data_coding: 0 };
  dispatch.receive(pdu('deliver_sm', fields));
  assert.equal(delivered.length, 1);
  assert.equal(delivered[0]!.command, 'deliver_sm');
  assert.equal(delivered[0]!.fields.sourceAddr, '79001234567');
  assert.deepEqual(delivered[0]!.fields.shortMessage, Buffer.from('hi'));

  const failing = dispatchWith({ onDeliver: () => statuses.pop()! });
  failing.dispatch.receive(pdu('deliver_sm', { ...fields, sequence_number: 6 }));
  const throwing = dispatchWith({
    onDeliver: () => {
      throw new Error('store down');
    },
  });
  throwing.dispatch.receive(pdu('data_sm', { sequence_number: 7, source_addr: '1', destination_addr: '2', data_coding: 0 }));
  await tick();
  assert.deepEqual(socket.pdus().map((h) => [h.commandId, h.sequenceNumber, h.commandStatus]), [[COMMAND.deliver_sm + RESPONSE_BIT, 5, 0]]);
  assert.deepEqual(failing.socket.pdus().map((h) => [h.sequenceNumber, h.commandStatus]), [[6, 0x45]]);
  assert.deepEqual(throwing.socket.pdus().map((h) => [h.commandId, h.sequenceNumber, h.commandStatus]), [[COMMAND.data_sm + RESPONSE_BIT, 7, ESME_RX_T_APPN]]);
  assert.ok(throwing.events.includes('data_sm not taken in'));
});

test('an unbind from the SMSC is answered, reported, and the connection closed gracefully', async () => {
  const { socket, dispatch, events } = dispatchWith();
  dispatch.receive(pdu('unbind', { sequence_number: 3 }));
  assert.deepEqual(events, ['unbind']);
  assert.ok(socket.ended, 'FIN sent');
  assert.deepEqual(socket.pdus().map((h) => [h.commandId, h.sequenceNumber]), [[COMMAND.unbind + RESPONSE_BIT, 3]], 'answered before the FIN');
});

test('a stream that cannot be framed gets generic_nack ESME_RINVCMDLEN and is closed', () => {
  const { socket, dispatch } = dispatchWith();
  const bad = Buffer.alloc(16);
  bad.writeUInt32BE(8, 0); // command_length below the header's
  dispatch.receive(bad);
  assert.equal(socket.pdus()[0]!.commandStatus, ESME_RINVCMDLEN);
  assert.ok(socket.ended);
});

test('overdueRequest names the oldest unanswered request but an unbind', async () => {
  const { dispatch } = dispatchWith();
  const none = { onResponse: () => undefined, onLost: () => undefined };
  dispatch.request(pdu('unbind', {}), 'unbind', none);
  dispatch.request(pdu('enquire_link', {}), 'enquire_link', none);
  const now = performance.now();
  assert.equal(dispatch.overdueRequest(now, 60_000), undefined);
  assert.deepEqual(dispatch.overdueRequest(now + 60_001, 60_000), { sequence: 2, command: 'enquire_link' });
});

test('a closed connection: every unanswered request is told why, and later data is ignored', () => {
  const { dispatch, delivered } = dispatchWith();
  const lost: string[] = [];
  dispatch.request(pdu('enquire_link', {}), 'enquire_link', { onResponse: () => lost.push('answered'), onLost: (reason) => lost.push(reason) });
  dispatch.connectionClosed();
  dispatch.receive(pdu('enquire_link_resp', { sequence_number: 1 }));
  dispatch.receive(pdu('deliver_sm', { sequence_number: 2, source_addr: '1', destination_addr: '2', short_message: Buffer.from('x') }));
  assert.deepEqual(lost, ['connection lost before enquire_link_resp']);
  assert.equal(delivered.length, 0);
});
