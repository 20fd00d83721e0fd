/** PDUs at the byte level: framing the stream, reading deliver_sm, encoding submit_sm. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import smpp from 'smpp';
import { destinationAddress, senderAddress } from '../../src/smpp/addresses.js';
import { readDeliverSm } from '../../src/smpp/deliverSm.js';
import { PduFramer } from '../../src/smpp/pduFraming.js';
import { segmentSms, type SegmentationMode } from '../../src/smpp/segmentation.js';
import { encodeSubmitSm } from '../../src/smpp/submitSm.js';

test('framer: whole PDUs from any chunking; an impossible command_length is an error', () => {
  const pdu = (seq: number, body = 0): Buffer => {
    const out = Buffer.alloc(16 + body);
    out.writeUInt32BE(16 + body, 0);
    out.writeUInt32BE(0x80000015, 4);
    out.writeUInt32BE(seq, 12);
    return out;
  };
  const stream = Buffer.concat([pdu(1), pdu(2, 5), pdu(3)]);
  for (const size of [1, 3, 7, 16, 100]) {
    const framer = new PduFramer();
    const out: Buffer[] = [];
    for (let at = 0; at < stream.length; at += size) out.push(...framer.push(stream.subarray(at, at + size)));
    assert.deepEqual(out.map((b) => b.readUInt32BE(12)), [1, 2, 3], `chunks of ${size}`);
  }
  const broken = pdu(9);
  broken.writeUInt32BE(8, 0);
  assert.throws(() => new PduFramer().push(broken), (error: Error & { sequence?: number }) => error instanceof RangeError && error.sequence === 9);
});

test('deliver_sm read from raw octets; a truncated one is an error', () => {
  const body = Buffer.concat([
    Buffer.from('\0'), // service_type
    Buffer.from([1, 1]),
    Buffer.from('79261234567\0'),
    Buffer.from([0, 0]),
    Buffer.from('4242\0'),
    Buffer.from([0x40, 0, 0]), // esm_class, protocol_id, priority_flag
    Buffer.from('\0\0'), // schedule, validity
    Buffer.from([0, 0, 0x08, 0]), // registered_delivery, replace, data_coding, sm_default_msg_id
    Buffer.from([3, 0xaa, 0xbb, 0xcc]), // sm_length + short_message
    Buffer.from([0x00, 0x1e, 0x00, 0x03, 0x41, 0x42, 0x00]), // receipted_message_id "AB"
  ]);
  const raw = Buffer.concat([Buffer.alloc(16), body]);
  raw.writeUInt32BE(raw.length, 0);
  raw.writeUInt32BE(0x00000005, 4);
  const fields = readDeliverSm(raw, 'deliver_sm');
  assert.deepEqual([fields.sourceAddr, fields.destinationAddr, fields.esmClass, fields.dataCoding], ['79261234567', '4242', 0x40, 0x08]);
  assert.deepEqual([...fields.shortMessage], [0xaa, 0xbb, 0xcc]);
  assert.deepEqual(fields.tlvs.get(0x001e), Buffer.from('AB\0'));
  const truncated = Buffer.from(raw.subarray(0, raw.length - 9));
  truncated.writeUInt32BE(truncated.length, 0);
  assert.throws(() => readDeliverSm(truncated, 'deliver_sm'), RangeError);
});

test('submit_sm: our encoder writes exactly the octets the smpp library writes', () => {
  const texts = ['Hi', 'Code 1234 {ok} €5', 'Ваш код: 4821 🙂', 'x'.repeat(400), 'Длинный текст. '.repeat(12)];
  const modes: SegmentationMode[] = ['udh', 'sar', 'payload'];
  for (const text of texts) {
    for (const mode of modes) {
      for (const [sender, validity] of [['Acme', '260502110000000+'], ['+74951234567', '']] as const) {
        const segmented = segmentSms(text, { reference: 0x2a, mode });
        for (const part of segmented.parts) {
          const source = senderAddress(sender);
          const destination = destinationAddress('79261234567');
          const ours = encodeSubmitSm({
            source,
            destination,
            esmClass: part.esmClass,
            validityPeriod: validity,
            registeredDelivery: 1,
            dataCoding: segmented.dataCoding,
            shortMessage: part.shortMessage,
            ...(part.sarTlvs ? { sar: part.sarTlvs } : {}),
            ...(part.messagePayload ? { messagePayload: part.messagePayload } : {}),
          });
          const library = new smpp.PDU('submit_sm', {
            source_addr_ton: source.ton,
            source_addr_npi: source.npi,
            source_addr: source.addr,
            dest_addr_ton: destination.ton,
            dest_addr_npi: destination.npi,
            destination_addr: destination.addr,
            esm_class: part.esmClass,
            validity_period: validity,
            registered_delivery: 1,
            data_coding: segmented.dataCoding,
            short_message: part.shortMessage,
            ...(part.sarTlvs ?? {}),
            ...(part.messagePayload ? { message_payload: part.messagePayload } : {}),
          }).toBuffer();
          assert.deepEqual(ours, library, `${mode} ${JSON.stringify(text.slice(0, 10))} ${sender}`);
        }
      }
    }
  }
  assert.throws(() => encodeSubmitSm({ source: senderAddress('A'), destination: destinationAddress('7926'), esmClass: 0, validityPeriod: '', registeredDelivery: 1, dataCoding: 0, shortMessage: Buffer.alloc(255) }), RangeError);
});
