import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { generateSigningSecret, isSigningSecret, signWebhook } from '../../src/domain/signingSecret.js';

test('a generated secret is whsec_ + base64 of 32 random bytes', () => {
  const secret = generateSigningSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(Buffer.from(secret.slice(6), 'base64').length, 32);
  assert.notEqual(generateSigningSecret(), secret);
  assert.ok(isSigningSecret(secret));
});

test('isSigningSecret takes 24–64 bytes of canonical base64 after whsec_', () => {
  assert.ok(isSigningSecret(`whsec_${Buffer.alloc(24, 1).toString('base64')}`));
  assert.ok(isSigningSecret(`whsec_${Buffer.alloc(64, 1).toString('base64')}`));
  assert.ok(!isSigningSecret(`whsec_${Buffer.alloc(23, 1).toString('base64')}`));
  assert.ok(!isSigningSecret(`whsec_${Buffer.alloc(65, 1).toString('base64')}`));
  assert.ok(!isSigningSecret(Buffer.alloc(32, 1).toString('base64')));
  assert.ok(!isSigningSecret('whsec_not base64!'));
});

test('signWebhook matches the standardwebhooks package', () => {
  const secret = generateSigningSecret();
  const id = '5f0c6a3e-2d7b-4f1a-9c8e-1b2a3c4d5e6f';
  const body = '[{"message_uuid":"x","status":"délivré"}]';
  const timestamp = 1714557609;
  const ours = signWebhook(secret, id, timestamp, body);
  assert.equal(ours, new Webhook(secret).sign(id, new Date(timestamp * 1000), body));
  assert.match(ours, /^v1,[A-Za-z0-9+/]{43}=$/);
});
