import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeApiKey, generateApiKey, hashSecret, secretMatches } from '../../src/auth/apiKeys.js';

test('generated keys: keyId and secret without ":", secret of 256 bits, token = base64(keyId:secret)', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const key = generateApiKey();
    assert.match(key.keyId, /^k[0-9a-f]{16}$/);
    assert.match(key.secret, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(key.secret, 'base64url').length, 32);
    assert.equal(Buffer.from(key.token, 'base64').toString('utf8'), `${key.keyId}:${key.secret}`);
    seen.add(key.keyId);
  }
  assert.equal(seen.size, 100);
});

test('the documentation example encodes to its token', () => {
  assert.equal(encodeApiKey('Aladdin', 'open sesame'), 'QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
});

test('hashSecret is SHA-256; secretMatches accepts the secret only', () => {
  const hash = hashSecret('open sesame');
  assert.equal(hash.length, 32);
  assert.equal(hash.toString('hex'), '41ef4bb0b23661e66301aac36066912dac037827b4ae63a7b1165a5aa93ed4eb');
  assert.ok(secretMatches('open sesame', hash));
  assert.ok(!secretMatches('open sesame ', hash));
  assert.ok(!secretMatches('', hash));
  assert.ok(!secretMatches('open sesame', Buffer.alloc(0)), 'a malformed stored hash never matches');
});
