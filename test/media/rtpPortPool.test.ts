import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { RtpPortsExhaustedError, createRtpPortPool } from '../../src/media/rtpPortPool.js';

/** A random even base in a high range, so parallel test files rarely meet. */
const randomBase = () => 20_000 + 2 * Math.floor(Math.random() * 10_000);

test('allocates distinct even ports within the range, then refuses with a clear error', async () => {
  const min = randomBase() + 1; // odd: the first port must be min + 1
  const pool = createRtpPortPool({ min, max: min + 8, address: '127.0.0.1' });
  assert.equal(pool.capacity, 4);
  const ports = await Promise.all([pool.allocate(), pool.allocate(), pool.allocate(), pool.allocate()]);
  try {
    const numbers = ports.map((p) => p.port).sort((a, b) => a - b);
    assert.deepEqual(numbers, [min + 1, min + 3, min + 5, min + 7]);
    assert.ok(ports.every((p) => p.socket.address().port === p.port));
    assert.equal(pool.inUse, 4);
    await assert.rejects(pool.allocate(), (error: unknown) => {
      assert.ok(error instanceof RtpPortsExhaustedError);
      assert.match(error.message, new RegExp(`no free RTP port in ${min}-${min + 8}`));
      return true;
    });
  } finally {
    await Promise.all(ports.map((p) => p.close()));
  }
  assert.equal(pool.inUse, 0);
});

test('a closed port returns to the pool, also when its socket is closed directly', async () => {
  const min = randomBase();
  const pool = createRtpPortPool({ min, max: min + 1, address: '127.0.0.1' });
  const first = await pool.allocate();
  await first.close();
  const second = await pool.allocate();
  assert.equal(second.port, min);
  await new Promise<void>((resolve) => second.socket.close(() => resolve()));
  assert.equal(pool.inUse, 0);
  const third = await pool.allocate();
  await third.close();
});

test('skips a port another process holds', async () => {
  const min = randomBase();
  const squatter = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => squatter.bind(min, '127.0.0.1', () => resolve()));
  const pool = createRtpPortPool({ min, max: min + 2, address: '127.0.0.1' });
  try {
    const port = await pool.allocate();
    assert.equal(port.port, min + 2);
    await assert.rejects(pool.allocate(), RtpPortsExhaustedError);
    await port.close();
  } finally {
    squatter.close();
  }
});

test('a range without an even port is a configuration error', () => {
  assert.throws(() => createRtpPortPool({ min: 30001, max: 30001 }), RangeError);
  assert.throws(() => createRtpPortPool({ min: 60000, max: 70000 }), RangeError);
  assert.throws(() => createRtpPortPool({ min: 40000, max: 30000 }), RangeError);
});
