import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHANNELS, STATUSES, type Channel, type Status } from '../../src/domain/channels.js';
import { ERROR_CODES, hasReadReceipts, isFinal, statusChanges, watchesExpiry, type Report } from '../../src/domain/lifecycle.js';

const AT = Date.UTC(2024, 4, 1, 10, 0, 40);
const MESSENGERS: Channel[] = ['WHATSAPP', 'VK'];
const NON_MESSENGERS: Channel[] = ['VOICECODE', 'FLASHCALL', 'SMS'];
const FINAL: Status[] = ['delivered', 'undelivered', 'unsent', 'read', 'unread'];

const reports: Report[] = [
  { kind: 'sent', at: AT, price: 500 },
  { kind: 'unsent', at: AT, errorCode: 604 },
  { kind: 'delivered', at: AT },
  { kind: 'undelivered', at: AT, errorCode: 601 },
  { kind: 'read', at: AT },
  { kind: 'unread', at: AT },
  { kind: 'expired', at: AT },
  { kind: 'click', at: AT, url: 'https://example.com/' },
];

/** The statuses a report leads to, in order. */
const next = (current: Status, channel: Channel, report: Report) => statusChanges(current, channel, report).map((c) => c.status);

test('gateway error codes are the spec §13 ones', () => {
  assert.deepEqual(ERROR_CODES, { statusTimeout: 127, expiredBeforeSending: 605, stopped: 606, concatenationIncomplete: 616 });
});

test('read receipts exist on WHATSAPP and VK only', () => {
  for (const channel of MESSENGERS) assert.equal(hasReadReceipts(channel), true, channel);
  for (const channel of NON_MESSENGERS) assert.equal(hasReadReceipts(channel), false, channel);
});

test('final statuses are delivered, undelivered, unsent, read, unread; sending and sent are not', () => {
  for (const status of STATUSES) assert.equal(isFinal(status), FINAL.includes(status), status);
});

test('hand-off: sending → sent; a refusal at hand-off: sending → unsent with its code', () => {
  for (const channel of CHANNELS) {
    assert.deepEqual(statusChanges('sending', channel, { kind: 'sent', at: AT, price: 0 }), [{ status: 'sent', at: AT, errorCode: null }]);
    assert.deepEqual(statusChanges('sending', channel, { kind: 'unsent', at: AT, errorCode: 606 }), [
      { status: 'unsent', at: AT, errorCode: 606 },
    ]);
  }
});

test('sent → delivered (no code) or undelivered (with its code, or null when unknown)', () => {
  for (const channel of CHANNELS) {
    assert.deepEqual(statusChanges('sent', channel, { kind: 'delivered', at: AT }), [{ status: 'delivered', at: AT, errorCode: null }]);
    assert.deepEqual(statusChanges('sent', channel, { kind: 'undelivered', at: AT, errorCode: 601 }), [
      { status: 'undelivered', at: AT, errorCode: 601 },
    ]);
    assert.deepEqual(statusChanges('sent', channel, { kind: 'undelivered', at: AT, errorCode: null }), [
      { status: 'undelivered', at: AT, errorCode: null },
    ]);
  }
});

test('only a message that passed through sent can become delivered or undelivered', () => {
  for (const channel of CHANNELS) {
    assert.deepEqual(next('sending', channel, { kind: 'delivered', at: AT }), []);
    assert.deepEqual(next('sending', channel, { kind: 'undelivered', at: AT, errorCode: 601 }), []);
  }
});

test('a status never goes backwards: sent is not handed off again or made unsent', () => {
  for (const channel of CHANNELS) {
    assert.deepEqual(next('sent', channel, { kind: 'sent', at: AT, price: 500 }), []);
    assert.deepEqual(next('sent', channel, { kind: 'unsent', at: AT, errorCode: 606 }), []);
  }
});

test('reports after a final status are ignored, except read/unread after delivered on messengers', () => {
  for (const channel of CHANNELS) {
    for (const status of FINAL) {
      for (const report of reports) {
        const allowed = MESSENGERS.includes(channel) && status === 'delivered' && ['read', 'unread', 'expired'].includes(report.kind);
        if (allowed) continue;
        assert.deepEqual(statusChanges(status, channel, report), [], `${channel} ${status} ← ${report.kind}`);
      }
    }
  }
});

test('messengers: delivered → read or unread', () => {
  for (const channel of MESSENGERS) {
    assert.deepEqual(statusChanges('delivered', channel, { kind: 'read', at: AT }), [{ status: 'read', at: AT, errorCode: null }]);
    assert.deepEqual(statusChanges('delivered', channel, { kind: 'unread', at: AT }), [{ status: 'unread', at: AT, errorCode: null }]);
  }
});

