import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SMPP_PASSWORD_ALPHABET, verifySmppPassword } from '../../src/auth/smppPasswords.js';
import { freshDatabase, inspect, STACK_LINE, type CliResult } from './cliHarness.js';

const PASSWORD_LINE = new RegExp(`^[${SMPP_PASSWORD_ALPHABET}]{8}\\n$`);

function assertFails(result: CliResult, message: RegExp, code = 1): void {
  assert.equal(result.code, code, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, STACK_LINE);
}

test('smpp users create prints the password alone on stdout, once; only its scrypt hash is stored', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  const created = await cli('smpp', 'users', 'create', 'esme1', '--account', 'acme');
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, PASSWORD_LINE);
  assert.match(created.stderr, /created SMPP user esme1 .*account acme.*shown only this once/);
  const password = created.stdout.trim();
  assert.ok(!created.stderr.includes(password));

  const stored = await inspect(db, (store) => store.smppUsers.bySystemId('esme1'));
  assert.ok(stored);
  assert.match(stored.passwordHash, /^scrypt\$32768\$8\$1\$/);
  assert.ok(!stored.passwordHash.includes(password));
  assert.equal(await verifySmppPassword(password, stored.passwordHash), true);
  const { id, createdAt, accountId, ...settings } = stored.user;
  assert.ok(id > 0 && createdAt > 0 && accountId > 0);
  assert.deepEqual(settings, {
    systemId: 'esme1',
    allowList: [],
    maxBinds: 2,
    throughput: 0,
    window: 100,
    messageIdFormat: 'uuid',
    callbackUrl: null,
    revokedAt: null,
  });
  assert.ok(!created.stderr.includes(stored.passwordHash));
});

test('smpp users create honours every option', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  const created = await cli(
    'smpp', 'users', 'create', 'Esme.2~', '--account', 'acme',
    '--allow', '192.0.2.0/24', '--allow', '2001:DB8::/32', '--allow', '198.51.100.7',
    '--max-binds', '100', '--throughput', '100000', '--window', '1000', '--message-id-format', 'decimal',
    '--callback-url', 'https://user:pw@example.com/cb?x=1#frag',
  );
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, PASSWORD_LINE);
  assert.doesNotMatch(created.stderr, /:pw@/, 'the callback password is not shown back');
  const stored = await inspect(db, (store) => store.smppUsers.bySystemId('Esme.2~'));
  assert.deepEqual(
    { ...stored!.user, id: 0, accountId: 0, createdAt: 0 },
    {
      id: 0,
      accountId: 0,
      createdAt: 0,
      systemId: 'Esme.2~',
      allowList: ['192.0.2.0/24', '2001:db8::/32', '198.51.100.7/32'],
      maxBinds: 100,
      throughput: 100_000,
      window: 1000,
      messageIdFormat: 'decimal',
      callbackUrl: 'https://user:pw@example.com/cb?x=1',
      revokedAt: null,
    },
  );
});

test('smpp users create: clear errors, nothing on stdout, nothing stored', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  const create = (...args: string[]) => cli('smpp', 'users', 'create', ...args);
  assertFails(await create('esme', '--account', 'ghost'), /no account named "ghost"/);
  assertFails(await create('ABCDEFGHIJKLMNOP', '--account', 'acme'), /invalid system_id "ABCDEFGHIJKLMNOP": 1–15 printable ASCII/);
  assertFails(await create('has space', '--account', 'acme'), /invalid system_id "has space"/);
  assertFails(await create('é', '--account', 'acme'), /invalid system_id/);
  assertFails(await create('esme', '--account', 'acme', '--allow', '10.0.0.0/8', '--allow', '10.0.0.0/33'), /--allow 10\.0\.0\.0\/33: not an IPv4 or IPv6 address or CIDR/);
  assertFails(await create('esme', '--account', 'acme', '--allow', 'example.com'), /--allow example\.com/);
  assertFails(await create('esme', '--account', 'acme', '--max-binds', '0'), /--max-binds 0: --max-binds must be an integer from 1 to 100/);
  assertFails(await create('esme', '--account', 'acme', '--max-binds', '101'), /--max-binds must be an integer from 1 to 100/);
  assertFails(await create('esme', '--account', 'acme', '--max-binds', '2.5'), /--max-binds must be an integer/);
  assertFails(await create('esme', '--account', 'acme', '--window', '0'), /--window must be an integer from 1 to 1000/);
  assertFails(await create('esme', '--account', 'acme', '--window', '1001'), /--window must be an integer from 1 to 1000/);
  assertFails(await create('esme', '--account', 'acme', '--throughput', '-1'), /--throughput must be an integer from 0 to 100000/);
  assertFails(await create('esme', '--account', 'acme', '--throughput', '100001'), /--throughput must be an integer from 0 to 100000/);
  assertFails(await create('esme', '--account', 'acme', '--message-id-format', 'UUID'), /--message-id-format UUID: expected one of uuid, hex, decimal/);
  assertFails(await create('esme', '--account', 'acme', '--callback-url', 'ftp://example.com/x'), /--callback-url ftp:\/\/example\.com\/x: not an http\(s\) URL/);
  assertFails(await create('esme', '--account', 'acme', '--callback-url', 'https://exa mple.com/'), /--callback-url/);
  // commander's own usage errors: exit 2.
  assertFails(await create('esme'), /required option '--account <name>'/, 2);
  assertFails(await create('--account', 'acme'), /missing required argument 'systemId'/, 2);
  assert.deepEqual(await inspect(db, (store) => store.smppUsers.list()), []);

  assert.equal((await create('esme', '--account', 'acme')).code, 0);
  await cli('accounts', 'create', 'other');
  assertFails(await create('esme', '--account', 'other'), /system_id esme is taken/);
  assert.equal((await cli('smpp', 'users', 'revoke', 'esme')).code, 0);
  assertFails(await create('esme', '--account', 'acme'), /system_id esme is taken .*never reused/);
  assert.equal((await inspect(db, (store) => store.smppUsers.list())).length, 1);
});

