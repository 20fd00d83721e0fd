import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secretMatches } from '../../src/auth/apiKeys.js';
import { freshDatabase, inspect, STACK_LINE } from './cliHarness.js';

test('tokens create prints the token alone on stdout, and the token authenticates', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  const created = await cli('tokens', 'create', '--account', 'acme', '--type', '1');
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /^[A-Za-z0-9+/]+={0,2}\n$/, 'stdout is one base64 line');
  assert.match(created.stderr, /shown only this once/);

  const decoded = Buffer.from(created.stdout.trim(), 'base64').toString('utf8');
  const [keyId, secret, ...rest] = decoded.split(':');
  assert.equal(rest.length, 0, 'exactly one ":"');
  assert.match(keyId!, /^k[0-9a-f]{16}$/);
  assert.ok(Buffer.from(secret!, 'base64url').length >= 16, 'secret has at least 128 bits');

  const stored = await inspect(db, (store) => store.keys.findActive(keyId!));
  assert.ok(stored);
  assert.equal(stored.type, 1);
  assert.equal(stored.trafficCenterId, 1);
  assert.ok(secretMatches(secret!, stored.secretHash), 'the stored hash matches the printed secret');
  assert.ok(!secretMatches(`${secret}x`, stored.secretHash));
  assert.ok(!stored.secretHash.toString('utf8').includes(secret!), 'the secret itself is not stored');
});

test('tokens create honours --type, --traffic-center and --name', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  const created = await cli('tokens', 'create', '--account', 'acme', '--type', '3', '--traffic-center', '7', '--name', 'crm');
  assert.equal(created.code, 0, created.stderr);
  const keyId = Buffer.from(created.stdout.trim(), 'base64').toString('utf8').split(':')[0]!;
  const stored = await inspect(db, (store) => store.keys.findActive(keyId));
  assert.deepEqual({ type: stored?.type, trafficCenterId: stored?.trafficCenterId, name: stored?.name }, { type: 3, trafficCenterId: 7, name: 'crm' });
  assert.match((await cli('tokens', 'list', '--account', 'acme')).stdout, new RegExp(`${keyId}\\s+3\\s+7\\s+crm\\s`));
});

test('tokens create rejects bad input with nothing on stdout', async () => {
  const { cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  const usage = [
    ['tokens', 'create', '--account', 'acme', '--type', '5'],
    ['tokens', 'create', '--account', 'acme', '--type', '0'],
    ['tokens', 'create', '--account', 'acme'],
    ['tokens', 'create', '--type', '1'],
    ['tokens', 'create', '--account', 'acme', '--type', '1', '--traffic-center', '0'],
    ['tokens', 'create', '--account', 'acme', '--type', '1', '--traffic-center', 'x'],
  ];
  for (const args of usage) {
    const result = await cli(...args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stdout, '');
  }
  const unknown = await cli('tokens', 'create', '--account', 'ghost', '--type', '1');
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stdout, '');
  assert.match(unknown.stderr, /no account named "ghost"/);
  assert.doesNotMatch(unknown.stderr, STACK_LINE);
});

test('tokens list shows keys without secrets; tokens revoke by id or key id', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  const first = (await cli('tokens', 'create', '--account', 'acme', '--type', '1')).stdout.trim();
  const second = (await cli('tokens', 'create', '--account', 'acme', '--type', '2', '--traffic-center', '3')).stdout.trim();
  const [firstKeyId, firstSecret] = Buffer.from(first, 'base64').toString().split(':');
  const [secondKeyId, secondSecret] = Buffer.from(second, 'base64').toString().split(':');

  const listed = await cli('tokens', 'list', '--account', 'acme');
  assert.equal(listed.code, 0);
  const lines = listed.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^ID\s+KEY ID\s+TYPE\s+TRAFFIC CENTRE\s+NAME\s+CREATED\s+REVOKED$/);
  assert.match(lines[1]!, new RegExp(`^1\\s+${firstKeyId}\\s+1\\s+1\\s+-\\s+\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z\\s+-$`));
  assert.match(lines[2]!, new RegExp(`^2\\s+${secondKeyId}\\s+2\\s+3\\s+`));
  for (const secret of [firstSecret!, secondSecret!, first, second]) assert.ok(!listed.stdout.includes(secret));

  assert.equal((await cli('tokens', 'revoke', '1')).code, 0);
  assert.equal((await cli('tokens', 'revoke', secondKeyId!)).code, 0);
  const active = await inspect(db, async (store) => [await store.keys.findActive(firstKeyId!), await store.keys.findActive(secondKeyId!)]);
  assert.deepEqual(active, [null, null]);
  assert.match((await cli('tokens', 'list', '--account', 'acme')).stdout, /^1\s.*Z\s+\d{4}-\d{2}-\d{2}T\S+Z$/m);

  for (const id of ['1', secondKeyId!, '99', 'knope']) {
    const again = await cli('tokens', 'revoke', id);
    assert.equal(again.code, 1, id);
    assert.match(again.stderr, /no active key/);
  }
  assert.equal((await cli('tokens', 'list', '--account', 'ghost')).code, 1);
});