test('messengers: a read report that overtakes its delivery report records delivered first, then read', () => {
  for (const channel of MESSENGERS) {
    assert.deepEqual(statusChanges('sent', channel, { kind: 'read', at: AT }), [
      { status: 'delivered', at: AT, errorCode: null },
      { status: 'read', at: AT, errorCode: null },
    ]);
    assert.deepEqual(next('sent', channel, { kind: 'unread', at: AT }), ['delivered', 'unread']);
  }
});

test('read reports before hand-off are ignored', () => {
  for (const channel of CHANNELS) {
    assert.deepEqual(next('sending', channel, { kind: 'read', at: AT }), []);
    assert.deepEqual(next('sending', channel, { kind: 'unread', at: AT }), []);
  }
});

test('channels without read receipts ignore read and unread reports', () => {
  for (const channel of NON_MESSENGERS) {
    for (const status of STATUSES) {
      assert.deepEqual(next(status, channel, { kind: 'read', at: AT }), [], `${channel} ${status}`);
      assert.deepEqual(next(status, channel, { kind: 'unread', at: AT }), [], `${channel} ${status}`);
    }
  }
});

test('a click never changes the status', () => {
  for (const channel of CHANNELS) for (const status of STATUSES) assert.deepEqual(next(status, channel, { kind: 'click', at: AT, url: 'https://x/' }), []);
});

test('lifetime end (spec §5.7): sending → unsent 605, sent → undelivered 127', () => {
  for (const channel of CHANNELS) {
    assert.deepEqual(statusChanges('sending', channel, { kind: 'expired', at: AT }), [{ status: 'unsent', at: AT, errorCode: 605 }]);
    assert.deepEqual(statusChanges('sent', channel, { kind: 'expired', at: AT }), [{ status: 'undelivered', at: AT, errorCode: 127 }]);
  }
});

test('lifetime end (spec §5.7): delivered → unread with null code on WHATSAPP and VK, unchanged elsewhere', () => {
  for (const channel of MESSENGERS) {
    assert.deepEqual(statusChanges('delivered', channel, { kind: 'expired', at: AT }), [{ status: 'unread', at: AT, errorCode: null }]);
  }
  for (const channel of NON_MESSENGERS) assert.deepEqual(next('delivered', channel, { kind: 'expired', at: AT }), []);
});

test('lifetime end (spec §5.7): any other final status is unchanged', () => {
  for (const channel of CHANNELS) {
    for (const status of ['undelivered', 'unsent', 'read', 'unread'] as Status[]) {
      assert.deepEqual(next(status, channel, { kind: 'expired', at: AT }), [], `${channel} ${status}`);
    }
  }
});

test('every change carries the report time (statusTime)', () => {
  const at = AT + 1234;
  for (const change of statusChanges('sent', 'VK', { kind: 'read', at })) assert.equal(change.at, at);
});

test('the state machine only ever moves forward along the spec §7 graph', () => {
  const allowed: Record<Status, Status[]> = {
    sending: ['sent', 'unsent'],
    sent: ['delivered', 'undelivered'],
    delivered: ['read', 'unread'],
    undelivered: [],
    unsent: [],
    read: [],
    unread: [],
  };
  for (const channel of CHANNELS) {
    for (const status of STATUSES) {
      for (const report of reports) {
        let from = status;
        for (const change of statusChanges(status, channel, report)) {
          assert.ok(allowed[from].includes(change.status), `${channel}: ${from} → ${change.status} on ${report.kind}`);
          if (change.status === 'read' || change.status === 'unread') assert.ok(hasReadReceipts(channel), channel);
          from = change.status;
        }
      }
    }
  }
});

test('after hand-off the engine watches the lifetime end while sent, and while delivered on messengers only (sending is left to the send queue)', () => {
  for (const channel of CHANNELS) {
    for (const status of STATUSES) {
      const expected = status === 'sent' || (status === 'delivered' && hasReadReceipts(channel));
      assert.equal(watchesExpiry(status, channel), expected, `${channel} ${status}`);
    }
  }
});

test('a platform without delivery reports (VK communities): sent → read or unread directly; the lifetime end is unread', () => {
  const withoutDelivery = (current: Status, report: Report) => statusChanges(current, 'VK', report, false).map((c) => c.status);
  assert.deepEqual(withoutDelivery('sent', { kind: 'read', at: AT }), ['read']);
  assert.deepEqual(withoutDelivery('sent', { kind: 'unread', at: AT }), ['unread']);
  assert.deepEqual(withoutDelivery('sent', { kind: 'expired', at: AT }), ['unread']);
  assert.deepEqual(withoutDelivery('sending', { kind: 'expired', at: AT }), ['unsent']);
  assert.deepEqual(withoutDelivery('read', { kind: 'expired', at: AT }), []);
  // The rule is about messengers only; elsewhere the lifetime end stays 127.
  assert.deepEqual(statusChanges('sent', 'SMS', { kind: 'expired', at: AT }, false), [{ status: 'undelivered', at: AT, errorCode: 127 }]);
});