test('smpp users list: a table per account or of all, revoked ones marked, never a password or hash', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  await cli('accounts', 'create', 'beta');
  const empty = await cli('smpp', 'users', 'list');
  assert.equal(empty.code, 0);
  assert.equal(empty.stdout, '');
  assert.match(empty.stderr, /no SMPP users/);

  const passwords = [
    (await cli('smpp', 'users', 'create', 'one', '--account', 'acme', '--allow', '192.0.2.0/24', '--allow', '::1', '--callback-url', 'https://u:secretpw@example.com/cb')).stdout.trim(),
    (await cli('smpp', 'users', 'create', 'two', '--account', 'beta', '--throughput', '25', '--message-id-format', 'hex')).stdout.trim(),
    (await cli('smpp', 'users', 'create', 'three', '--account', 'acme')).stdout.trim(),
  ];
  await cli('smpp', 'users', 'revoke', 'three');
  const hashes = await inspect(db, async (store) => Promise.all(['one', 'two', 'three'].map(async (id) => (await store.smppUsers.bySystemId(id))!.passwordHash)));

  const all = await cli('smpp', 'users', 'list');
  assert.equal(all.code, 0, all.stderr);
  const lines = all.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^SYSTEM ID\s+ACCOUNT\s+ALLOW\s+MAX BINDS\s+SUBMITS\/S\s+WINDOW\s+MESSAGE IDS\s+CALLBACK URL\s+CREATED\s+REVOKED$/);
  const iso = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z';
  assert.match(lines[1]!, new RegExp(`^one\\s+acme\\s+192\\.0\\.2\\.0/24,::1/128\\s+2\\s+no limit\\s+100\\s+uuid\\s+https://u:\\*\\*\\*@example\\.com/cb\\s+${iso}\\s+-$`));
  assert.match(lines[2]!, new RegExp(`^two\\s+beta\\s+any\\s+2\\s+25\\s+100\\s+hex\\s+-\\s+${iso}\\s+-$`));
  assert.match(lines[3]!, new RegExp(`^three\\s+acme\\s+any\\s+2\\s+no limit\\s+100\\s+uuid\\s+-\\s+${iso}\\s+${iso}$`));
  assert.equal(lines.length, 4);

  const acme = await cli('smpp', 'users', 'list', '--account', 'acme');
  assert.deepEqual(acme.stdout.trimEnd().split('\n').slice(1).map((line) => line.split(/\s+/)[0]), ['one', 'three']);
  const none = await cli('accounts', 'create', 'gamma').then(() => cli('smpp', 'users', 'list', '--account', 'gamma'));
  assert.equal(none.stdout, '');
  assert.match(none.stderr, /account gamma has no SMPP users/);
  assertFails(await cli('smpp', 'users', 'list', '--account', 'ghost'), /no account named "ghost"/);

  for (const output of [all, acme]) {
    for (const secret of [...passwords, ...hashes, 'scrypt$', 'secretpw']) {
      assert.ok(!output.stdout.includes(secret) && !output.stderr.includes(secret), `list shows ${secret}`);
    }
  }
});

test('smpp users revoke: once; unknown and revoked users are clear errors', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  await cli('smpp', 'users', 'create', 'esme', '--account', 'acme');
  const revoked = await cli('smpp', 'users', 'revoke', 'esme');
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal(revoked.stdout, 'revoked SMPP user esme\n');
  const user = await inspect(db, (store) => store.smppUsers.bySystemId('esme'));
  assert.ok(user!.user.revokedAt !== null);
  assertFails(await cli('smpp', 'users', 'revoke', 'esme'), /SMPP user esme was revoked at \d{4}-/);
  assertFails(await cli('smpp', 'users', 'revoke', 'ghost'), /no SMPP user with system_id "ghost"/);
});

