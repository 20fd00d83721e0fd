import assert from 'node:assert/strict';
import { test } from 'node:test';
import { multipartOutcome } from '../../src/domain/multipart.js';

test('a multipart message is delivered when every part is, undelivered at the first failed part, else waits', () => {
  const delivered = { outcome: 'delivered' } as const;
  assert.deepEqual(multipartOutcome([delivered, delivered, delivered]), { kind: 'delivered' });
  assert.equal(multipartOutcome([delivered, null, delivered]), null);
  assert.deepEqual(multipartOutcome([delivered, { outcome: 'undelivered', errorCode: 505 }, null]), { kind: 'undelivered', errorCode: 505 });
  assert.deepEqual(multipartOutcome([null, { outcome: 'undelivered', errorCode: null }]), { kind: 'undelivered', errorCode: null });
  assert.equal(multipartOutcome([]), null);
});
