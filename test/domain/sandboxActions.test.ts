import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CHANNELS, STATUSES, type Channel, type Status } from '../../src/domain/channels.js';
import { statusChanges } from '../../src/domain/lifecycle.js';
import {
  checkSandboxAction,
  DEFAULT_UNDELIVERED_CODE,
  isUndeliveredCode,
  sandboxReport,
  SANDBOX_ACTIONS,
  UNDELIVERED_CODES_BY_CHANNEL,
  type ForceTarget,
  type SandboxAction,
} from '../../src/domain/sandboxActions.js';

const target = (overrides: Partial<ForceTarget> = {}): ForceTarget => ({
  direction: 'outbound',
  channelType: 'SMS',
  status: 'sent',
  sentAt: 1,
  shortUrl: null,
  reportsDelivery: true,
  shortLinks: [],
  ...overrides,
});

const valid = (action: SandboxAction, overrides: Partial<ForceTarget> = {}) => checkSandboxAction(action, target(overrides)).ok;

/** The statuses in which the action is valid on the channel. */
const validStatuses = (action: SandboxAction, channel: Channel, overrides: Partial<ForceTarget> = {}) =>
  STATUSES.filter((status) => valid(action, { channelType: channel, status, ...overrides }));

describe('sandbox actions: which status and channel (domain/sandboxActions.ts)', () => {
  it('deliver and undeliver need sent, on every channel', () => {
    for (const channel of CHANNELS) {
      assert.deepEqual(validStatuses('deliver', channel), ['sent'], channel);
      assert.deepEqual(validStatuses('undeliver', channel), ['sent'], channel);
    }
  });

  it('a platform without delivery reports (a VK community) cannot be forced delivered; unread then needs only sent', () => {
    assert.deepEqual(validStatuses('deliver', 'VK', { reportsDelivery: false }), []);
    assert.match((checkSandboxAction('deliver', target({ channelType: 'VK', reportsDelivery: false })) as { reason: string }).reason, /never reports delivery/);
    assert.deepEqual(validStatuses('unread', 'VK', { reportsDelivery: false }), ['sent', 'delivered']);
  });

  it('read: WHATSAPP and VK, sent or delivered; unread: delivered; never on the other channels', () => {
    for (const channel of ['WHATSAPP', 'VK'] as const) {
      assert.deepEqual(validStatuses('read', channel), ['sent', 'delivered']);
      assert.deepEqual(validStatuses('unread', channel), ['delivered']);
    }
    for (const channel of ['SMS', 'VOICECODE', 'FLASHCALL'] as const) {
      assert.deepEqual(validStatuses('read', channel), []);
      assert.deepEqual(validStatuses('unread', channel), []);
      assert.match((checkSandboxAction('read', target({ channelType: channel })) as { reason: string }).reason, /no read reports/);
    }
  });

  it('click: shortUrl on, a short link in the text, handed off; any status after that', () => {
    const withLink = { shortUrl: true, shortLinks: ['http://127.0.0.1:8080/s/abc'] };
    assert.equal(valid('click', withLink), true);
    assert.equal(valid('click', { ...withLink, status: 'read', channelType: 'WHATSAPP' }), true);
    assert.equal(valid('click', { ...withLink, status: 'undelivered' }), true);
    assert.equal(valid('click', { ...withLink, status: 'sending', sentAt: null }), false);
    assert.equal(valid('click', { ...withLink, shortUrl: false }), false);
    assert.equal(valid('click', { shortUrl: true, shortLinks: [] }), false);
  });

  it('expire: exactly where the engine’s expiry changes something (§5.7)', () => {
    for (const channel of CHANNELS) {
      const expected = channel === 'WHATSAPP' || channel === 'VK' ? ['sending', 'sent', 'delivered'] : ['sending', 'sent'];
      assert.deepEqual(validStatuses('expire', channel), expected, channel);
    }
  });

  it('nothing can be forced on an inbound message', () => {
    for (const action of SANDBOX_ACTIONS) {
      const check = checkSandboxAction(action, target({ direction: 'inbound', status: 'delivered', shortUrl: true, shortLinks: ['x'] }));
      assert.equal(check.ok, false, action);
    }
  });

  it('every valid status action changes the status through the lifecycle, as a real report would (never "ignored")', () => {
    const statusActions = SANDBOX_ACTIONS.filter((a) => a !== 'click');
    for (const action of statusActions) {
      for (const channel of CHANNELS) {
        for (const reportsDelivery of [true, false]) {
          for (const status of STATUSES as readonly Status[]) {
            if (!valid(action, { channelType: channel, status, reportsDelivery })) continue;
            const report = sandboxReport(action, 5, channel);
            assert.notEqual(statusChanges(status, channel, report, reportsDelivery).length, 0, `${action} ${channel} ${status}`);
          }
        }
      }
    }
  });
});

describe('sandbox actions: undelivered codes (§13)', () => {
  it('each channel’s default is one of its codes; 127 goes with every channel', () => {
    for (const channel of CHANNELS) {
      assert.ok(isUndeliveredCode(channel, DEFAULT_UNDELIVERED_CODE[channel]), channel);
      assert.ok(isUndeliveredCode(channel, 127), channel);
    }
    assert.deepEqual(DEFAULT_UNDELIVERED_CODE, { SMS: 501, VOICECODE: 602, FLASHCALL: 602, WHATSAPP: 612, VK: 612 });
  });

  it('a code of another channel, or of unsent only, is not an undelivered code', () => {
    assert.equal(isUndeliveredCode('SMS', 601), false);
    assert.equal(isUndeliveredCode('SMS', 612), false);
    assert.equal(isUndeliveredCode('WHATSAPP', 501), false);
    assert.equal(isUndeliveredCode('VOICECODE', 453), false);
    assert.equal(isUndeliveredCode('FLASHCALL', 453), true);
    for (const channel of CHANNELS) for (const code of [605, 606, 610, 611, 614, 616, 0, 999]) assert.equal(isUndeliveredCode(channel, code), false);
    assert.ok(!UNDELIVERED_CODES_BY_CHANNEL.SMS.includes(507), '507 is unassigned');
  });

  it('the reports', () => {
    assert.deepEqual(sandboxReport('undeliver', 7, 'SMS'), { kind: 'undelivered', at: 7, errorCode: 501 });
    assert.deepEqual(sandboxReport('undeliver', 7, 'VK', { errorCode: 615 }), { kind: 'undelivered', at: 7, errorCode: 615 });
    assert.deepEqual(sandboxReport('deliver', 7, 'SMS'), { kind: 'delivered', at: 7 });
    assert.deepEqual(sandboxReport('click', 7, 'SMS', { url: 'https://example.com/' }), { kind: 'click', at: 7, url: 'https://example.com/' });
    assert.deepEqual(sandboxReport('expire', 7, 'SMS'), { kind: 'expired', at: 7 });
  });
});
