import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_BACKOFF_MAX_MS, HostBackoff, hostBackoffMs } from '../../src/callbacks/hostBackoff.js';

const T = Date.parse('2026-05-01T10:00:00Z');
const HOST = 'http://127.0.0.1:9001';

test('the interval grows 5 s, 10 s, 20 s … and stops at 5 min', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 30].map(hostBackoffMs), [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  assert.equal(hostBackoffMs(100), HOST_BACKOFF_MAX_MS);
});

test('a host is up until a request gets no answer; then down for the interval, then probing', () => {
  const hosts = new HostBackoff();
  assert.deepEqual(hosts.state(HOST, T), { kind: 'up' });
  hosts.failed(HOST, hosts.ticket(HOST), T);
  assert.deepEqual(hosts.state(HOST, T), { kind: 'down', until: T + 5_000 });
  assert.deepEqual(hosts.state(HOST, T + 4_999), { kind: 'down', until: T + 5_000 });
  assert.deepEqual(hosts.state(HOST, T + 5_000), { kind: 'probing' });
  assert.deepEqual(hosts.state('http://127.0.0.1:9002', T), { kind: 'up' }, 'another port is another host');
});

test('the requests in flight when a host dies fail together and count once; each failed probe adds a step', () => {
  const hosts = new HostBackoff();
  const inFlight = Array.from({ length: 64 }, () => hosts.ticket(HOST));
  for (const ticket of inFlight) hosts.failed(HOST, ticket, T);
  assert.deepEqual(hosts.state(HOST, T), { kind: 'down', until: T + 5_000 }, 'one step, not 64');
  const probe = hosts.ticket(HOST);
  hosts.failed(HOST, probe, T + 5_000);
  assert.deepEqual(hosts.state(HOST, T + 5_000), { kind: 'down', until: T + 15_000 });
  hosts.failed(HOST, inFlight[0]!, T + 6_000);
  assert.deepEqual(hosts.state(HOST, T + 6_000), { kind: 'down', until: T + 15_000 }, 'a late failure of an old request changes nothing');
  hosts.failed(HOST, hosts.ticket(HOST), T + 15_000);
  assert.deepEqual(hosts.state(HOST, T + 15_000), { kind: 'down', until: T + 35_000 });
});

test('the first answer clears the host, and the next failure starts again at 5 s', () => {
  const hosts = new HostBackoff();
  for (let i = 0; i < 5; i++) hosts.failed(HOST, hosts.ticket(HOST), T + i);
  assert.deepEqual(hosts.state(HOST, T + 10), { kind: 'down', until: T + 4 + 80_000 });
  hosts.answered(HOST);
  assert.deepEqual(hosts.state(HOST, T + 10), { kind: 'up' });
  hosts.failed(HOST, hosts.ticket(HOST), T + 20);
  assert.deepEqual(hosts.state(HOST, T + 20), { kind: 'down', until: T + 5_020 });
});

test('hosts nobody has tried for a long time are forgotten', () => {
  const hosts = new HostBackoff();
  hosts.failed('http://old:80', 0, T);
  hosts.failed(HOST, 0, T + 3 * HOST_BACKOFF_MAX_MS);
  assert.deepEqual(hosts.state('http://old:80', T + 3 * HOST_BACKOFF_MAX_MS), { kind: 'up' });
  assert.equal(hosts.state(HOST, T + 3 * HOST_BACKOFF_MAX_MS).kind, 'down');
});
