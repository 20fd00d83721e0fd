import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SMPP_STATUS } from '../../src/domain/smppRules.js';
import { deliverPdus, contentText } from '../../src/smppDoor/deliverPdus.js';
import { joinParts, mapSubmit } from '../../src/smppDoor/submitMapping.js';
import { moscowWallClock } from '../../src/smppDoor/moscowWallClock.js';
import type { ClaimedDeliver } from '../../src/store/smppDoor.js';

const NOW = Date.UTC(2026, 4, 1, 10, 0, 0);
const context = { now: NOW, callbackUrl: null };
const base = { source_addr: 'sms_promo', destination_addr: '+79990001111', data_coding: 0, short_message: Buffer.from('Hi') };

describe('a submit as a Direct API item (smpp-interface.md §3)', () => {
  it('maps service types to channels, and refuses others with 0x15', () => {
    const channel = (service_type: string) => {
      const m = mapSubmit({ ...base, service_type }, context);
      return m.ok ? m.submit.channel : m.status;
    };
    assert.equal(channel(''), 'SMS');
    assert.equal(channel('SMS'), 'SMS');
    assert.equal(channel('FLASH'), 'FLASHCALL');
    assert.equal(channel('VOICE'), 'VOICECODE');
    assert.equal(channel('WA'), 'WHATSAPP');
    assert.equal(channel('VK'), 'VK');
    assert.equal(channel('CMT'), SMPP_STATUS.invalidServiceType);
  });

  it('strips the + of the destination, and gives VOICECODE its fixed sender when source_addr is empty', () => {
    const sms = mapSubmit(base, context);
    assert.ok(sms.ok);
    assert.equal(sms.submit.item.destination, '79990001111');
    const voice = mapSubmit({ ...base, service_type: 'VOICE', source_addr: '' }, context);
    assert.ok(voice.ok);
    assert.equal(voice.submit.item.senderName, 'voicecode');
    assert.deepEqual(voice.submit.item.content, { contentType: 'text', text: 'Hi' });
  });

  it('counts the lifetime from the schedule, and writes the schedule as Moscow wall clock with useLocalTime false', () => {
    const m = mapSubmit({ ...base, schedule_delivery_time: '000000010000000R', validity_period: '000000020000000R' }, context);
    assert.ok(m.ok);
    assert.equal(m.submit.item.ttl, 3600);
    assert.equal(m.submit.item.useLocalTime, false);
    assert.equal(m.submit.item.localSendTime, '2026-05-01 14:00:00');
    assert.equal(moscowWallClock(Date.UTC(2026, 0, 1, 23, 5, 9)), '2026-01-02 02:05:09');
  });

  it('refuses malformed times, schedules beyond 7 days and schedules of calls', () => {
    const status = (fields: Record<string, unknown>) => {
      const m = mapSubmit({ ...base, ...fields }, context);
      return m.ok ? 0 : m.status;
    };
    assert.equal(status({ validity_period: 'tomorrow' }), SMPP_STATUS.invalidExpiry);
    assert.equal(status({ schedule_delivery_time: '2605011000' }), SMPP_STATUS.invalidScheduledTime);
    assert.equal(status({ schedule_delivery_time: '000008000000000R' }), SMPP_STATUS.invalidScheduledTime);
    assert.equal(status({ service_type: 'FLASH', schedule_delivery_time: '000000010000000R' }), SMPP_STATUS.invalidScheduledTime);
  });

  it('refuses text that does not decode, both text fields at once, and a malformed UDH with 0x45', () => {
    const status = (fields: Record<string, unknown>) => {
      const m = mapSubmit({ ...base, ...fields }, context);
      return m.ok ? 0 : m.status;
    };
    assert.equal(status({ data_coding: 4 }), SMPP_STATUS.submitFailed);
    assert.equal(status({ data_coding: 1, short_message: Buffer.from([0x41, 0x80]) }), SMPP_STATUS.submitFailed);
    assert.equal(status({ message_payload: Buffer.from('x') }), SMPP_STATUS.submitFailed);
    assert.equal(status({ esm_class: 0x40, short_message: Buffer.from([9, 0, 3, 1]) }), SMPP_STATUS.submitFailed);
  });

  it('reads a part, and decodes the parts together so a surrogate pair split between two reads as one', () => {
    const emoji = Buffer.from([0xd8, 0x3d, 0xde, 0x00]); // U+1F600, UCS-2 big-endian
    const first = Buffer.concat([Buffer.from([5, 0, 3, 7, 2, 1]), Buffer.from([0, 0x41]), emoji.subarray(0, 2)]);
    const second = Buffer.concat([Buffer.from([5, 0, 3, 7, 2, 2]), emoji.subarray(2)]);
    const one = mapSubmit({ ...base, esm_class: 0x40, data_coding: 8, short_message: first }, context);
    const two = mapSubmit({ ...base, esm_class: 0x40, data_coding: 8, short_message: second }, context);
    assert.ok(one.ok && two.ok);
    assert.deepEqual({ ...one.submit.part, octets: undefined }, { reference: 7, referenceBits: 8, total: 2, segment: 1, dataCoding: 8, octets: undefined });
    assert.equal(one.submit.item.content, undefined);
    const text = joinParts([one.submit.part!, two.submit.part!]);
    assert.deepEqual(text, { ok: true, text: 'A\u{1F600}' });
  });

  it('gives the user callbackUrl to the item, and reads registered_delivery', () => {
    const m = mapSubmit({ ...base, registered_delivery: 0x11 }, { now: NOW, callbackUrl: 'https://example.com/cb' });
    assert.ok(m.ok);
    assert.equal(m.submit.item.callbackUrl, 'https://example.com/cb');
    assert.equal(m.submit.receipts, 'final');
  });
});

