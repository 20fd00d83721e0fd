/**
 * Concatenated submits (smpp-interface.md §3) over real TCP: UDH with an 8-bit (IEI 0x00) and a 16-bit (IEI 0x08)
 * reference, SAR TLVs, parts out of order, a UCS-2 surrogate pair split between two parts. Each makes ONE message
 * with the exact text, each part answered with its own message_id (uuid: segment 1 the messageUuid, segment n
 * `<uuid>-<n>`, whatever the order of arrival; hex and decimal: distinct counters that query_sm finds), receipts one
 * per part id, an incomplete concatenation as unsent 616 messages after 60 s, and a refused last part.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { SMPP_STATUS } from '../../src/domain/smppRules.js';
import { call } from '../support/gateway.js';
import { uniqueName } from '../support/http.js';
import { DoorClient, receiptFields } from '../support/smppDoorClient.js';
import { gsm, SENDER, describeDoorOnEachStore, type DoorGateway, receiptsOf } from '../support/smppDoorGateway.js';
import { delay, getMessage, udh16, udh8, ucs2, userOfAccount, UUID } from '../support/smppDoorPdus.js';

describeDoorOnEachStore('SMPP door: concatenated submits', 'smppconcat', (open) => {
  let door: DoorGateway;
  let client: DoorClient;
  const clients: DoorClient[] = [];
  let destinations = 0;
  /** A destination of its own for each message, so that listing by destination finds only it. */
  // The last 4 digits are no simulator magic number: every message is delivered.
  const nextDestination = () => `7999${String(++destinations).padStart(3, '0')}6789`;

  const connectAs = async (user: { systemId: string; password: string }) => {
    const c = await DoorClient.connect(door.door.port);
    clients.push(c);
    assert.equal(await c.bind(user.systemId, user.password), 0);
    return c;
  };

  before(async () => {
    door = await open();
    client = await connectAs(await door.user());
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await door.close();
  });

  const udhPart = (on: DoorClient, destination: string, udh: Buffer, payload: Buffer, fields: Record<string, unknown> = {}) =>
    on.submit({ source_addr: SENDER, destination_addr: destination, esm_class: 0x40, short_message: Buffer.concat([udh, payload]), ...fields });

  const sarPart = (on: DoorClient, destination: string, ref: number, total: number, seq: number, payload: Buffer, fields: Record<string, unknown> = {}) =>
    on.submit({
      source_addr: SENDER,
      destination_addr: destination,
      short_message: payload,
      sar_msg_ref_num: ref,
      sar_total_segments: total,
      sar_segment_seqnum: seq,
      ...fields,
    });

  async function messagesTo(destination: string): Promise<any[]> {
    const listed = await call(door.gateway, 'GET', `/api/v1/message?destination=${destination}`, { auth: door.auth });
    assert.equal(listed.status, 200);
    return listed.body as any[];
  }



  it('UDH with an 8-bit reference (IEI 0x00): one message, segment 1 = the messageUuid, segment n = <uuid>-<n>', async () => {
    const destination = nextDestination();
    const texts = ['First part of a long message, ', 'the second part, ', 'and the end.'];
    const answers = [];
    for (let seq = 1; seq <= 3; seq++) answers.push(await udhPart(client, destination, udh8(0x21, 3, seq), gsm(texts[seq - 1]!)));
    for (const a of answers) assert.equal(a.status, 0);
    const uuid = answers[0]!.messageId;
    assert.match(uuid, UUID);
    assert.deepEqual(answers.map((a) => a.messageId), [uuid, `${uuid}-2`, `${uuid}-3`]);
    const listed = await messagesTo(destination);
    assert.equal(listed.length, 1);
    assert.equal(listed[0].messageUuid, uuid);
    const got = (await getMessage(door, uuid)).body;
    assert.equal(got.content, texts.join(''));
    assert.equal(got.sendingMethod, 'SMPP');
  });

  it('UDH with a 16-bit reference (IEI 0x08), parts out of order: the ids follow the segment numbers', async () => {
    const destination = nextDestination();
    const texts = ['Sixteen-bit ', 'reference, ', 'sent 3, 1, 2.'];
    const bySeq = new Map<number, { status: number; messageId: string }>();
    for (const seq of [3, 1, 2]) bySeq.set(seq, await udhPart(client, destination, udh16(0xbeef, 3, seq), gsm(texts[seq - 1]!)));
    for (const a of bySeq.values()) assert.equal(a.status, 0);
    const uuid = bySeq.get(1)!.messageId;
    assert.match(uuid, UUID);
    assert.equal(bySeq.get(3)!.messageId, `${uuid}-3`, 'the first part to arrive, segment 3, already has the message uuid');
    assert.equal(bySeq.get(2)!.messageId, `${uuid}-2`);
    const listed = await messagesTo(destination);
    assert.equal(listed.length, 1);
    assert.equal(listed[0].content, texts.join(''));
    assert.equal(listed[0].messageUuid, uuid);
    // query_sm finds the message by any part's id, and by the part ids only.
    for (const id of [uuid, `${uuid}-2`, `${uuid}-3`]) {
      const query = await client.request('query_sm', { message_id: id, source_addr: SENDER });
      assert.equal(query.command_status, 0, id);
      assert.equal(query.message_id, id);
    }
    assert.equal((await client.request('query_sm', { message_id: `${uuid}-4`, source_addr: SENDER })).command_status, SMPP_STATUS.queryFailed);
  });

  it('SAR TLVs (sar_msg_ref_num / sar_total_segments / sar_segment_seqnum), out of order', async () => {
    const destination = nextDestination();
    const texts = ['SAR one. ', 'SAR two. ', 'SAR three. ', 'SAR four.'];
    const bySeq = new Map<number, string>();
    for (const seq of [2, 4, 1, 3]) {
      const a = await sarPart(client, destination, 0x1234, 4, seq, gsm(texts[seq - 1]!));
      assert.equal(a.status, 0, `segment ${seq}`);
      bySeq.set(seq, a.messageId);
    }
    const uuid = bySeq.get(1)!;
    assert.deepEqual([2, 3, 4].map((n) => bySeq.get(n)), [2, 3, 4].map((n) => `${uuid}-${n}`));
    const listed = await messagesTo(destination);
    assert.equal(listed.length, 1);
    assert.equal(listed[0].content, texts.join(''));
  });

  it('an 8-bit, a 16-bit and a SAR reference of the same value to the same address are three messages', async () => {
    const destination = nextDestination();
    await udhPart(client, destination, udh8(7, 2, 1), gsm('eight '));
    await udhPart(client, destination, udh16(7, 2, 1), gsm('sixteen '));
    await sarPart(client, destination, 7, 2, 1, gsm('sar '));
    await sarPart(client, destination, 7, 2, 2, gsm('end'));
    await udhPart(client, destination, udh16(7, 2, 2), gsm('end'));
    await udhPart(client, destination, udh8(7, 2, 2), gsm('end'));
    const contents = (await messagesTo(destination)).map((m) => m.content).sort();
    assert.deepEqual(contents, ['eight end', 'sar end', 'sixteen end']);
  });

  it('a UCS-2 surrogate pair split between two parts is one character of the message', async () => {
    const destination = nextDestination();
    const text = 'Привет 😀 мир';
    const octets = ucs2(text);
    const emojiAt = text.indexOf('😀') * 2;
    // Part 1 ends with the high surrogate, part 2 begins with the low one.
    const cut = emojiAt + 2;
    assert.deepEqual([octets[cut - 2], octets[cut]], [0xd8, 0xde]);
    const second = await udhPart(client, destination, udh8(0x42, 2, 2), octets.subarray(cut), { data_coding: 8 });
    const first = await udhPart(client, destination, udh8(0x42, 2, 1), octets.subarray(0, cut), { data_coding: 8 });
    assert.equal(first.status, 0);
    assert.equal(second.status, 0);
    assert.equal(second.messageId, `${first.messageId}-2`);
    assert.equal((await getMessage(door, first.messageId)).body.content, text);
  });

  it('a GSM 0x1B escape split between two parts is one extension character; parts of different data_coding join', async () => {
    const destination = nextDestination();
    // "Cost 5€" with the escape ending part 1 and 0x65 beginning part 2.
    const part1 = Buffer.concat([gsm('Cost 5'), Buffer.from([0x1b])]);
    const part2 = Buffer.concat([Buffer.from([0x65]), gsm(' only')]);
    assert.equal((await udhPart(client, destination, udh8(0x43, 2, 1), part1)).status, 0);
    const last = await udhPart(client, destination, udh8(0x43, 2, 2), part2);
    assert.equal(last.status, 0);
    assert.equal((await messagesTo(destination))[0]?.content, 'Cost 5€ only');

    const mixed = nextDestination();
    assert.equal((await udhPart(client, mixed, udh8(0x44, 2, 1), gsm('Latin and '))).status, 0);
    assert.equal((await udhPart(client, mixed, udh8(0x44, 2, 2), ucs2('кириллица'), { data_coding: 8 })).status, 0);
    assert.equal((await messagesTo(mixed))[0]?.content, 'Latin and кириллица');
  });

  it('a UDH of one part (total 1) is a single message; a malformed UDH or part 0 / part > total is 0x45', async () => {
    const destination = nextDestination();
    const single = await udhPart(client, destination, udh8(0x45, 1, 1), gsm('only part'));
    assert.equal(single.status, 0);
    assert.match(single.messageId, UUID);
    assert.equal((await getMessage(door, single.messageId)).body.content, 'only part');
    for (const [udh, why] of [
      [udh8(0x46, 3, 0), 'segment 0'],
      [udh8(0x46, 3, 4), 'segment 4 of 3'],
      [udh8(0x46, 0, 1), 'total 0'],
      [Buffer.from([0x09, 0x00, 0x03, 0x46, 0x02, 0x01]), 'UDHL past the message'],
      [Buffer.from([0x04, 0x00, 0x02, 0x46, 0x02]), 'IE 0x00 of 2 octets'],
    ] as [Buffer, string][]) {
      assert.equal((await client.submit({ source_addr: SENDER, destination_addr: destination, esm_class: 0x40, short_message: udh })).status, SMPP_STATUS.submitFailed, why);
    }
    // SAR TLVs must come together.
    const partial = await client.submit({ source_addr: SENDER, destination_addr: destination, short_message: gsm('x'), sar_msg_ref_num: 1, sar_total_segments: 2 });
    assert.equal(partial.status, SMPP_STATUS.submitFailed);
  });

  it('a repeated part is answered with the same id, and the message is still one', async () => {
    const destination = nextDestination();
    const a1 = await udhPart(client, destination, udh8(0x55, 3, 1), gsm('one '));
    const again = await udhPart(client, destination, udh8(0x55, 3, 1), gsm('one '));
    const a3 = await udhPart(client, destination, udh8(0x55, 3, 3), gsm('three'));
    const a3again = await udhPart(client, destination, udh8(0x55, 3, 3), gsm('three'));
    const a2 = await udhPart(client, destination, udh8(0x55, 3, 2), gsm('two '));
    for (const a of [a1, again, a3, a3again, a2]) assert.equal(a.status, 0);
    assert.equal(again.messageId, a1.messageId);
    assert.equal(a3again.messageId, a3.messageId);
    const listed = await messagesTo(destination);
    assert.equal(listed.length, 1);
    assert.equal(listed[0].content, 'one two three');
  });

  for (const format of ['hex', 'decimal'] as const) {
    it(`messageIdFormat ${format}: distinct ids for the parts, and query_sm finds the message by any of them`, async () => {
      const user = await door.user({ messageIdFormat: format });
      const c = await connectAs(user);
      const destination = nextDestination();
      const answers = [];
      for (const seq of [2, 1, 3]) answers.push(await udhPart(c, destination, udh8(0x66, 3, seq), gsm(`p${seq} `), { registered_delivery: 1 }));
      for (const a of answers) assert.equal(a.status, 0);
      const ids = answers.map((a) => a.messageId);
      assert.equal(new Set(ids).size, 3, ids.join());
      for (const id of ids) assert.match(id, format === 'hex' ? /^[0-9a-f]{1,16}$/ : /^[0-9]{1,19}$/);
      const [message] = await messagesTo(destination);
      assert.equal(message.content, 'p1 p2 p3 ');
      for (const id of ids) {
        const query = await c.request('query_sm', { message_id: id, source_addr: SENDER });
        assert.equal(query.command_status, 0, id);
        assert.equal(query.message_id, id);
        assert.equal(query.message_state, 1);
      }
      // Its receipts carry the same ids.
      const receipts = await receiptsOf(door, c, ids);
      assert.deepEqual(receipts.map((r) => receiptFields(r).id).sort(), [...ids].sort());
      // A single message of this user has a counter too, distinct from the parts'.
      const single = await c.submit({ source_addr: SENDER, destination_addr: nextDestination(), short_message: gsm('single') });
      assert.equal(single.status, 0);
      assert.ok(!ids.includes(single.messageId));
    });
  }

  it('parts of one user over two sessions make one message; the same reference from another user is another', async () => {
    const user = await door.user({ maxBinds: 2 });
    const a = await connectAs(user);
    const b = await connectAs(user);
    const other = await connectAs(await door.user());
    const destination = nextDestination();
    const first = await udhPart(a, destination, udh8(0x31, 2, 1), gsm('from A, '));
    const otherFirst = await udhPart(other, destination, udh8(0x31, 2, 1), gsm('other user, '));
    const second = await udhPart(b, destination, udh8(0x31, 2, 2), gsm('from B'));
    assert.equal(second.messageId, `${first.messageId}-2`);
    assert.notEqual(otherFirst.messageId, first.messageId);
    assert.equal((await getMessage(door, first.messageId)).body.content, 'from A, from B');
    assert.equal((await udhPart(other, destination, udh8(0x31, 2, 2), gsm('done'))).status, 0);
    assert.equal((await getMessage(door, otherFirst.messageId)).body.content, 'other user, done');
  });

  it('cancel_sm by any part id stops a scheduled concatenated message: a DELETED receipt per part id', async () => {
    const destination = nextDestination();
    const schedule = { schedule_delivery_time: '000000010000000R', registered_delivery: 1 };
    const p1 = await udhPart(client, destination, udh8(0x32, 2, 1), gsm('scheduled '), schedule);
    const p2 = await udhPart(client, destination, udh8(0x32, 2, 2), gsm('and stopped'), schedule);
    assert.equal(p2.status, 0);
    const cancel = await client.request('cancel_sm', { message_id: p2.messageId, source_addr: SENDER, destination_addr: destination });
    assert.equal(cancel.command_status, 0);
    const receipts = await receiptsOf(door, client, [p1.messageId, p2.messageId]);
    for (const receipt of receipts) {
      assert.equal(receiptFields(receipt).stat, 'DELETED');
      assert.equal(receiptFields(receipt).err, '606');
    }
    const got = (await getMessage(door, p1.messageId)).body;
    assert.equal(got.status, 'unsent');
    assert.equal(got.errorCode, 606);
  });

  it('receipts: one per part id (registered_delivery 1), all with the final status', async () => {
    const destination = nextDestination();
    const answers = [];
    for (const seq of [1, 3, 2]) answers.push(await udhPart(client, destination, udh8(0x77, 3, seq), gsm(`Receipt part ${seq}. `), { registered_delivery: 1 }));
    const ids = answers.map((a) => a.messageId);
    const receipts = await receiptsOf(door, client, ids);
    assert.equal(receipts.length, 3);
    assert.deepEqual(receipts.map((r) => String(r.receipted_message_id)).sort(), [...ids].sort());
    for (const receipt of receipts) {
      const fields = receiptFields(receipt);
      assert.equal(fields.id, receipt.receipted_message_id);
      assert.equal(fields.stat, 'DELIVRD');
      assert.equal(fields.err, '000');
      assert.equal(receipt.message_state, 2);
      assert.equal(receipt.source_addr, destination);
    }
    assert.equal((await getMessage(door, ids[0]!)).body.status, 'delivered');
  });

  it('the last part of a message refused (insufficient funds) is answered with the refusal; no message', async () => {
    const poor = await door.gateway.account(uniqueName('poorconcat'), { balance: 0, senders: [{ channel: 'SMS', name: SENDER }] });
    const c = await connectAs(await userOfAccount(door, poor.accountId));
    const destination = nextDestination();
    assert.equal((await udhPart(c, destination, udh8(0x88, 2, 1), gsm('first '))).status, 0);
    assert.equal((await udhPart(c, destination, udh8(0x88, 2, 2), gsm('last'))).status, SMPP_STATUS.insufficientFunds);
    const listed = await call(door.gateway, 'GET', `/api/v1/message?destination=${destination}`, { auth: poor.auth });
    assert.deepEqual(listed.body, []);
  });

  it('the last part of a message too long (over 2048 characters in all) is refused; no message', async () => {
    const destination = nextDestination();
    const partText = 'x'.repeat(228);
    for (let seq = 1; seq <= 8; seq++) {
      assert.equal((await udhPart(client, destination, udh8(0x99, 9, seq), Buffer.from(partText, 'ascii'), { data_coding: 1 })).status, 0, `part ${seq}`);
    }
    const last = await udhPart(client, destination, udh8(0x99, 9, 9), Buffer.from(partText, 'ascii'), { data_coding: 1 });
    assert.notEqual(last.status, 0, '9 × 228 = 2052 characters');
    assert.deepEqual(await messagesTo(destination), []);
  });

  it('a concatenation incomplete after 60 s: each received part is an unsent 616 message with a REJECTD err:616 receipt', async () => {
    const destination = nextDestination();
    const p1 = await udhPart(client, destination, udh8(0xaa, 3, 1), gsm('got one '), { registered_delivery: 1 });
    const p3 = await udhPart(client, destination, udh8(0xaa, 3, 3), gsm('got three'), { registered_delivery: 1 });
    // Another incomplete message that asked for no receipt.
    const silentDestination = nextDestination();
    const silent = await udhPart(client, silentDestination, udh8(0xab, 2, 2), gsm('no receipt'), { registered_delivery: 0 });
    assert.equal(silent.status, 0);
    assert.equal(p1.status, 0);
    assert.equal(p3.status, 0);
    assert.equal(p3.messageId, `${p1.messageId}-3`);
    // Not before the minute is over.
    door.gateway.clock.advance(30_000);
    await door.door.sweep();
    assert.deepEqual(await messagesTo(destination), []);
    door.gateway.clock.advance(31_000);
    await door.door.sweep();

    const listed = await messagesTo(destination);
    assert.equal(listed.length, 2);
    for (const m of listed) {
      assert.equal(m.status, 'unsent');
      assert.equal(m.errorCode, 616);
    }
    assert.deepEqual(listed.map((m) => m.content).sort(), ['got one ', 'got three']);
    const first = (await getMessage(door, p1.messageId)).body;
    assert.equal(first.status, 'unsent');
    assert.equal(first.errorCode, 616);
    assert.equal(first.content, 'got one ');

    const receipts = await receiptsOf(door, client, [p1.messageId, p3.messageId]);
    for (const receipt of receipts) {
      const fields = receiptFields(receipt);
      assert.equal(fields.stat, 'REJECTD');
      assert.equal(fields.err, '616');
      assert.equal(receipt.message_state, 8);
    }
    const [silentMessage] = await messagesTo(silentDestination);
    assert.equal(silentMessage.status, 'unsent');
    assert.equal(silentMessage.errorCode, 616);
    await door.gateway.settle();
    await delay(300);
    assert.ok(!client.delivers.some((d) => d.receipted_message_id === silent.messageId), 'registered_delivery 0: no receipt');
    // query_sm finds each part's message by its id.
    for (const id of [p1.messageId, p3.messageId]) {
      const query = await client.request('query_sm', { message_id: id, source_addr: SENDER });
      assert.equal(query.command_status, 0, id);
      assert.equal(query.message_state, 8, id);
    }
    // The missing part arriving late starts a new group: it does not revive the old message.
    assert.equal((await udhPart(client, destination, udh8(0xaa, 3, 2), gsm('late two'))).status, 0);
    assert.equal((await messagesTo(destination)).length, 2);
  });
});