test('smpp users set-password prints a new password once; the old one stops matching', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  const old = (await cli('smpp', 'users', 'create', 'esme', '--account', 'acme')).stdout.trim();
  const changed = await cli('smpp', 'users', 'set-password', 'esme');
  assert.equal(changed.code, 0, changed.stderr);
  assert.match(changed.stdout, PASSWORD_LINE);
  assert.match(changed.stderr, /shown only this once/);
  const password = changed.stdout.trim();
  assert.notEqual(password, old);
  const stored = await inspect(db, (store) => store.smppUsers.bySystemId('esme'));
  assert.equal(await verifySmppPassword(password, stored!.passwordHash), true);
  assert.equal(await verifySmppPassword(old, stored!.passwordHash), false);
  assert.ok(!changed.stderr.includes(password) && !changed.stdout.includes(stored!.passwordHash));

  assertFails(await cli('smpp', 'users', 'set-password', 'ghost'), /no SMPP user with system_id "ghost"/);
  await cli('smpp', 'users', 'revoke', 'esme');
  assertFails(await cli('smpp', 'users', 'set-password', 'esme'), /SMPP user esme was revoked/);
  assert.equal((await inspect(db, (store) => store.smppUsers.bySystemId('esme')))!.passwordHash, stored!.passwordHash);
});

test('smpp users set-limits changes what is given, keeps the rest; --allow replaces, --allow-any clears', async () => {
  const { db, cli } = freshDatabase();
  await cli('accounts', 'create', 'acme');
  await cli('smpp', 'users', 'create', 'esme', '--account', 'acme', '--allow', '10.0.0.0/8', '--window', '50', '--callback-url', 'https://example.com/a');
  const settings = async () => {
    const { id, accountId, createdAt, systemId, revokedAt, ...rest } = (await inspect(db, (store) => store.smppUsers.bySystemId('esme')))!.user;
    return rest;
  };
  const first = await cli('smpp', 'users', 'set-limits', 'esme', '--max-binds', '5', '--allow', '192.0.2.1', '--allow', '2001:db8::/48');
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, 'SMPP user esme: allow 192.0.2.1/32,2001:db8::/48, max binds 5, throughput no limit, window 50, message ids uuid, callback https://example.com/a\n');
  assert.deepEqual(await settings(), {
    allowList: ['192.0.2.1/32', '2001:db8::/48'],
    maxBinds: 5,
    throughput: 0,
    window: 50,
    messageIdFormat: 'uuid',
    callbackUrl: 'https://example.com/a',
  });
  const second = await cli('smpp', 'users', 'set-limits', 'esme', '--allow-any', '--throughput', '10', '--window', '1', '--message-id-format', 'hex', '--clear-callback-url');
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(await settings(), { allowList: [], maxBinds: 5, throughput: 10, window: 1, messageIdFormat: 'hex', callbackUrl: null });
  assert.equal((await cli('smpp', 'users', 'set-limits', 'esme', '--callback-url', 'http://example.net/b')).code, 0);
  assert.equal((await settings()).callbackUrl, 'http://example.net/b');

  const setLimits = (...args: string[]) => cli('smpp', 'users', 'set-limits', ...args);
  assertFails(await setLimits('esme'), /nothing to change/);
  assertFails(await setLimits('esme', '--allow', '10.0.0.0/8', '--allow-any'), /--allow and --allow-any exclude each other/);
  assertFails(await setLimits('esme', '--callback-url', 'https://example.com/', '--clear-callback-url'), /exclude each other/);
  assertFails(await setLimits('esme', '--allow', '300.0.0.1'), /--allow 300\.0\.0\.1: not an IPv4 or IPv6 address or CIDR/);
  assertFails(await setLimits('esme', '--max-binds', '101'), /--max-binds must be an integer from 1 to 100/);
  assertFails(await setLimits('esme', '--window', 'x'), /--window must be an integer from 1 to 1000/);
  assertFails(await setLimits('esme', '--throughput', '100001'), /--throughput must be an integer from 0 to 100000/);
  assertFails(await setLimits('esme', '--message-id-format', 'octal'), /expected one of uuid, hex, decimal/);
  assertFails(await setLimits('esme', '--callback-url', 'not a url'), /--callback-url not a url: not an http\(s\) URL/);
  assertFails(await setLimits('ghost', '--window', '5'), /no SMPP user with system_id "ghost"/);
  assert.deepEqual(await settings(), { allowList: [], maxBinds: 5, throughput: 10, window: 1, messageIdFormat: 'hex', callbackUrl: 'http://example.net/b' });
  await cli('smpp', 'users', 'revoke', 'esme');
  assertFails(await setLimits('esme', '--window', '5'), /SMPP user esme was revoked/);
  assert.equal((await settings()).window, 1);
});
