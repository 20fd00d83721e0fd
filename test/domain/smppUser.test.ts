import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isAllowed,
  isMessageIdFormat,
  isValidSystemId,
  limitProblem,
  parseAllowList,
  parseCidr,
  SMPP_USER_DEFAULTS,
} from '../../src/domain/smppUser.js';

test('system_id: 1–15 printable ASCII characters, no space or control character', () => {
  for (const ok of ['a', 'esme_1', 'ABCDEFGHIJKLMNO', '!~#$%&*+-./:;<=', 'Mixed.Case-01']) assert.equal(isValidSystemId(ok), true, ok);
  for (const bad of ['', 'ABCDEFGHIJKLMNOP', 'has space', ' lead', 'tab\there', 'nul\0', 'ümlaut', 'кириллица', 'del\x7F', 'nl\n']) {
    assert.equal(isValidSystemId(bad), false, JSON.stringify(bad));
  }
});

test('defaults and limits', () => {
  assert.deepEqual(SMPP_USER_DEFAULTS, { maxBinds: 2, throughput: 0, window: 100, messageIdFormat: 'uuid' });
  for (const [limit, ok, bad] of [
    ['maxBinds', [1, 2, 100], [0, 101, 1.5, -1, NaN]],
    ['window', [1, 100, 1000], [0, 1001, 2.5]],
    ['throughput', [0, 1, 100_000], [-1, 100_001, 0.5]],
  ] as const) {
    for (const value of ok) assert.equal(limitProblem(limit, value), null, `${limit} ${value}`);
    for (const value of bad) assert.match(limitProblem(limit, value) ?? '', new RegExp(`^${limit} must be an integer from`), `${limit} ${value}`);
  }
  for (const format of ['uuid', 'hex', 'decimal']) assert.equal(isMessageIdFormat(format), true);
  for (const format of ['UUID', 'dec', '']) assert.equal(isMessageIdFormat(format), false);
});

test('CIDR parsing: IPv4 and IPv6, bare addresses are single hosts, canonical case', () => {
  assert.equal(parseCidr('192.0.2.0/24'), '192.0.2.0/24');
  assert.equal(parseCidr('192.0.2.7'), '192.0.2.7/32');
  assert.equal(parseCidr('0.0.0.0/0'), '0.0.0.0/0');
  assert.equal(parseCidr('2001:DB8::/32'), '2001:db8::/32');
  assert.equal(parseCidr('::1'), '::1/128');
  assert.equal(parseCidr('::ffff:192.0.2.1/128'), '::ffff:192.0.2.1/128');
  for (const bad of ['', 'x', '192.0.2.0/33', '192.0.2.0/', '192.0.2.0/-1', '192.0.2.0/08', '192.0.2/24', '256.0.0.1', '2001:db8::/129', '2001:db8::/1a', 'fe80::1%eth0', '192.0.2.0/24/1', 'example.com']) {
    assert.equal(parseCidr(bad), null, bad);
  }
  assert.deepEqual(parseAllowList([]), { ok: true, list: [] });
  assert.deepEqual(parseAllowList(['10.0.0.0/8', ' 2001:db8::/32 ', '10.0.0.0/8', '192.0.2.1']), {
    ok: true,
    list: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.1/32'],
  });
  assert.deepEqual(parseAllowList(['10.0.0.0/8', '10.0.0.0/40', 'nope']), { ok: false, bad: '10.0.0.0/40' });
});

test('matching: empty list = any; IPv4, IPv6, and IPv4-mapped IPv6 against IPv4 CIDRs', () => {
  assert.equal(isAllowed([], '203.0.113.9'), true);
  assert.equal(isAllowed([], 'not an address'), true);
  const list = parseAllowList(['192.0.2.0/24', '198.51.100.7', '2001:db8:abcd::/48']);
  assert.ok(list.ok);
  const allow = list.list;
  assert.equal(isAllowed(allow, '192.0.2.0'), true);
  assert.equal(isAllowed(allow, '192.0.2.255'), true);
  assert.equal(isAllowed(allow, '192.0.3.1'), false);
  assert.equal(isAllowed(allow, '198.51.100.7'), true);
  assert.equal(isAllowed(allow, '198.51.100.8'), false);
  assert.equal(isAllowed(allow, '2001:db8:abcd:1::5'), true);
  assert.equal(isAllowed(allow, '2001:DB8:ABCD::1'), true);
  assert.equal(isAllowed(allow, '2001:db8:abce::1'), false);
  assert.equal(isAllowed(allow, '::ffff:192.0.2.10'), true, 'mapped IPv4 matches the IPv4 CIDR');
  assert.equal(isAllowed(allow, '::FFFF:198.51.100.7'), true);
  assert.equal(isAllowed(allow, '::ffff:c000:20a'), true, 'the same, in hex');
  assert.equal(isAllowed(allow, '::ffff:192.0.3.1'), false);
  assert.equal(isAllowed(allow, '::1'), false);
  assert.equal(isAllowed(allow, ''), false);
  assert.equal(isAllowed(allow, 'garbage'), false);
  assert.equal(isAllowed(['0.0.0.0/0'], '::ffff:203.0.113.1'), true);
  assert.equal(isAllowed(['0.0.0.0/0'], '2001:db8::1'), false, 'IPv4-any does not let IPv6 in');
  assert.equal(isAllowed(['::/0'], '2001:db8::1'), true);
  assert.equal(isAllowed(['10.1.2.3/8'], '10.200.0.1'), true, 'host bits of the CIDR are ignored');
  assert.equal(isAllowed(['::1/128'], '::1'), true);
});
