import { test } from 'node:test';
import assert from 'node:assert/strict';
import { destinationAddress, senderAddress } from '../../src/smpp/addresses.js';

test('alphanumeric senders: TON 5 / NPI 0, as written', () => {
  assert.deepEqual(senderAddress('MyShop'), { ton: 5, npi: 0, addr: 'MyShop' });
  assert.deepEqual(senderAddress('Shop 24'), { ton: 5, npi: 0, addr: 'Shop 24' });
  assert.deepEqual(senderAddress('INFO-1'), { ton: 5, npi: 0, addr: 'INFO-1' });
  assert.deepEqual(senderAddress('7926x'), { ton: 5, npi: 0, addr: '7926x' });
});

test('numeric senders: international TON 1 / NPI 1, without the +', () => {
  assert.deepEqual(senderAddress('79261234567'), { ton: 1, npi: 1, addr: '79261234567' });
  assert.deepEqual(senderAddress('+79261234567'), { ton: 1, npi: 1, addr: '79261234567' });
  assert.deepEqual(senderAddress('1234'), { ton: 1, npi: 1, addr: '1234' });
});

test('destinations: TON 1 / NPI 1, digits only', () => {
  assert.deepEqual(destinationAddress('79261234567'), { ton: 1, npi: 1, addr: '79261234567' });
  assert.deepEqual(destinationAddress('+447911123456'), { ton: 1, npi: 1, addr: '447911123456' });
  assert.throws(() => destinationAddress('7926-123'), RangeError);
  assert.throws(() => destinationAddress(''), RangeError);
});

test('addresses that cannot go in a 21-octet ASCII C-string throw', () => {
  assert.throws(() => senderAddress(''), RangeError);
  assert.throws(() => senderAddress('A'.repeat(21)), RangeError);
  assert.doesNotThrow(() => senderAddress('A'.repeat(20)));
  assert.throws(() => senderAddress('Магазин'), /printable ASCII/);
  assert.throws(() => senderAddress('+' + '1'.repeat(21)), RangeError);
  assert.deepEqual(senderAddress('+' + '1'.repeat(20)).addr.length, 20);
});
