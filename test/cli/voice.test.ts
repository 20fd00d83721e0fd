import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, STACK_LINE, tempDir } from './cliHarness.js';

const TEXT = 'Код авторизации от revicom: 3 4 5 6';

test('voice render --out into a missing folder: a clear error, exit 1, no stack trace', { timeout: 60_000 }, async () => {
  const out = join(tempDir(), 'missing', 'x.wav');
  const result = await runCli(['voice', 'render', '--text', TEXT, '--out', out]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /cannot write .*missing\/x\.wav: no such folder/);
  assert.doesNotMatch(result.stderr, STACK_LINE);
});

test('voice render --voice vulcan is refused and lists the voices; other real voices (klingon is espeak-ng art/piqd) work', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const unknown = await runCli(['voice', 'render', '--text', TEXT, '--voice', 'vulcan', '--out', join(dir, 'v.wav')]);
  assert.equal(unknown.code, 1, unknown.stderr);
  assert.match(unknown.stderr, /espeak-ng has no voice 'vulcan'; voices: .*\bde\b.*\bpiqd\b.*\bru\b/);
  assert.doesNotMatch(unknown.stderr, STACK_LINE);
  assert.equal(existsSync(join(dir, 'v.wav')), false);
  for (const voice of ['en-us', 'klingon']) {
    const known = await runCli(['voice', 'render', '--text', TEXT, '--voice', voice, '--out', join(dir, `${voice}.wav`)]);
    assert.equal(known.code, 0, `${voice}: ${known.stderr}`);
  }
});