describe('deliver_sm from the SMPP outbox (smpp-interface.md §4)', () => {
  const row: ClaimedDeliver = {
    id: '1', kind: 'receipt', accountId: 1, smppUserId: 1, messageUuid: 'u', destination: '79990001111', senderName: 'sms_promo',
    content: JSON.stringify('Привет, world! Long text beyond twenty'), createdAt: NOW, status: 'undelivered', errorCode: 501, doneAt: NOW + 60_000,
    partIds: ['id-1', 'id-1-2'], attempts: 1, createdOutboxAt: NOW, leaseUntil: 1,
  };

  it('makes one receipt per part id, with the Appendix B text and the TLVs', () => {
    const pdus = deliverPdus(row);
    assert.equal(pdus.length, 2);
    const [first] = pdus;
    assert.equal(first!.esm_class, 0x04);
    assert.equal(first!.source_addr, '79990001111');
    assert.equal(first!.destination_addr, 'sms_promo');
    assert.equal(first!.dest_addr_ton, 5);
    assert.equal(
      (first!.short_message as Buffer).toString('ascii'),
      'id:id-1 sub:001 dlvrd:000 submit date:2605011000 done date:2605011001 stat:UNDELIV err:501 text:......, world! Long ',
    );
    assert.equal(first!.receipted_message_id, 'id-1');
    assert.equal(first!.message_state, 5);
    assert.deepEqual([...(first!.network_error_code as Buffer)], [3, 0x01, 0xf5]);
    assert.equal(pdus[1]!.receipted_message_id, 'id-1-2');
  });

  it('makes an inbound SMS in GSM 03.38 when it can, else UCS-2, with esm_class 0', () => {
    const inbound = { ...row, kind: 'mo' as const, smppUserId: null, partIds: [], senderName: '79990002222', destination: 'sms_promo' };
    const [gsm] = deliverPdus({ ...inbound, content: JSON.stringify('Hello @') });
    assert.equal(gsm!.esm_class, 0);
    assert.equal(gsm!.data_coding, 0);
    assert.equal(gsm!.source_addr, '79990002222');
    assert.deepEqual([...(gsm!.short_message as Buffer)], [...Buffer.from('Hello '), 0x00]);
    const [ucs2] = deliverPdus({ ...inbound, content: JSON.stringify('Привет') });
    assert.equal(ucs2!.data_coding, 8);
    assert.equal((ucs2!.short_message as Buffer).swap16().toString('utf16le'), 'Привет');
    const [long] = deliverPdus({ ...inbound, content: JSON.stringify('x'.repeat(300)) });
    assert.equal((long!.message_payload as Buffer).length, 300);
  });

  it('reads the text of any stored content', () => {
    assert.equal(contentText(JSON.stringify('plain')), 'plain');
    assert.equal(contentText(JSON.stringify({ contentType: 'text', text: 'voice' })), 'voice');
    assert.equal(contentText(JSON.stringify({ contentType: 'template', templateId: 't' })), '');
  });
});
