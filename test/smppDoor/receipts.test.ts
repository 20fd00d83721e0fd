/**
 * Submits that become messages and the receipts they owe, over real TCP with the `smpp` library as the ESME
 * (smpp-interface.md §3–§4): the message is the one `GET /message` shows; registered_delivery 0/1/2; a receipt for
 * every final-status row with its exact text and TLVs; query_sm and cancel_sm; receipts kept while no receiver is
 * bound and sent again when unanswered.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { SMPP_STATUS } from '../../src/domain/smppRules.js';
import { call } from '../support/gateway.js';
import { DoorClient, receiptFields } from '../support/smppDoorClient.js';
import { gsm, SENDER, describeDoorOnEachStore, type DoorGateway, receiptsOf } from '../support/smppDoorGateway.js';

describeDoorOnEachStore('SMPP door: submits and receipts', 'smppreceipts', (open) => {
  let door: DoorGateway;
  let client: DoorClient;
  let user: Awaited<ReturnType<DoorGateway['user']>>;
  before(async () => {
    door = await open();
    user = await door.user({ maxBinds: 5 });
    client = await DoorClient.connect(door.door.port);
    assert.equal(await client.bind(user.systemId, user.password), 0);
  });
  after(async () => {
    await client.close();
    await door.close();
  });

  const submit = (destination: string, registeredDelivery = 1, fields: Record<string, unknown> = {}) =>
    client.submit({ source_addr: SENDER, destination_addr: destination, registered_delivery: registeredDelivery, short_message: gsm('Hello from SMPP'), ...fields });

  /** Settles the engine and waits for the receipts of `ids`. */


  it('makes the same message as the HTTP API, with sendingMethod SMPP and the uuid as message_id', async () => {
    const { status, messageId } = await submit('79990001111');
    assert.equal(status, 0);
    const got = await call(door.gateway, 'GET', `/api/v1/message/${messageId}`, { auth: door.auth });
    assert.equal(got.status, 200);
    assert.equal(got.body.messageUuid, messageId);
    assert.equal(got.body.sendingMethog, 'SMPP');
    assert.equal(got.body.channelType, 'SMS');
    assert.equal(got.body.senderName, SENDER);
    assert.equal(got.body.destination, '79990001111');
    assert.equal(got.body.content, 'Hello from SMPP');
    // Listed and filtered like any other (direct-api.md §8.1 sending_method, §12.4).
    const smpp = await call(door.gateway, 'GET', '/api/v1/message?sending_method=SMPP&per_page=1000', { auth: door.auth });
    assert.equal(smpp.status, 200);
    assert.ok((smpp.body as { messageUuid: string }[]).some((m) => m.messageUuid === messageId));
    const api = await call(door.gateway, 'GET', '/api/v1/message?sending_method=API&per_page=1000', { auth: door.auth });
    assert.ok(!(api.body as { messageUuid: string }[]).some((m) => m.messageUuid === messageId));
  });

  it('sends a DELIVRD receipt with the exact text and TLVs (registered_delivery 1)', async () => {
    const { messageId } = await submit('79990002222');
    const [receipt] = await receiptsOf(door, client, [messageId]);
    assert.equal(receipt!.esm_class, 0x04);
    assert.equal(receipt!.source_addr, '79990002222');
    assert.equal(receipt!.destination_addr, SENDER);
    assert.equal(receipt!.message_state, 2);
    const fields = receiptFields(receipt!);
    assert.equal(fields.id, messageId);
    assert.equal(fields.sub, '001');
    assert.equal(fields.dlvrd, '001');
    assert.equal(fields.stat, 'DELIVRD');
    assert.equal(fields.err, '000');
    assert.match(fields['submit date']!, /^\d{10}$/);
    assert.match(fields['done date']!, /^\d{10}$/);
    assert.equal(fields.text, 'Hello');
    const text = Buffer.isBuffer(receipt!.short_message) ? receipt!.short_message.toString() : String((receipt!.short_message as { message: string }).message);
    assert.match(text, / text:Hello from SMPP$/);
  });

  it('sends no receipt for registered_delivery 0, and only failures for 2', async () => {
    const none = await submit('79990003333', 0);
    const failureOnlyDelivered = await submit('79990004444', 2);
    const failureOnlyFailed = await submit('79990000501', 2);
    await receiptsOf(door, client, [failureOnlyFailed.messageId]);
    await door.gateway.settle();
    await new Promise((r) => setTimeout(r, 300));
    const ids = client.delivers.map((d) => String(d.receipted_message_id));
    assert.ok(!ids.includes(none.messageId));
    assert.ok(!ids.includes(failureOnlyDelivered.messageId));
    const got = await call(door.gateway, 'GET', `/api/v1/message/${failureOnlyDelivered.messageId}`, { auth: door.auth });
    assert.equal(got.body.status, 'delivered');
  });

  it('sends a receipt for every final status row', async () => {
    const rows: { destination: string; stat: string; state: number; err: string; fields?: Record<string, unknown> }[] = [
      { destination: '79990010000', stat: 'DELIVRD', state: 2, err: '000' },
      // Never final: expired at the end of its lifetime (validity 60 s, relative), undelivered 127.
      { destination: '79990002000', stat: 'EXPIRED', state: 3, err: '127', fields: { validity_period: '000000000100000R' } },
      { destination: '79990000501', stat: 'UNDELIV', state: 5, err: '501' },
      { destination: '79990001501', stat: 'REJECTD', state: 8, err: '501' },
    ];
    const ids: string[] = [];
    for (const row of rows) {
      const { status, messageId } = await submit(row.destination, 1, row.fields);
      assert.equal(status, 0, row.destination);
      ids.push(messageId);
    }
    await door.gateway.settle();
    // Its lifetime ends before the engine gets to it: expired before it could be sent.
    rows.push({ destination: '79990007777', stat: 'EXPIRED', state: 3, err: '605' });
    const expiring = await submit('79990007777', 1, { validity_period: '000000000100000R' });
    ids.push(expiring.messageId);
    door.gateway.clock.advance(61_000);
    const receipts = await receiptsOf(door, client, ids);
    rows.forEach((row, i) => {
      const receipt = receipts.find((r) => r.receipted_message_id === ids[i])!;
      const fields = receiptFields(receipt);
      assert.equal(fields.stat, row.stat, row.destination);
      assert.equal(fields.err, row.err, row.destination);
      assert.equal(receipt.message_state, row.state, row.destination);
      const networkError = receipt.network_error_code as Buffer;
      assert.equal(networkError[0], 3);
      assert.equal(networkError.readUInt16BE(1), Number(row.err));
    });
  });

  it('query_sm answers ENROUTE, then DELIVERED; cancel_sm stops a scheduled message (DELETED 606 receipt)', async () => {
    const later = new Date(door.gateway.clock.now() + 3600_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    const absolute = `${pad(later.getUTCFullYear() % 100)}${pad(later.getUTCMonth() + 1)}${pad(later.getUTCDate())}${pad(later.getUTCHours())}${pad(later.getUTCMinutes())}${pad(later.getUTCSeconds())}000+`;
    const scheduled = await submit('79990005555', 1, { schedule_delivery_time: absolute });
    assert.equal(scheduled.status, 0);
    const query = await client.request('query_sm', { message_id: scheduled.messageId, source_addr: SENDER });
    assert.equal(query.command_status, 0);
    assert.equal(query.message_state, 1);
    assert.equal(query.message_id, scheduled.messageId);
    const cancel = await client.request('cancel_sm', { message_id: scheduled.messageId, source_addr: SENDER, destination_addr: '79990005555' });
    assert.equal(cancel.command_status, 0);
    const [receipt] = await receiptsOf(door, client, [scheduled.messageId]);
    assert.equal(receiptFields(receipt!).stat, 'DELETED');
    assert.equal(receiptFields(receipt!).err, '606');
    // As a stop answers 200 again for a message already unsent.
    const again = await client.request('cancel_sm', { message_id: scheduled.messageId, source_addr: SENDER, destination_addr: '79990005555' });
    assert.equal(again.command_status, 0);
    // A message handed off is too late to stop (403): ESME_RCANCELFAIL.
    const sent = await submit('79990005556');
    await receiptsOf(door, client, [sent.messageId]);
    const late = await client.request('cancel_sm', { message_id: sent.messageId, source_addr: SENDER, destination_addr: '79990005556' });
    assert.equal(late.command_status, SMPP_STATUS.cancelFailed);
    const final = await client.request('query_sm', { message_id: scheduled.messageId, source_addr: SENDER });
    assert.equal(final.message_state, 4);
    assert.equal((await client.request('query_sm', { message_id: 'no-such-id', source_addr: SENDER })).command_status, SMPP_STATUS.queryFailed);
  });

  it('keeps receipts while no receiver is bound and sends them once one binds; sends again what was not answered', async () => {
    const transmitter = await DoorClient.connect(door.door.port);
    assert.equal(await transmitter.bind(user.systemId, user.password, 'transmitter'), 0);
    // The transceiver of the other tests does not answer: its receipts stay owed.
    client.deliverStatus = null;
    const { messageId } = await transmitter.submit({ source_addr: SENDER, destination_addr: '79990006666', registered_delivery: 1, short_message: gsm('kept') });
    await door.gateway.settle();
    await client.waitDelivers(client.delivers.filter((d) => d.receipted_message_id === messageId).length + 1);
    await client.close();
    const receiver = await DoorClient.connect(door.door.port);
    assert.equal(await receiver.bind(user.systemId, user.password, 'receiver'), 0);
    const [receipt] = await receiver.waitDelivers(1);
    assert.equal(receipt!.receipted_message_id, messageId);
    await transmitter.close();
    client = receiver;
    // Answered now: nothing is owed any more.
    for (let i = 0; i < 50 && (await door.gateway.store.smpp.pendingDelivers(user.id)) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await door.gateway.store.smpp.pendingDelivers(user.id), 0);
  });
});
