import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  generateSmppPassword,
  hashSmppPassword,
  SMPP_PASSWORD_ALPHABET,
  verifySmppPassword,
} from '../../src/auth/smppPasswords.js';

const FORMAT = /^scrypt\$32768\$8\$1\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

test('passwords: 8 characters of the unambiguous alphabet, printable ASCII, different each time', () => {
  assert.equal(SMPP_PASSWORD_ALPHABET.length, new Set(SMPP_PASSWORD_ALPHABET).size, 'no repeated character');
  for (const ambiguous of '0O1lI') assert.ok(!SMPP_PASSWORD_ALPHABET.includes(ambiguous), ambiguous);
  const seen = new Set<string>();
  const used = new Set<string>();
  for (let i = 0; i < 2000; i += 1) {
    const password = generateSmppPassword();
    assert.match(password, /^[\x21-\x7E]{8}$/);
    for (const c of password) {
      assert.ok(SMPP_PASSWORD_ALPHABET.includes(c), c);
      used.add(c);
    }
    seen.add(password);
  }
  assert.equal(seen.size, 2000, 'no repeats in 2000');
  assert.equal(used.size, SMPP_PASSWORD_ALPHABET.length, 'every character of the alphabet comes up');
});

test('hash: scrypt$N$r$p$salt$hash with a 16-byte salt and a 32-byte key; two hashes of one password differ', async () => {
  const first = await hashSmppPassword('Ab3dEf7h');
  const second = await hashSmppPassword('Ab3dEf7h');
  const [, salt, hash] = FORMAT.exec(first)!;
  assert.equal(Buffer.from(salt!, 'base64').length, 16);
  assert.equal(Buffer.from(hash!, 'base64').length, 32);
  assert.match(second, FORMAT);
  assert.notEqual(first, second);
  assert.ok(!first.includes('Ab3dEf7h'));
});

test('verify: true for the password, false for any other', async () => {
  const password = generateSmppPassword();
  const stored = await hashSmppPassword(password);
  assert.equal(await verifySmppPassword(password, stored), true);
  assert.equal(await verifySmppPassword(`${password.slice(0, 7)}`, stored), false);
  assert.equal(await verifySmppPassword(`${password}x`, stored), false);
  assert.equal(await verifySmppPassword(password.toUpperCase() === password ? password.toLowerCase() : password.toUpperCase(), stored), false);
  assert.equal(await verifySmppPassword('', stored), false);
  assert.equal(await verifySmppPassword(password, await hashSmppPassword('other123')), false);
});

test('verify: a malformed stored value is false, never an exception', async () => {
  const stored = await hashSmppPassword('secret12');
  const parts = stored.split('$');
  const malformed = [
    '',
    'secret12',
    'scrypt',
    parts.slice(0, 5).join('$'),
    [...parts, 'extra'].join('$'),
    ['bcrypt', ...parts.slice(1)].join('$'),
    ['scrypt', '32767', ...parts.slice(2)].join('$'), // N not a power of two
    ['scrypt', '0', ...parts.slice(2)].join('$'),
    ['scrypt', String(2 ** 30), ...parts.slice(2)].join('$'), // far too costly
    ['scrypt', 'x', ...parts.slice(2)].join('$'),
    ['scrypt', '32768', '999', '1', parts[4], parts[5]].join('$'),
    ['scrypt', '32768', '8', '1', '!!!', parts[5]].join('$'),
    ['scrypt', '32768', '8', '1', parts[4], 'AAAA'].join('$'), // key too short
    ['scrypt', '32768', '8', '1', parts[4], ''].join('$'),
  ];
  for (const value of malformed) assert.equal(await verifySmppPassword('secret12', value), false, value);
  // A changed bit of the key: same length, different value.
  const key = Buffer.from(parts[5]!, 'base64');
  key[0] = key[0]! ^ 1;
  assert.equal(await verifySmppPassword('secret12', [...parts.slice(0, 5), key.toString('base64')].join('$')), false);
});

test('verify honours the cost written in the stored value (a future cost change keeps old hashes valid)', async () => {
  const stored = await hashSmppPassword('secret12');
  const { scryptSync } = await import('node:crypto');
  const salt = Buffer.from(stored.split('$')[4]!, 'base64');
  const cheap = scryptSync('secret12', salt, 32, { N: 1024, r: 8, p: 1 });
  const value = ['scrypt', '1024', '8', '1', salt.toString('base64'), cheap.toString('base64')].join('$');
  assert.equal(await verifySmppPassword('secret12', value), true);
  assert.equal(await verifySmppPassword('secret13', value), false);
});
