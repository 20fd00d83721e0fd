/**
 * Every row of smpp-interface.md §3 over real TCP, with the `smpp` library as the ESME: each refusal with its
 * command_status (service_type, addresses, data_coding, forbidden text, channel disabled, funds, validity,
 * schedule, throughput), the service types as their channels, validity_period as the message's ttl,
 * registered_delivery's bits, and data_sm treated like submit_sm.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SMPP_STATUS } from '../../src/domain/smppRules.js';
import { DoorClient } from '../support/smppDoorClient.js';
import { gsm, SENDER, startDoorGateway, type DoorGateway, receiptsOf } from '../support/smppDoorGateway.js';
import { delay, getMessage, smppAbsolute, smppRelative, ucs2, userOfAccount, UUID } from '../support/smppDoorPdus.js';
import { uniqueName } from '../support/http.js';

describe('SMPP door: submit_sm rows', () => {
  let door: DoorGateway;
  let client: DoorClient;
  const clients: DoorClient[] = [];
  before(async () => {
    door = await startDoorGateway();
    const user = await door.user({ maxBinds: 5 });
    client = await DoorClient.connect(door.door.port);
    clients.push(client);
    assert.equal(await client.bind(user.systemId, user.password), 0);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await door.close();
  });

  const submit = (fields: Record<string, unknown> = {}) =>
    client.submit({ source_addr: SENDER, destination_addr: '79991110000', short_message: gsm('Row test'), ...fields });



  it('a receiver session cannot submit or query: ESME_RINVBNDSTS (0x04)', async () => {
    const user = await door.user();
    const receiver = await DoorClient.connect(door.door.port);
    clients.push(receiver);
    assert.equal(await receiver.bind(user.systemId, user.password, 'receiver'), 0);
    assert.equal((await receiver.submit({ source_addr: SENDER, destination_addr: '79991110000', short_message: gsm('x') })).status, SMPP_STATUS.invalidBindStatus);
    assert.equal((await receiver.request('query_sm', { message_id: 'x', source_addr: SENDER })).command_status, SMPP_STATUS.invalidBindStatus);
  });

  it('service_type: "" and SMS are SMS; any other value is ESME_RINVSERTYP (0x15)', async () => {
    for (const serviceType of ['', 'SMS']) {
      const { status, messageId } = await submit({ service_type: serviceType });
      assert.equal(status, 0, serviceType);
      assert.equal((await getMessage(door, messageId)).body.channelType, 'SMS');
    }
    for (const serviceType of ['XYZ', 'sms', 'CMT', 'WAP']) {
      assert.equal((await submit({ service_type: serviceType })).status, SMPP_STATUS.invalidServiceType, serviceType);
    }
  });

  it('source_addr that is not an approved sender (4031) is ESME_RINVSRCADR (0x0A)', async () => {
    assert.equal((await submit({ source_addr: 'not_approved' })).status, SMPP_STATUS.invalidSourceAddress);
    assert.equal((await submit({ source_addr: '' })).status, SMPP_STATUS.invalidSourceAddress);
  });

  it('an invalid destination is ESME_RINVDSTADR (0x0B); a leading + and TON/NPI are ignored', async () => {
    for (const destination of ['12345', '', 'abcdefghijk', '0999123456', '7999111000012345']) {
      assert.equal((await submit({ destination_addr: destination })).status, SMPP_STATUS.invalidDestinationAddress, destination);
    }
    const { status, messageId } = await submit({ destination_addr: '+79991110001', dest_addr_ton: 1, dest_addr_npi: 1 });
    assert.equal(status, 0);
    assert.equal((await getMessage(door, messageId)).body.destination, '79991110001');
    const national = await submit({ destination_addr: '79991110002', dest_addr_ton: 2, dest_addr_npi: 0 });
    assert.equal(national.status, 0);
  });

  it('a blocked destination (4033), on the account\'s or the gateway\'s list, is 0x0B', async () => {
    await door.gateway.store.blocklist.add(door.accountId, '79991119999');
    await door.gateway.store.blocklist.add(null, '79991119998');
    try {
      assert.equal((await submit({ destination_addr: '79991119999' })).status, SMPP_STATUS.invalidDestinationAddress);
      assert.equal((await submit({ destination_addr: '79991119998' })).status, SMPP_STATUS.invalidDestinationAddress);
    } finally {
      await door.gateway.store.blocklist.remove(door.accountId, '79991119999');
      await door.gateway.store.blocklist.remove(null, '79991119998');
    }
    assert.equal((await submit({ destination_addr: '79991119999' })).status, 0);
  });

  it('data_coding other than 0, 1, 3, 8, and IA5 octets above 0x7F, are ESME_RSUBMITFAIL (0x45)', async () => {
    for (const dataCoding of [2, 4, 0x10, 0xf0]) {
      assert.equal((await submit({ data_coding: dataCoding, short_message: Buffer.from('hello') })).status, SMPP_STATUS.submitFailed, String(dataCoding));
    }
    assert.equal((await submit({ data_coding: 1, short_message: Buffer.from([0x48, 0x69, 0x80]) })).status, SMPP_STATUS.submitFailed);
    assert.equal((await submit({ data_coding: 1, short_message: Buffer.from([0x48, 0xff]) })).status, SMPP_STATUS.submitFailed);
    // Bytes that do not decode in GSM 03.38 (an octet above 0x7F; an escape at the end) and odd UCS-2.
    assert.equal((await submit({ data_coding: 0, short_message: Buffer.from([0x48, 0x90]) })).status, SMPP_STATUS.submitFailed);
    assert.equal((await submit({ data_coding: 0, short_message: Buffer.from([0x48, 0x1b]) })).status, SMPP_STATUS.submitFailed);
    assert.equal((await submit({ data_coding: 8, short_message: Buffer.from([0x00, 0x48, 0x00]) })).status, SMPP_STATUS.submitFailed);
    // A lone high surrogate does not decode either.
    assert.equal((await submit({ data_coding: 8, short_message: Buffer.from([0x00, 0x48, 0xd8, 0x3d]) })).status, SMPP_STATUS.submitFailed);
    const ascii = await submit({ data_coding: 1, short_message: Buffer.from('IA5 text ~{}', 'ascii') });
    assert.equal(ascii.status, 0);
    assert.equal((await getMessage(door, ascii.messageId)).body.content, 'IA5 text ~{}');
  });

  it('text holding a NUL (UCS-2 0x0000) is 0x500 Bad character code', async () => {
    assert.equal((await submit({ data_coding: 8, short_message: ucs2('Hi\u0000there') })).status, SMPP_STATUS.badCharacterCode);
    assert.equal((await submit({ data_coding: 3, short_message: Buffer.from([0x48, 0x00, 0x49]) })).status, SMPP_STATUS.badCharacterCode);
  });

  it('a channel disabled for the account (4032) is 0x401', async () => {
    await door.gateway.store.accounts.setChannelEnabled(door.accountId, 'SMS', false);
    try {
      assert.equal((await submit()).status, SMPP_STATUS.channelNotEnabled);
    } finally {
      await door.gateway.store.accounts.setChannelEnabled(door.accountId, 'SMS', true);
    }
    assert.equal((await submit()).status, 0);
  });

  it('insufficient funds (4020) is 0x402; billing disabled never refuses', async () => {
    const poor = await door.gateway.account(uniqueName('poor'), { balance: 0, billing: true, senders: [{ channel: 'SMS', name: SENDER }] });
    const user = await userOfAccount(door, poor.accountId);
    const poorClient = await DoorClient.connect(door.door.port);
    clients.push(poorClient);
    assert.equal(await poorClient.bind(user.systemId, user.password), 0);
    const refused = await poorClient.submit({ source_addr: SENDER, destination_addr: '79991110003', short_message: gsm('no money') });
    assert.equal(refused.status, SMPP_STATUS.insufficientFunds);

    const free = await door.gateway.account(uniqueName('free'), { balance: 0, billing: false, senders: [{ channel: 'SMS', name: SENDER }] });
    const freeUser = await userOfAccount(door, free.accountId);
    const freeClient = await DoorClient.connect(door.door.port);
    clients.push(freeClient);
    assert.equal(await freeClient.bind(freeUser.systemId, freeUser.password), 0);
    assert.equal((await freeClient.submit({ source_addr: SENDER, destination_addr: '79991110003', short_message: gsm('free') })).status, 0);
  });

  it('validity_period outside the ttl range (60–86400 s for SMS) or malformed is ESME_RINVEXPIRY (0x62)', async () => {
    const now = door.gateway.clock.now();
    const rows: [string, string][] = [
      [smppRelative({ seconds: 10 }), '10 s relative'],
      [smppRelative({ seconds: 59 }), '59 s relative'],
      [smppRelative({ days: 1, seconds: 1 }), 'a day and a second'],
      [smppRelative({ days: 3 }), '3 days'],
      [smppAbsolute(now - 3600_000), 'an hour ago'],
      [smppAbsolute(now + 20_000), '20 s ahead, absolute'],
      ['261301120000000+', 'month 13'],
      ['260230120000000+', '30 February'],
      ['260501126000000+', 'minute 60'],
      ['260501120000049+', 'offset of 49 quarters'],
      ['000000000100100R', 'relative with tenths'],
      ['26050112000000+', '15 characters'],
      ['2605011200000000', 'no sign'],
      ['abcdefghijklmno+', 'letters'],
    ];
    for (const [validity, why] of rows) {
      assert.equal((await submit({ validity_period: validity })).status, SMPP_STATUS.invalidExpiry, `${why}: ${validity}`);
    }
    assert.equal((await submit({ validity_period: smppRelative({ seconds: 60 }) })).status, 0);
    assert.equal((await submit({ validity_period: smppRelative({ days: 1 }) })).status, 0);
  });

  it('schedule_delivery_time malformed, beyond now + 7 days or more than 12 h past is ESME_RINVSCHED (0x61)', async () => {
    const now = door.gateway.clock.now();
    const rows: [string, string][] = [
      ['261301120000000+', 'month 13'],
      ['xx0501120000000+', 'letters'],
      ['000000000100100R', 'relative with tenths'],
      [smppRelative({ days: 8 }), '8 days ahead'],
      [smppAbsolute(now + 7 * 86400_000 + 3600_000), '7 days and an hour ahead'],
      [smppAbsolute(now - 13 * 3600_000), '13 h past'],
    ];
    for (const [schedule, why] of rows) {
      assert.equal((await submit({ schedule_delivery_time: schedule })).status, SMPP_STATUS.invalidScheduledTime, `${why}: ${schedule}`);
    }
    const { status, messageId } = await submit({ schedule_delivery_time: smppRelative({ days: 6 }) });
    assert.equal(status, 0);
    const got = (await getMessage(door, messageId)).body;
    assert.equal(got.useLocalTime, false);
    // Moscow wall clock (UTC+3) of now + 6 days.
    const moscow = new Date(now + 6 * 86400_000 + 3 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    assert.equal(got.localSendTime, moscow);
  });

  it('over the user\'s throughput (5/s), 30 submits at once: some ESME_RTHROTTLED (0x58), the rest accepted', async () => {
    const user = await door.user({ throughput: 5 });
    const limited = await DoorClient.connect(door.door.port);
    clients.push(limited);
    assert.equal(await limited.bind(user.systemId, user.password), 0);
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => limited.submit({ source_addr: SENDER, destination_addr: `7999222${String(i).padStart(4, '0')}`, short_message: gsm(`burst ${i}`) })),
    );
    const seconds = (Date.now() - started) / 1000;
    const ok = answers.filter((a) => a.status === 0);
    const throttled = answers.filter((a) => a.status === SMPP_STATUS.throttled);
    assert.equal(ok.length + throttled.length, 30, JSON.stringify(answers.map((a) => a.status)));
    assert.ok(ok.length >= 5, `${ok.length} accepted`);
    // At most 5 in any second (generous: however slow this machine took to carry them).
    assert.ok(ok.length <= 5 * (Math.ceil(seconds) + 1), `${ok.length} accepted in ${seconds} s`);
    assert.ok(throttled.length >= 1);
    for (const { messageId } of ok) assert.equal((await getMessage(door, messageId)).status, 200);
    // A throttled submit made no message; slowing down gets through again.
    await delay(1100);
    assert.equal((await limited.submit({ source_addr: SENDER, destination_addr: '79992229999', short_message: gsm('later') })).status, 0);
  });

  it('the throughput is the user\'s: two sessions of a user with throughput 5 share it', async () => {
    const user = await door.user({ throughput: 5, maxBinds: 2 });
    const one = await DoorClient.connect(door.door.port);
    const two = await DoorClient.connect(door.door.port);
    clients.push(one, two);
    assert.equal(await one.bind(user.systemId, user.password), 0);
    assert.equal(await two.bind(user.systemId, user.password), 0);
    const started = Date.now();
    const burst = (on: DoorClient, tag: string) =>
      Array.from({ length: 15 }, (_, i) => on.submit({ source_addr: SENDER, destination_addr: `7999223${tag}${String(i).padStart(3, '0')}`, short_message: gsm(`shared ${i}`) }));
    const answers = await Promise.all([...burst(one, '1'), ...burst(two, '2')]);
    const seconds = (Date.now() - started) / 1000;
    const ok = answers.filter((a) => a.status === 0).length;
    assert.equal(ok + answers.filter((a) => a.status === SMPP_STATUS.throttled).length, 30);
    // A sliding second admits 5: in `seconds` at most 5 × (⌊seconds⌋ + 1), whichever session they came on.
    assert.ok(ok <= 5 * (Math.floor(seconds) + 1), `${ok} accepted in ${seconds} s over two sessions of a user with throughput 5`);
  });

  it('a lifetime is checked against the channel\'s range: 40 s is a FLASHCALL ttl, not an SMS one', async () => {
    const flash = await submit({ service_type: 'FLASH', source_addr: 'flasher', short_message: gsm('4321'), validity_period: smppRelative({ seconds: 40 }) });
    assert.equal(flash.status, 0);
    assert.equal((await getMessage(door, flash.messageId)).body.ttl, 40);
    assert.equal((await submit({ validity_period: smppRelative({ seconds: 40 }) })).status, SMPP_STATUS.invalidExpiry);
    assert.equal((await submit({ service_type: 'FLASH', source_addr: 'flasher', short_message: gsm('4321'), validity_period: smppRelative({ seconds: 20 }) })).status, SMPP_STATUS.invalidExpiry);
  });

  it('schedule_delivery_time on a channel that cannot be scheduled (FLASHCALL, VOICECODE) is 0x61', async () => {
    const later = smppRelative({ hours: 1 });
    assert.equal((await submit({ service_type: 'FLASH', source_addr: 'flasher', short_message: gsm('1234'), schedule_delivery_time: later })).status, SMPP_STATUS.invalidScheduledTime);
    assert.equal(
      (await submit({ service_type: 'VOICE', source_addr: 'voicecode', data_coding: 8, short_message: ucs2('Код авторизации от revicom: 1234'), schedule_delivery_time: later })).status,
      SMPP_STATUS.invalidScheduledTime,
    );
  });

  it('the message has no callbackUrl unless the SMPP user has one; then it has the user\'s', async () => {
    const plain = await submit();
    assert.equal((await getMessage(door, plain.messageId)).body.callbackUrl, null);
    const user = await door.user({ callbackUrl: 'https://client.example/smpp-callback' });
    const withCallback = await DoorClient.connect(door.door.port);
    clients.push(withCallback);
    assert.equal(await withCallback.bind(user.systemId, user.password), 0);
    const { status, messageId } = await withCallback.submit({ source_addr: SENDER, destination_addr: '79991110004', short_message: gsm('with callback') });
    assert.equal(status, 0);
    const got = (await getMessage(door, messageId)).body;
    assert.match(String(got.callbackUrl), /^https:\/\/client\.example\//);
    assert.equal(got.trafficType, 'SERVICE');
  });

  it('service types FLASH, VOICE, WA and VK make FLASHCALL, VOICECODE, WHATSAPP and VK messages', async () => {
    await door.gateway.store.senders.approve({ accountId: door.accountId, channel: 'WHATSAPP', name: 'wa_sender', trafficType: null, startsAt: 0 });
    const flash = await submit({ service_type: 'FLASH', source_addr: 'flasher', short_message: gsm('1234') });
    assert.equal(flash.status, 0);
    const flashMessage = (await getMessage(door, flash.messageId)).body;
    assert.equal(flashMessage.channelType, 'FLASHCALL');
    assert.equal(flashMessage.content, '1234');
    assert.equal(flashMessage.senderName, 'flasher');
    // The code must be the account's length (4): anything else is refused.
    assert.notEqual((await submit({ service_type: 'FLASH', source_addr: 'flasher', short_message: gsm('12ab') })).status, 0);

    const template = 'Код авторизации от revicom: 3 4 5 6';
    for (const source of ['voicecode', '']) {
      const voice = await submit({ service_type: 'VOICE', source_addr: source, data_coding: 8, short_message: ucs2(template) });
      assert.equal(voice.status, 0, `source_addr ${JSON.stringify(source)}`);
      const voiceMessage = (await getMessage(door, voice.messageId)).body;
      assert.equal(voiceMessage.channelType, 'VOICECODE');
      assert.equal(voiceMessage.senderName, 'voicecode');
      assert.deepEqual(voiceMessage.content, { contentType: 'text', text: template });
    }
    // A text outside the template is forbidden content (0x500).
    assert.equal((await submit({ service_type: 'VOICE', source_addr: 'voicecode', short_message: gsm('Your code: 1234') })).status, SMPP_STATUS.badCharacterCode);

    const wa = await submit({ service_type: 'WA', source_addr: 'wa_sender', data_coding: 8, short_message: ucs2('Заказ 42 отправлен') });
    assert.equal(wa.status, 0);
    const waMessage = (await getMessage(door, wa.messageId)).body;
    assert.equal(waMessage.channelType, 'WHATSAPP');
    assert.deepEqual(waMessage.content, { contentType: 'text', text: 'Заказ 42 отправлен' });
    // WHATSAPP needs its own approved sender: the SMS one is not.
    assert.equal((await submit({ service_type: 'WA', source_addr: SENDER })).status, SMPP_STATUS.invalidSourceAddress);

    const vk = await submit({ service_type: 'VK', source_addr: 'my_community', short_message: gsm('VK text') });
    assert.equal(vk.status, 0);
    const vkMessage = (await getMessage(door, vk.messageId)).body;
    assert.equal(vkMessage.channelType, 'VK');
    assert.equal(vkMessage.content, 'VK text');
    assert.equal(vkMessage.senderName, 'my_community');
    for (const m of [flashMessage, waMessage, vkMessage]) assert.equal(m.sendingMethod, 'SMPP');
  });

  it('validity_period absolute (UTC or with an offset) and relative give the ttl in the message', async () => {
    const now = door.gateway.clock.now();
    const rows: [string, number][] = [
      [smppRelative({ hours: 1 }), 3600],
      [smppRelative({ minutes: 2, seconds: 5 }), 125],
      [smppRelative({ days: 1 }), 86400],
      [smppAbsolute(now + 2 * 3600_000), 7200],
      // The same instant written in Moscow time (+12 quarters) and at UTC−04:00 (−16 quarters).
      [smppAbsolute(now + 2 * 3600_000, 12), 7200],
      [smppAbsolute(now + 90 * 60_000, -16), 5400],
    ];
    for (const [validity, ttl] of rows) {
      const { status, messageId } = await submit({ validity_period: validity });
      assert.equal(status, 0, validity);
      assert.equal((await getMessage(door, messageId)).body.ttl, ttl, validity);
    }
    // Without a validity_period: the 25 h default.
    const none = await submit();
    assert.equal((await getMessage(door, none.messageId)).body.ttl, null);
    // With a schedule, the lifetime counts from it (direct-api.md §5.7).
    const scheduled = await submit({ schedule_delivery_time: smppRelative({ hours: 1 }), validity_period: smppRelative({ hours: 3 }) });
    assert.equal(scheduled.status, 0);
    assert.equal((await getMessage(door, scheduled.messageId)).body.ttl, 7200);
  });

  it('registered_delivery: only bits 0–1 choose the receipts (0x05 every final status, 0x04 none, 0x06 failures)', async () => {
    const everyFinal = await submit({ destination_addr: '79993330001', registered_delivery: 0x05 });
    const none = await submit({ destination_addr: '79993330002', registered_delivery: 0x04 });
    const failuresDelivered = await submit({ destination_addr: '79993330003', registered_delivery: 0x06 });
    const failuresFailed = await submit({ destination_addr: '79990000501', registered_delivery: 0x1e });
    for (const s of [everyFinal, none, failuresDelivered, failuresFailed]) assert.equal(s.status, 0);
    await receiptsOf(door, client, [everyFinal.messageId, failuresFailed.messageId]);
    await door.gateway.settle();
    await delay(300);
    const ids = client.delivers.map((d) => String(d.receipted_message_id));
    assert.ok(!ids.includes(none.messageId));
    assert.ok(!ids.includes(failuresDelivered.messageId));
    assert.equal((await getMessage(door, failuresDelivered.messageId)).body.status, 'delivered');
    assert.equal((await getMessage(door, none.messageId)).body.status, 'delivered');
  });

  it('data_sm is treated like submit_sm: the same message, the same refusals, its receipt', async () => {
    const resp = await client.request('data_sm', {
      service_type: '',
      source_addr: SENDER,
      destination_addr: '79994440001',
      esm_class: 0,
      registered_delivery: 1,
      data_coding: 0,
      message_payload: gsm('Data SM text'),
    });
    assert.equal(resp.command, 'data_sm_resp');
    assert.equal(resp.command_status, 0);
    const messageId = String(resp.message_id);
    assert.match(messageId, UUID);
    const got = (await getMessage(door, messageId)).body;
    assert.equal(got.content, 'Data SM text');
    assert.equal(got.sendingMethod, 'SMPP');
    assert.equal(got.destination, '79994440001');
    const [receipt] = await receiptsOf(door, client, [messageId]);
    assert.equal(receipt!.esm_class, 0x04);

    const refused = await client.request('data_sm', { service_type: 'XYZ', source_addr: SENDER, destination_addr: '79994440002', data_coding: 0, message_payload: gsm('x') });
    assert.equal(refused.command_status, SMPP_STATUS.invalidServiceType);
    const badSource = await client.request('data_sm', { source_addr: 'nobody_snd', destination_addr: '79994440002', data_coding: 0, message_payload: gsm('x') });
    assert.equal(badSource.command_status, SMPP_STATUS.invalidSourceAddress);
    const badDest = await client.request('data_sm', { source_addr: SENDER, destination_addr: '123', data_coding: 0, message_payload: gsm('x') });
    assert.equal(badDest.command_status, SMPP_STATUS.invalidDestinationAddress);
  });
});
