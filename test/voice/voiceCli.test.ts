import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, mock, test } from 'node:test';
import { Command } from 'commander';
import { CliError } from '../../src/cli/cliError.js';
import { registerVoiceCommands } from '../../src/cli/voice.js';
import { createVoicecodeSpeech } from '../../src/voice/voicecodeSpeech.js';
import { decodeWav } from '../../src/voice/wav.js';

const dir = mkdtempSync(join(tmpdir(), 'dgw-voice-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `direct-gateway voice …` in-process and returns what it wrote to stderr. */
async function voice(...args: string[]): Promise<string> {
  const program = new Command('direct-gateway').exitOverride();
  registerVoiceCommands(program);
  for (const command of program.commands) command.exitOverride().commands.forEach((sub) => sub.exitOverride());
  let stderr = '';
  const write = mock.method(process.stderr, 'write', (chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    await program.parseAsync(['voice', ...args], { from: 'user' });
  } finally {
    write.mock.restore();
  }
  return stderr;
}

test('voice render writes exactly what a call plays, as an 8 kHz 16-bit mono WAV, and prints its duration', async () => {
  const out = join(dir, 'code.wav');
  const stderr = await voice('render', '--text', 'Код авторизации от revicom: 3 4 5 6', '--out', out);
  const wav = decodeWav(readFileSync(out));
  assert.equal(wav.sampleRate, 8000);
  assert.equal(wav.channels, 1);
  const expected = await createVoicecodeSpeech().render({ brand: 'revicom', digits: '3456' });
  assert.deepEqual(wav.samples, expected);
  assert.equal(stderr, `${out}: ${(expected.length / 8000).toFixed(2)} s, 8000 Hz 16-bit mono\n`);
});

test('the written form of the code does not change the sound; --repeat 1 is shorter', async () => {
  const spaced = join(dir, 'spaced.wav');
  const dashed = join(dir, 'dashed.wav');
  const once = join(dir, 'once.wav');
  await voice('render', '--text', 'Код авторизации от revicom: 3 4 5 6', '--out', spaced);
  await voice('render', '--text', 'Код авторизации от revicom: 3-4-5-6.', '--out', dashed);
  await voice('render', '--text', 'Код авторизации от revicom: 3456', '--out', once, '--repeat', '1');
  assert.deepEqual(readFileSync(dashed), readFileSync(spaced));
  assert.ok(decodeWav(readFileSync(once)).samples.length < decodeWav(readFileSync(spaced)).samples.length);
});

test('a text outside the template is refused unless --raw', async () => {
  const out = join(dir, 'raw.wav');
  await assert.rejects(voice('render', '--text', 'Hello there', '--out', out), (error) => error instanceof CliError && /--raw/.test(error.message));
  await voice('render', '--text', 'Hello there', '--out', out, '--raw');
  assert.ok(decodeWav(readFileSync(out)).samples.length > 4000);
});

test('an unknown voice is an expected error, not a crash', async () => {
  await assert.rejects(voice('render', '--text', 'Код авторизации от x: 1234', '--out', join(dir, 'x.wav'), '--voice', 'xx-none'), CliError);
});
