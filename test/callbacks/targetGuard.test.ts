import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { test } from 'node:test';
import { guardedLookup, refusedRange, refuseLiteralHost, RefusedTargetError } from '../../src/callbacks/targetGuard.js';

const cases: [string, string | null][] = [
  // unspecified
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['::', 'unspecified'],
  // loopback
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  // RFC 1918
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  // RFC 4193 fc00::/7 and deprecated site-local
  ['fc00::1', 'private'],
  ['fd12:3456:789a::1', 'private'],
  ['fec0::1', 'private'],
  // link-local
  ['169.254.169.254', 'link-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  // shared address space (CGNAT)
  ['100.64.0.1', 'shared (CGNAT)'],
  ['100.127.255.255', 'shared (CGNAT)'],
  ['100.100.100.200', 'shared (CGNAT)'],
  // IPv4 inside IPv6
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['::127.0.0.1', 'loopback'],
  ['64:ff9b::192.168.0.1', 'private'],
  ['[::1]', 'loopback'],
  // public
  ['8.8.8.8', null],
  ['9.255.255.255', null],
  ['11.0.0.0', null],
  ['172.15.255.255', null],
  ['172.32.0.0', null],
  ['192.167.255.255', null],
  ['192.169.0.0', null],
  ['169.253.255.255', null],
  ['100.63.255.255', null],
  ['100.128.0.0', null],
  ['128.0.0.1', null],
  ['2001:4860:4860::8888', null],
  ['::ffff:8.8.8.8', null],
  ['64:ff9b::8.8.8.8', null],
  ['fbff::1', null],
  ['fe7f::1', null],
  ['ff02::1', null],
  // not an address
  ['example.com', null],
];

for (const [address, range] of cases) {
  test(`${address} → ${range ?? 'allowed'}`, () => {
    assert.equal(refusedRange(address), range);
  });
}

test('an IP-literal host is refused unless private targets are allowed', () => {
  const refusal = refuseLiteralHost('[::1]', false);
  assert.ok(refusal instanceof RefusedTargetError);
  assert.equal(refusal.message, 'refused private address ::1 (loopback)');
  assert.equal(refuseLiteralHost('127.0.0.1', true), null);
  assert.equal(refuseLiteralHost('8.8.8.8', false), null);
  assert.equal(refuseLiteralHost('example.com', false), null);
});

function lookup(allow: boolean, host: string, all: boolean): Promise<{ error: Error | null; result: unknown }> {
  return new Promise((resolve) => {
    guardedLookup(allow)(host, { all }, (error, address, family) => resolve({ error, result: all ? address : { address, family } }));
  });
}

test('the lookup refuses a name that resolves to loopback (localhost)', async () => {
  const { error } = await lookup(false, 'localhost', false);
  assert.ok(error instanceof RefusedTargetError);
  assert.match(error.message, /^refused private address (127\.0\.0\.1|::1) \(loopback\)$/);
  assert.ok((await lookup(false, 'localhost', true)).error instanceof RefusedTargetError);
});

test('the lookup passes public and allowed addresses, in both answer shapes', async () => {
  assert.deepEqual(await lookup(false, '8.8.8.8', false), { error: null, result: { address: '8.8.8.8', family: 4 } });
  const all = await lookup(true, 'localhost', true);
  assert.equal(all.error, null);
  assert.ok((all.result as LookupAddress[]).some((entry) => entry.address === '127.0.0.1' || entry.address === '::1'));
});

test('a lookup failure is passed on', async () => {
  const { error } = await lookup(false, 'no-such-host.invalid', false);
  assert.ok(error);
  assert.ok(!(error instanceof RefusedTargetError));
});
