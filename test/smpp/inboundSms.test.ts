/** What a deliver_sm carries, read from its fields: a receipt (text or TLVs), or an MO text part. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TLV_TAG, type DeliverSmFields } from '../../src/smpp/deliverSm.js';
import { toGsm7Septets } from '../../src/smpp/gsm7.js';
import { readMoText, readReceipt } from '../../src/smpp/inboundSms.js';
import { concatenationUdh } from '../../src/smpp/segmentation.js';

function fields(extra: Partial<DeliverSmFields>): DeliverSmFields {
  return {
    sourceAddrTon: 1,
    sourceAddrNpi: 1,
    sourceAddr: '+79261234567',
    destAddrTon: 0,
    destAddrNpi: 0,
    destinationAddr: '4242',
    esmClass: 0,
    dataCoding: 0,
    shortMessage: Buffer.alloc(0),
    tlvs: new Map(),
    ...extra,
  };
}

test('a receipt read from its Appendix B text, as ASCII (the _ of submit_date stays)', () => {
  const text = 'id:ABC123 sub:001 dlvrd:001 submit date:2605021100 done date:2605021101 stat:DELIVRD err:000 text:Hi';
  const { receipt, detail } = readReceipt(fields({ esmClass: 0x04, shortMessage: Buffer.from(text) }));
  assert.equal(detail, text);
  assert.deepEqual(receipt?.messageIds, ['ABC123']);
  assert.equal(receipt?.stat, 'DELIVRD');
});

test('a receipt with TLVs only: the detail names them; one that names no message has no receipt', () => {
  const tlvs = new Map([
    [TLV_TAG.receipted_message_id, Buffer.from('77\0')],
    [TLV_TAG.message_state, Buffer.from([5])],
  ]);
  const { receipt, detail } = readReceipt(fields({ esmClass: 0x04, tlvs }));
  assert.equal(detail, 'receipted_message_id:77 message_state:5');
  assert.deepEqual(receipt?.messageIds, ['77']);
  assert.equal(receipt?.stat, 'UNDELIV');
  assert.equal(readReceipt(fields({ esmClass: 0x04, shortMessage: Buffer.from('stat:DELIVRD') })).receipt, undefined);
});

test('an MO text: from short_message or message_payload, with its concatenation from the UDH or the SAR TLVs', () => {
  const plain = readMoText(fields({ shortMessage: toGsm7Septets('Hello') }));
  assert.deepEqual(plain, { sourceAddr: '+79261234567', destinationAddr: '4242', text: 'Hello', concatenation: undefined });

  const udhPart = Buffer.concat([concatenationUdh(7, 2, 1), Buffer.from('Part one', 'utf16le').swap16()]);
  const udh = readMoText(fields({ esmClass: 0x40, dataCoding: 0x08, shortMessage: udhPart }));
  assert.equal(udh.text, 'Part one');
  assert.deepEqual(udh.concatenation, { reference: 7, total: 2, seq: 1 });

  const ref = Buffer.alloc(2);
  ref.writeUInt16BE(0x1234);
  const sar = readMoText(
    fields({
      tlvs: new Map([
        [TLV_TAG.message_payload, toGsm7Septets('Payload')],
        [TLV_TAG.sar_msg_ref_num, ref],
        [TLV_TAG.sar_total_segments, Buffer.from([3])],
        [TLV_TAG.sar_segment_seqnum, Buffer.from([2])],
      ]),
    }),
  );
  assert.equal(sar.text, 'Payload');
  assert.deepEqual(sar.concatenation, { reference: 0x1234, total: 3, seq: 2 });
});
