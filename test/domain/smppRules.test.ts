/** The SMPP door's tables (smpp-interface.md §3, §4), row by row. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STATUSES } from '../../src/domain/channels.js';
import {
  channelOfServiceType,
  queryStateOf,
  receiptRequestOf,
  receiptStatusOf,
  sendsReceipt,
  SMPP_STATUS,
  statusOfRejection,
} from '../../src/domain/smppRules.js';

test('service_type → channel; anything else is ESME_RINVSERTYP', () => {
  assert.equal(channelOfServiceType(''), 'SMS');
  assert.equal(channelOfServiceType('SMS'), 'SMS');
  assert.equal(channelOfServiceType('FLASH'), 'FLASHCALL');
  assert.equal(channelOfServiceType('VOICE'), 'VOICECODE');
  assert.equal(channelOfServiceType('WA'), 'WHATSAPP');
  assert.equal(channelOfServiceType('VK'), 'VK');
  for (const other of ['sms', 'CMT', 'WAP', 'toString', '__proto__']) assert.equal(channelOfServiceType(other), null);
});

test('business refusals as command_status', () => {
  assert.equal(statusOfRejection(4031), 0x0a);
  assert.equal(statusOfRejection(4033), 0x0b);
  assert.equal(statusOfRejection(4032), 0x401);
  assert.equal(statusOfRejection(4020), 0x402);
  assert.equal(statusOfRejection(5000), SMPP_STATUS.systemError);
});

test('registered_delivery bits 0–1', () => {
  assert.equal(receiptRequestOf(0), 'none');
  assert.equal(receiptRequestOf(1), 'final');
  assert.equal(receiptRequestOf(2), 'failure');
  assert.equal(receiptRequestOf(3), 'none');
  // Other bits (SME acknowledgements, intermediate notification) do not change it.
  assert.equal(receiptRequestOf(0x11), 'final');
  assert.equal(receiptRequestOf(0x1e), 'failure');
});

test('the receipt table of every final status', () => {
  assert.deepEqual(receiptStatusOf('delivered', null), { stat: 'DELIVRD', messageState: 2, err: 0, delivered: true });
  assert.deepEqual(receiptStatusOf('read', null), { stat: 'DELIVRD', messageState: 2, err: 0, delivered: true });
  assert.deepEqual(receiptStatusOf('undelivered', 127), { stat: 'EXPIRED', messageState: 3, err: 127, delivered: false });
  assert.deepEqual(receiptStatusOf('undelivered', 501), { stat: 'UNDELIV', messageState: 5, err: 501, delivered: false });
  assert.deepEqual(receiptStatusOf('undelivered', null), { stat: 'UNDELIV', messageState: 5, err: 0, delivered: false });
  assert.deepEqual(receiptStatusOf('unsent', 605), { stat: 'EXPIRED', messageState: 3, err: 605, delivered: false });
  assert.deepEqual(receiptStatusOf('unsent', 606), { stat: 'DELETED', messageState: 4, err: 606, delivered: false });
  assert.deepEqual(receiptStatusOf('unsent', 616), { stat: 'REJECTD', messageState: 8, err: 616, delivered: false });
  for (const status of ['unread', 'sending', 'sent'] as const) assert.equal(receiptStatusOf(status, null), null);
});

test('which final statuses send a receipt for each registered_delivery', () => {
  for (const status of STATUSES) {
    const final = receiptStatusOf(status, 501) !== null;
    assert.equal(sendsReceipt('none', status, 501), false);
    assert.equal(sendsReceipt('final', status, 501), final);
    assert.equal(sendsReceipt('failure', status, 501), final && status !== 'delivered' && status !== 'read');
  }
});

test('query_sm message_state', () => {
  assert.equal(queryStateOf('sending', null), 1);
  assert.equal(queryStateOf('sent', null), 1);
  assert.equal(queryStateOf('delivered', null), 2);
  assert.equal(queryStateOf('read', null), 2);
  assert.equal(queryStateOf('unread', null), 2);
  assert.equal(queryStateOf('undelivered', 127), 3);
  assert.equal(queryStateOf('undelivered', 503), 5);
  assert.equal(queryStateOf('unsent', 606), 4);
  assert.equal(queryStateOf('unsent', 453), 8);
});
