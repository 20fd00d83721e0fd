/**
 * The SMSC stand-in (test/support/smscStandIn.ts) against a raw `smpp` library CLIENT over real TCP: bind, submit,
 * receipts, scripted throttling / early receipts / disconnects, MO, and the recording the connector tests rely on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import smpp from 'smpp';
import { ESME, SmscStandIn, type SmscStandInOptions } from '../support/smscStandIn.js';
import { decodeShortMessage, segmentSms } from '../../src/smpp/segmentation.js';
import { parseDeliveryReceipt, receiptOutcome, sameMessageId } from '../../src/smpp/receipt.js';
import { destinationAddress, senderAddress } from '../../src/smpp/addresses.js';
import { validityPeriod } from '../../src/smpp/validityPeriod.js';

type PDU = smpp.PDU;

interface Client {
  session: smpp.Session;
  received: PDU[];
  bindStatus: number;
  submit(fields: Record<string, unknown>): Promise<PDU>;
  next(command: string, predicate?: (pdu: PDU) => boolean): Promise<PDU>;
  close(): Promise<void>;
}

async function connectClient(
  port: number,
  { mode = 'bind_transceiver', systemId = 'test', password = 'secret', interfaceVersion = 0x34, answerDeliver = true } = {},
): Promise<Client> {
  const session = smpp.connect({ host: '127.0.0.1', port });
  session.on('error', () => {});
  await once(session, 'connect');
  const received: PDU[] = [];
  session.on('pdu', (pdu: PDU) => {
    received.push(pdu);
    if (answerDeliver && pdu.command === 'deliver_sm') session.send(pdu.response());
    if (pdu.command === 'enquire_link' || pdu.command === 'unbind') session.send(pdu.response());
  });
  const bindResponse = await new Promise<PDU>((resolve) => {
    (session[mode as 'bind_transceiver'] as smpp.Shortcut)({ system_id: systemId, password, interface_version: interfaceVersion }, resolve);
  });
  const next = (command: string, predicate: (pdu: PDU) => boolean = () => true): Promise<PDU> =>
    new Promise((resolve, reject) => {
      const seen = received.find((p) => p.command === command && predicate(p));
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`no ${command} within 3 s`)), 3000);
      const listener = (pdu: PDU): void => {
        if (pdu.command !== command || !predicate(pdu)) return;
        clearTimeout(timer);
        session.off('pdu', listener);
        resolve(pdu);
      };
      session.on('pdu', listener);
    });
  return {
    session,
    received,
    bindStatus: bindResponse.command_status,
    submit: (fields) => new Promise((resolve) => session.submit_sm({ registered_delivery: 1, ...fields }, resolve)),
    next,
    close: async () => {
      if (session.socket.destroyed) return;
      session.destroy();
      await once(session.socket, 'close').catch(() => undefined);
    },
  };
}

async function withSmsc(options: SmscStandInOptions, run: (smsc: SmscStandIn, port: number) => Promise<void>): Promise<void> {
  const smsc = new SmscStandIn(options);
  const { port, close } = await smsc.start();
  try {
    await run(smsc, port);
  } finally {
    await close();
  }
}

const text = (message: string) => ({ data_coding: 0, short_message: Buffer.from(message, 'ascii') });

test('bind: right credentials bind; wrong system_id → ESME_RINVSYSID; wrong password → ESME_RINVPASWD; twice → ESME_RALYBND', async () => {
  await withSmsc({ systemId: 'gw', password: 'pw' }, async (smsc, port) => {
    const ok = await connectClient(port, { systemId: 'gw', password: 'pw' });
    assert.equal(ok.bindStatus, ESME.ROK);
    const again = await new Promise<PDU>((resolve) => ok.session.bind_transceiver({ system_id: 'gw', password: 'pw', interface_version: 0x34 }, resolve));
    assert.equal(again.command_status, ESME.RALYBND);
    const badSystem = await connectClient(port, { systemId: 'nope', password: 'pw' });
    assert.equal(badSystem.bindStatus, ESME.RINVSYSID);
    const badPassword = await connectClient(port, { systemId: 'gw', password: 'nope' });
    assert.equal(badPassword.bindStatus, ESME.RINVPASWD);
    // Not bound: submit refused.
    assert.equal((await badPassword.submit({ destination_addr: '1', ...text('x') })).command_status, ESME.RINVBNDSTS);
    assert.deepEqual(smsc.binds.map((b) => [b.mode, b.systemId, b.status]), [
      ['transceiver', 'gw', ESME.ROK],
      ['transceiver', 'gw', ESME.RALYBND],
      ['transceiver', 'nope', ESME.RINVSYSID],
      ['transceiver', 'gw', ESME.RINVPASWD],
    ]);
    assert.deepEqual(smsc.violations, []);
    for (const c of [ok, badSystem, badPassword]) await c.close();
  });
});

test('a bind with interface_version 0x50 (the library default) is served but recorded as a violation', async () => {
  await withSmsc({}, async (smsc, port) => {
    const client = await connectClient(port, { interfaceVersion: 0x50 });
    assert.equal(client.bindStatus, ESME.ROK);
    assert.match(smsc.violations.join('\n'), /interface_version 0x50/);
    await client.close();
  });
});

test('submit → message_id, then a receipt with the Appendix B text and the TLVs, answered by the client', async () => {
  await withSmsc({ firstMessageId: 500 }, async (smsc, port) => {
    const client = await connectClient(port);
    const from = senderAddress('MyShop');
    const to = destinationAddress('+79261234567');
    const validity = validityPeriod(Date.now() + 3600_000);
    const response = await client.submit({
      source_addr_ton: from.ton,
      source_addr_npi: from.npi,
      source_addr: from.addr,
      dest_addr_ton: to.ton,
      dest_addr_npi: to.npi,
      destination_addr: to.addr,
      validity_period: validity,
      ...text('Hello'),
    });
    assert.equal(response.command_status, 0);
    assert.equal(response['message_id'], '500');
    const receipt = await client.next('deliver_sm');
    assert.equal(receipt['esm_class'], 0x04);
    assert.equal(receipt['source_addr'], '79261234567');
    assert.equal(receipt['destination_addr'], 'MyShop');
    assert.equal(receipt['receipted_message_id'], '500');
    assert.equal(receipt['message_state'], 2);
    const receiptText = (receipt['short_message'] as { message: string }).message;
    assert.match(receiptText, /^id:500 sub:001 dlvrd:001 submit date:\d{10} done date:\d{10} stat:DELIVRD err:000 text:Hello$/);
    const parsed = parseDeliveryReceipt({ text: receiptText, receiptedMessageId: receipt['receipted_message_id'] as string, messageState: receipt['message_state'] as number });
    assert.deepEqual(receiptOutcome(parsed!), { final: true, status: 'delivered' });

    const answered = await smsc.waitFor<{ responseStatus?: number }>('receipt');
    assert.equal(answered.responseStatus, 0);
    const [submit] = smsc.submits;
    assert.equal(submit!.sourceAddr, 'MyShop');
    assert.deepEqual([submit!.sourceTon, submit!.sourceNpi, submit!.destTon, submit!.destNpi], [5, 0, 1, 1]);
    assert.equal(submit!.validityPeriod, validity);
    assert.equal(submit!.registeredDelivery, 1);
    assert.equal(submit!.text, 'Hello');
    assert.equal(submit!.messageId, '500');
    assert.equal(smsc.submitsTo('79261234567'), 1);
    assert.deepEqual(smsc.violations, []);
    // Every PDU recorded both ways, with the raw octets.
    const commands = smsc.pdus.map((p) => `${p.direction} ${p.command}`);
    assert.deepEqual(commands, ['in bind_transceiver', 'out bind_transceiver_resp', 'in submit_sm', 'out submit_sm_resp', 'out deliver_sm', 'in deliver_sm_resp']);
    for (const p of smsc.pdus) assert.equal(p.raw.readUInt32BE(0), p.raw.length);
    await client.close();
  });
});

test('no receipt unless registered_delivery asks; failure-only receipts skip DELIVRD', async () => {
  await withSmsc({ receipts: (s) => ({ stat: s.destinationAddr.endsWith('0') ? 'UNDELIV' : 'DELIVRD' }) }, async (smsc, port) => {
    const client = await connectClient(port);
    await client.submit({ destination_addr: '71', registered_delivery: 0, ...text('a') });
    await client.submit({ destination_addr: '72', registered_delivery: 2, ...text('b') });
    await client.submit({ destination_addr: '70', registered_delivery: 2, ...text('c') });
    const receipt = await client.next('deliver_sm');
    assert.equal(receipt['source_addr'], '70');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(client.received.filter((p) => p.command === 'deliver_sm').length, 1);
    assert.equal(smsc.acceptedCount, 3);
    await client.close();
  });
});

test('hex message ids; the receipt text gives the id in decimal, zero-padded', async () => {
  await withSmsc({ messageIdNotation: 'hex', firstMessageId: 0x1a2b, receipts: { textIdNotation: 'decimal', textIdWidth: 10 } }, async (_smsc, port) => {
    const client = await connectClient(port);
    const response = await client.submit({ destination_addr: '79261234567', ...text('x') });
    assert.equal(response['message_id'], '1A2B');
    const receipt = await client.next('deliver_sm');
    const parsed = parseDeliveryReceipt({ text: (receipt['short_message'] as { message: string }).message })!;
    assert.deepEqual(parsed.messageIds, ['0000006699']);
    assert.ok(sameMessageId(response['message_id'] as string, parsed.messageIds[0]!));
    assert.equal(receipt['receipted_message_id'], '1A2B');
    await client.close();
  });
});

test('receipts with any stat / err / network_error_code, text only or TLV only, or in message_payload', async () => {
  await withSmsc({ receipts: false }, async (smsc, port) => {
    const client = await connectClient(port);
    const id = (await client.submit({ destination_addr: '79261234567', ...text('x') }))['message_id'] as string;
    await smsc.sendReceipt(id, { stat: 'UNDELIV', err: 501 });
    await smsc.sendReceipt(id, { stat: 'EXPIRED', err: null, tlv: false });
    await smsc.sendReceipt(id, { stat: 'UNDELIV', inText: false, networkErrorCode: { networkType: 3, code: 27 } });
    await smsc.sendReceipt(id, { stat: 'REJECTD', err: 458, inPayload: true });
    await smsc.sendReceipt(id, { text: (f) => `ID:${f.textId} STAT:${f.stat.toLowerCase()}`, stat: 'DELETED' });
    const receipts = client.received.filter((p) => p.command === 'deliver_sm');
    assert.equal(receipts.length, 5);
    const outcomes = receipts.map((r) => {
      const body = (r['message_payload'] ?? r['short_message']) as { message?: string } | undefined;
      const input = {
        text: body?.message || undefined,
        receiptedMessageId: r['receipted_message_id'] as string | undefined,
        messageState: r['message_state'] as number | undefined,
        networkErrorCode: r['network_error_code'] as Buffer | undefined,
      };
      return receiptOutcome(parseDeliveryReceipt(input)!);
    });
    assert.deepEqual(outcomes, [
      { final: true, status: 'undelivered', errorCode: 501, from: 'err' },
      { final: true, status: 'undelivered', errorCode: 127, from: 'default' },
      { final: true, status: 'undelivered', errorCode: 504, from: 'network_error_code' },
      { final: true, status: 'undelivered', errorCode: 458, from: 'err' },
      { final: true, status: 'undelivered', errorCode: 502, from: 'default' },
    ]);
    assert.equal(receipts[1]!['receipted_message_id'], undefined);
    assert.match((receipts[1]!['short_message'] as { message: string }).message, /stat:EXPIRED text:x$/);
    await client.close();
  });
});

test('throttleNext / failNext: the next N submits get the status, then submits are accepted again', async () => {
  await withSmsc({}, async (smsc, port) => {
    const client = await connectClient(port);
    smsc.throttleNext(2);
    smsc.failNext(1, ESME.RMSGQFUL);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await client.submit({ destination_addr: '79261234567', ...text(`m${i}`) })).command_status);
    assert.deepEqual(statuses, [ESME.RTHROTTLED, ESME.RTHROTTLED, ESME.RMSGQFUL, ESME.ROK]);
    assert.equal(smsc.submitsTo('79261234567'), 1);
    // An error response is a bare header (SMPP 3.4: no body with a non-zero command_status).
    const errorResponses = smsc.pdus.filter((p) => p.command === 'submit_sm_resp' && p.commandStatus !== 0);
    assert.ok(errorResponses.every((p) => p.raw.length === 16));
    await client.close();
  });
});

test('throughputLimit: over N per second per connection → ESME_RTHROTTLED', async () => {
  await withSmsc({ throughputLimit: 3, receipts: false }, async (_smsc, port) => {
    const client = await connectClient(port);
    const statuses = await Promise.all(Array.from({ length: 5 }, (_, i) => client.submit({ destination_addr: '1', ...text(`${i}`) })));
    assert.deepEqual(statuses.map((r) => r.command_status), [0, 0, 0, ESME.RTHROTTLED, ESME.RTHROTTLED]);
    await client.close();
  });
});

test('early receipt: the deliver_sm comes BEFORE its submit_sm_resp', async () => {
  await withSmsc({ receipts: { early: true, earlyByMs: 30 } }, async (_smsc, port) => {
    const client = await connectClient(port);
    const response = await client.submit({ destination_addr: '79261234567', ...text('x') });
    const order = client.received.filter((p) => p.command === 'deliver_sm' || p.command === 'submit_sm_resp').map((p) => p.command);
    assert.deepEqual(order, ['deliver_sm', 'submit_sm_resp']);
    assert.equal(client.received.find((p) => p.command === 'deliver_sm')!['receipted_message_id'], response['message_id']);
    await client.close();
  });
});

test('responseDelayMs delays submit_sm_resp; receipts follow the response after delayMs', async () => {
  await withSmsc({ responseDelayMs: 60, receipts: { delayMs: 40 } }, async (_smsc, port) => {
    const client = await connectClient(port);
    const started = Date.now();
    await client.submit({ destination_addr: '1', ...text('x') });
    assert.ok(Date.now() - started >= 55);
    await client.next('deliver_sm');
    assert.ok(Date.now() - started >= 95);
    await client.close();
  });
});

test('hold / release: responses kept back fill the client window; maxOutstanding measures it', async () => {
  await withSmsc({ receipts: false }, async (smsc, port) => {
    const client = await connectClient(port);
    smsc.hold();
    const pending = Array.from({ length: 5 }, (_, i) => client.submit({ destination_addr: '1', ...text(`${i}`) }));
    await smsc.waitForSubmits(5);
    assert.equal(client.received.filter((p) => p.command === 'submit_sm_resp').length, 0);
    assert.equal(smsc.maxOutstanding, 5);
    smsc.release();
    const responses = await Promise.all(pending);
    assert.deepEqual(responses.map((r) => r['message_id']), ['1000', '1001', '1002', '1003', '1004']);
    await client.close();
  });
});

test('dropAfter(n): n submits go unanswered, then the connection is cut (disconnect mid-window)', async () => {
  await withSmsc({}, async (smsc, port) => {
    const client = await connectClient(port);
    assert.equal((await client.submit({ destination_addr: '1', ...text('answered') })).command_status, 0);
    smsc.dropAfter(2);
    const closed = once(client.session, 'close');
    void client.submit({ destination_addr: '1', ...text('lost 1') });
    void client.submit({ destination_addr: '1', ...text('lost 2') });
    await closed;
    assert.equal(client.received.filter((p) => p.command === 'submit_sm_resp').length, 1);
    assert.deepEqual(smsc.submits.map((s) => [s.text, s.status]), [['answered', 0], ['lost 1', undefined], ['lost 2', undefined]]);
    // The SMSC is still up: a new bind works.
    const again = await connectClient(port);
    assert.equal((await again.submit({ destination_addr: '1', ...text('after') })).command_status, 0);
    await again.close();
  });
});

test('transmitter + receiver: receipts go to the receiver bind, and wait for one when none is bound', async () => {
  await withSmsc({}, async (smsc, port) => {
    const tx = await connectClient(port, { mode: 'bind_transmitter' });
    const response = await tx.submit({ destination_addr: '79261234567', ...text('x') });
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(tx.received.filter((p) => p.command === 'deliver_sm').length, 0);
    const rx = await connectClient(port, { mode: 'bind_receiver' });
    const receipt = await rx.next('deliver_sm');
    assert.equal(receipt['receipted_message_id'], response['message_id']);
    // A receiver bind cannot submit.
    assert.equal((await rx.submit({ destination_addr: '1', ...text('x') })).command_status, ESME.RINVBNDSTS);
    await tx.close();
    await rx.close();
  });
});

test('multipart over the wire: UDH, SAR and message_payload as the stand-in reads them', async () => {
  await withSmsc({ receipts: false }, async (smsc, port) => {
    const client = await connectClient(port);
    const long = 'Привет! '.repeat(20); // UCS-2, 160 units → 3 parts
    for (const mode of ['udh', 'sar', 'payload'] as const) {
      const segmented = segmentSms(long, { reference: 42, mode });
      for (const part of segmented.parts) {
        const response = await client.submit({
          destination_addr: '79261234567',
          esm_class: part.esmClass,
          data_coding: segmented.dataCoding,
          short_message: part.shortMessage,
          ...(part.sarTlvs ?? {}),
          ...(part.messagePayload ? { message_payload: part.messagePayload } : {}),
        });
        assert.equal(response.command_status, 0);
      }
    }
    const [udh, sar, payload] = [smsc.submits.slice(0, 3), smsc.submits.slice(3, 6), smsc.submits.slice(6)];
    assert.deepEqual(udh.map((s) => s.concatenation), [1, 2, 3].map((seq) => ({ reference: 42, total: 3, seq })));
    assert.equal(udh.map((s) => s.text).join(''), long);
    assert.deepEqual(udh.map((s) => s.libraryText), udh.map((s) => s.text), 'the smpp library decodes our parts to the same text');
    assert.deepEqual(sar.map((s) => s.sar), [1, 2, 3].map((seq) => ({ reference: 42, total: 3, seq })));
    assert.equal(sar.map((s) => s.text).join(''), long);
    assert.equal(payload.length, 1);
    assert.equal(payload[0]!.shortMessage.length, 0);
    assert.equal(payload[0]!.text, long);
    assert.deepEqual(smsc.violations, []);
    await client.close();
  });
});

test('GSM-7 on the wire: unpacked septets with data_coding 0, read back by the library as the same text', async () => {
  await withSmsc({ receipts: false }, async (smsc, port) => {
    const client = await connectClient(port);
    const message = 'Price 5€ @ shop_{1} ~ok~ ' + 'x'.repeat(150);
    const segmented = segmentSms(message, { reference: 9, mode: 'udh' });
    assert.equal(segmented.parts.length, 2);
    for (const part of segmented.parts) {
      await client.submit({ destination_addr: '1', esm_class: part.esmClass, data_coding: 0, short_message: part.shortMessage });
    }
    assert.equal(smsc.submits.map((s) => s.text).join(''), message);
    assert.deepEqual(smsc.submits.map((s) => s.libraryText), segmented.parts.map((p) => p.text));
    assert.deepEqual(smsc.violations, []);
    await client.close();
  });
});

test('MO: sendMo delivers an inbound deliver_sm (UCS-2 or GSM-7) and resolves with the answer', async () => {
  await withSmsc({}, async (smsc, port) => {
    const client = await connectClient(port);
    const response = await smsc.sendMo({ source: '79261234567', destination: '7377', text: 'Привет' });
    assert.equal(response.command_status, 0);
    const mo = await client.next('deliver_sm');
    assert.equal(mo['esm_class'], 0);
    assert.equal(mo['data_coding'], 8);
    assert.equal((mo['short_message'] as { message: string }).message, 'Привет');
    await smsc.sendMo({ source: '79261234567', destination: '7377', text: 'Hi @ 5€' });
    const gsm = await client.next('deliver_sm', (p) => p['data_coding'] === 0);
    // On the wire: the 8 unpacked septets end the PDU (no TLVs).
    const raw = smsc.pdus.filter((p) => p.command === 'deliver_sm').at(-1)!.raw;
    assert.equal(decodeShortMessage(raw.subarray(-8), 0).text, 'Hi @ 5€');
    assert.equal(raw[raw.length - 9], 8, 'sm_length');
    assert.equal((gsm['short_message'] as { message: string }).message, 'Hi @ 5€');
    await client.close();
  });
});

test('enquire_link is answered; unbind is answered and the connection closed; SMSC enquire_link and unbind work', async () => {
  await withSmsc({}, async (smsc, port) => {
    const client = await connectClient(port);
    const link = await new Promise<PDU>((resolve) => client.session.enquire_link({}, resolve));
    assert.equal(link.command, 'enquire_link_resp');
    assert.equal((await smsc.enquireLink()).command, 'enquire_link_resp');
    const closed = once(client.session, 'close');
    const unbound = await new Promise<PDU>((resolve) => client.session.unbind({}, resolve));
    assert.equal(unbound.command, 'unbind_resp');
    await closed;

    const second = await connectClient(port);
    const secondClosed = once(second.session, 'close');
    await smsc.unbindAll();
    assert.ok(second.received.some((p) => p.command === 'unbind'));
    await secondClosed;
    assert.deepEqual(smsc.violations, []);
  });
});

test('sequence numbers: a reused one and an unknown command are caught; unknown commands get generic_nack', async () => {
  await withSmsc({ receipts: false }, async (smsc, port) => {
    const client = await connectClient(port);
    smsc.hold();
    client.session.send(new smpp.PDU('submit_sm', { sequence_number: 7, destination_addr: '1', ...text('a') }));
    client.session.send(new smpp.PDU('submit_sm', { sequence_number: 7, destination_addr: '1', ...text('b') }));
    await smsc.waitForSubmits(2);
    smsc.release();
    assert.match(smsc.violations.join('\n'), /reuses sequence number 7/);
    await client.close();

    // A raw PDU with an unknown command id 0x00000099.
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const header = Buffer.alloc(16);
    header.writeUInt32BE(16, 0);
    header.writeUInt32BE(0x99, 4);
    header.writeUInt32BE(0, 8);
    header.writeUInt32BE(5, 12);
    socket.write(header);
    const [reply] = (await once(socket, 'data')) as [Buffer];
    assert.equal(reply.readUInt32BE(0), 16);
    assert.equal(reply.readUInt32BE(4), 0x80000000);
    assert.equal(reply.readUInt32BE(8), ESME.RINVCMDID);
    assert.equal(reply.readUInt32BE(12), 5);
    socket.destroy();
  });
});

test('data_coding 0 with octets above 0x7F and both short_message and message_payload are violations', async () => {
  await withSmsc({ receipts: false }, async (smsc, port) => {
    const client = await connectClient(port);
    await client.submit({ destination_addr: '1', data_coding: 0, short_message: Buffer.from([0xe8, 0x32]) });
    await client.submit({ destination_addr: '1', data_coding: 0, short_message: Buffer.from('a'), message_payload: Buffer.from('b') });
    assert.match(smsc.violations[0]!, /octet above 0x7F/);
    assert.match(smsc.violations[1]!, /both short_message and message_payload/);
    await client.close();
  });
});

test('many submits in flight are all answered and counted per destination (a light load check)', async () => {
  await withSmsc({ record: false }, async (smsc, port) => {
    const client = await connectClient(port);
    const count = 2000;
    const responses = await Promise.all(Array.from({ length: count }, (_, i) => client.submit({ destination_addr: String(100 + (i % 10)), ...text(`m${i}`) })));
    assert.ok(responses.every((r) => r.command_status === 0));
    await smsc.waitFor('receipt', () => client.received.filter((p) => p.command === 'deliver_sm').length >= count).catch(() => undefined);
    assert.equal(client.received.filter((p) => p.command === 'deliver_sm').length, count);
    assert.equal(smsc.submitsTo('105'), count / 10);
    assert.equal(smsc.pdus.length, 0);
    await client.close();
  });
});
