/** The door's directly encoded PDUs are the octets the `smpp` library makes of the same fields. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import smpp from 'smpp';
import { encodeDeliverSm, encodeMessageIdResponse, type DeliverSmOut } from '../../src/smpp/server/fastPdus.js';
import { encodePdu, readPduFields } from '../../src/smpp/server/pduFields.js';

test('submit_sm_resp and data_sm_resp: message_id on success, the header alone on an error', () => {
  for (const [command, id] of [['submit_sm_resp', 0x00000004], ['data_sm_resp', 0x00000103]] as const) {
    assert.deepEqual(encodeMessageIdResponse(id, 77, 0, '0f8fad5b-d9cb-469f-a165-70867728950e-2'), encodePdu(command, 77, 0, { message_id: '0f8fad5b-d9cb-469f-a165-70867728950e-2' }));
    assert.deepEqual(encodeMessageIdResponse(id, 0x7fffffff, 0x58, 'ignored'), encodePdu(command, 0x7fffffff, 0x58, {}));
    assert.equal(encodeMessageIdResponse(id, 1, 0x58, 'ignored').length, 16);
    assert.deepEqual(encodeMessageIdResponse(id, 5, 0, ''), encodePdu(command, 5, 0, { message_id: '' }));
  }
});

test('deliver_sm: every field and TLV as the library writes them, and the library reads them back', () => {
  const receipt: DeliverSmOut = {
    service_type: '',
    source_addr_ton: 1,
    source_addr_npi: 1,
    source_addr: '79990001111',
    dest_addr_ton: 5,
    dest_addr_npi: 0,
    destination_addr: 'sms_promo',
    esm_class: 0x04,
    data_coding: 0,
    short_message: Buffer.from('id:abc sub:001 dlvrd:001 submit date:2605011000 done date:2605011001 stat:DELIVRD err:000 text:hi', 'ascii'),
    receipted_message_id: 'abc',
    message_state: 2,
    network_error_code: Buffer.from([3, 0, 0]),
  };
  const mo: DeliverSmOut = {
    service_type: 'CMT',
    source_addr_ton: 1,
    source_addr_npi: 1,
    source_addr: '79990002222',
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    destination_addr: '79990003333',
    esm_class: 0,
    data_coding: 8,
    short_message: Buffer.alloc(0),
    message_payload: Buffer.alloc(400, 0x41),
  };
  for (const pdu of [receipt, mo]) {
    const ours = encodeDeliverSm(pdu);
    assert.deepEqual(ours, encodePdu('deliver_sm', 0, 0, { ...pdu }));
    const read = readPduFields(ours);
    assert.equal(read.source_addr, pdu.source_addr);
    assert.equal(read.destination_addr, pdu.destination_addr);
    assert.equal(read.esm_class, pdu.esm_class);
    assert.ok(smpp.PDU.fromBuffer(ours));
  }
  assert.throws(() => encodeDeliverSm({ ...mo, short_message: Buffer.alloc(255) }), RangeError);
});
