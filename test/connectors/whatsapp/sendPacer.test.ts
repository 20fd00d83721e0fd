import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SendPacer } from '../../../src/connectors/whatsapp/sendPacer.js';

test('a backlog of one number gets a slot each, evenly spaced; a message back from the queue takes its own slot', () => {
  const pacer = new SendPacer(0);
  const takes = Array.from({ length: 5 }, (_, i) => pacer.take(`m${i}`, 'N', 10, `7900000000${i}`, 0, 250));
  assert.deepEqual(takes, [
    { waitMs: 0, taken: true },
    { waitMs: 100, taken: true },
    { waitMs: 200, taken: true },
    { waitMs: 300, taken: false },
    { waitMs: 400, taken: false },
  ]);
  // Back early: still waiting for its slot; on time: it goes, and a new message gets the slot after the reserved ones.
  assert.deepEqual(pacer.take('m4', 'N', 10, '79000000004', 100, 250), { waitMs: 300, taken: false });
  assert.deepEqual(pacer.take('m3', 'N', 10, '79000000003', 300, 250), { waitMs: 0, taken: true });
  assert.deepEqual(pacer.take('m4', 'N', 10, '79000000004', 390, 250), { waitMs: 10, taken: true });
  assert.deepEqual(pacer.take('m5', 'N', 10, '79000000005', 400, 250), { waitMs: 100, taken: true });
  assert.deepEqual(pacer.take('x', 'OTHER', 10, '79000000005', 400, 250), { waitMs: 0, taken: true }, 'another number has its own slots');
});

test('the pair interval holds back that subscriber only, without taking a slot of the number', () => {
  const pacer = new SendPacer(6_000);
  assert.deepEqual(pacer.take('a', 'N', 1000, '7901', 0, 250), { waitMs: 0, taken: true });
  assert.deepEqual(pacer.take('b', 'N', 1000, '7901', 10, 250), { waitMs: 5_990, taken: false });
  assert.deepEqual(pacer.take('c', 'N', 1000, '7902', 10, 250), { waitMs: 0, taken: true });
  assert.deepEqual(pacer.take('b', 'N', 1000, '7901', 6_000, 250), { waitMs: 0, taken: true });
  assert.equal(pacer.pairLimited('N', '7902', 100), 4_000);
  assert.equal(pacer.pairLimited('N', '7902', 100), 16_000);
  pacer.delivered('N', '7902');
  assert.equal(pacer.pairLimited('N', '7902', 100), 4_000);
});

test('reservations long past their time are forgotten once the map is large', () => {
  const pacer = new SendPacer(0);
  // 100,001 messages at 1000/s: all but the first reserve a slot, up to 100 s ahead.
  for (let i = 0; i <= 100_000; i++) pacer.take(`m${i}`, 'N', 1000, `79${i}`, 0, 0);
  // At 200 s (every slot over 60 s past) the next take sweeps them. m5 never came back in time: now it gets a new
  // slot after the one just taken, not its old one at once.
  assert.deepEqual(pacer.take('late', 'N', 1000, '7000', 200_000, 0), { waitMs: 0, taken: true });
  assert.deepEqual(pacer.take('m5', 'N', 1000, '79005', 200_000, 0), { waitMs: 1, taken: false });
});
