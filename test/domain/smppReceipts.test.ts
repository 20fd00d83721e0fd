import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { receiptChanges } from '../../src/domain/smppReceipts.js';
import { statusOfInvalidField, statusOfInvalidItem, SMPP_STATUS } from '../../src/domain/smppRules.js';
import type { StatusChange } from '../../src/domain/lifecycle.js';

const change = (status: StatusChange['status'], errorCode: number | null = null, at = 1): StatusChange => ({ status, at, errorCode });

describe('which status change owes an SMPP receipt (smpp-interface.md §4)', () => {
  it('owes one at the first final status, as registered_delivery asked', () => {
    assert.deepEqual(receiptChanges('final', 'sent', [change('delivered')]), [change('delivered')]);
    assert.deepEqual(receiptChanges('final', 'sending', [change('unsent', 606)]), [change('unsent', 606)]);
    assert.deepEqual(receiptChanges('failure', 'sent', [change('delivered')]), []);
    assert.deepEqual(receiptChanges('failure', 'sent', [change('undelivered', 501)]), [change('undelivered', 501)]);
    assert.deepEqual(receiptChanges('none', 'sent', [change('undelivered', 501)]), []);
  });

  it('owes none for sent, and nothing more after the first final status (read after delivered, unread)', () => {
    assert.deepEqual(receiptChanges('final', 'sending', [change('sent')]), []);
    assert.deepEqual(receiptChanges('final', 'delivered', [change('read')]), []);
    assert.deepEqual(receiptChanges('final', 'delivered', [change('unread')]), []);
    assert.deepEqual(receiptChanges('final', 'unread', [change('read')]), []);
  });

  it('owes the delivered one when a read report records delivered first in the same report', () => {
    assert.deepEqual(receiptChanges('final', 'sent', [change('delivered', null, 1), change('read', null, 2)]), [change('delivered', null, 1)]);
  });

  it('owes one for read when the platform never reports delivery (sent → read), none for sent → unread', () => {
    assert.deepEqual(receiptChanges('final', 'sent', [change('read')]), [change('read')]);
    assert.deepEqual(receiptChanges('final', 'sent', [change('unread')]), []);
  });
});

describe('an invalid field as a submit command_status', () => {
  it('maps each field the item validation names', () => {
    assert.equal(statusOfInvalidField('destination', 'must be 10-15 digits'), SMPP_STATUS.invalidDestinationAddress);
    assert.equal(statusOfInvalidField('senderName', 'must be a string of 1-64 characters'), SMPP_STATUS.invalidSourceAddress);
    assert.equal(statusOfInvalidField('ttl', 'must be an integer from 60 to 86400'), SMPP_STATUS.invalidExpiry);
    assert.equal(statusOfInvalidField('localSendTime', 'must be within 7 days'), SMPP_STATUS.invalidScheduledTime);
    assert.equal(statusOfInvalidField('content', 'must not hold a NUL or a lone surrogate (U+D800-U+DFFF not in a pair)'), SMPP_STATUS.badCharacterCode);
    assert.equal(statusOfInvalidField('content.text', 'does not match the VOICECODE template'), SMPP_STATUS.badCharacterCode);
    assert.equal(statusOfInvalidField('content', 'must be a string of 1-2048 characters'), SMPP_STATUS.invalidMessageLength);
    assert.equal(statusOfInvalidField('callbackUrl', 'must be an absolute http or https URL'), SMPP_STATUS.submitFailed);
  });

  it('takes the first failing field of an item, and ESME_RSUBMITFAIL when none is named', () => {
    const details = [{ field: 'ttl', msg: 'must be an integer from 60 to 86400' }, { field: 'destination', msg: 'x' }];
    assert.equal(statusOfInvalidItem(details), SMPP_STATUS.invalidExpiry);
    assert.equal(statusOfInvalidItem(null), SMPP_STATUS.submitFailed);
    assert.equal(statusOfInvalidItem([]), SMPP_STATUS.submitFailed);
  });
});
