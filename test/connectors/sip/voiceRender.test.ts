/**
 * `direct-gateway voice render` (issue 4): the built CLI writes the audio a VOICECODE call plays, as a WAV a person
 * can listen to — 8 kHz, 16-bit, mono, as long as what the SIP connector renders for the same text.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createVoicecodeSpeech } from '../../../src/voice/voicecodeSpeech.js';
import { decodeWav } from '../../../src/voice/wav.js';
import { rms, voicedSegments } from './sipHarness.js';

const CLI = fileURLToPath(new URL('../../../src/cli.js', import.meta.url));
const TEXT = 'Код авторизации от revicom: 3 4 5 6';

async function render(args: string[]): Promise<{ wav: ReturnType<typeof decodeWav>; stderr: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dgw-voice-'));
  try {
    const out = path.join(dir, 'code.wav');
    const { stderr } = await promisify(execFile)(process.execPath, [CLI, 'voice', 'render', ...args, '--out', out], { cwd: dir, timeout: 20_000 });
    return { wav: decodeWav(await readFile(out)), stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('direct-gateway voice render', { timeout: 40_000 }, () => {
  it('writes a WAV of the expected length: 8 kHz 16-bit mono, the samples a call plays for the text', async () => {
    const { wav, stderr } = await render(['--text', TEXT]);
    assert.equal(wav.sampleRate, 8000);
    assert.equal(wav.channels, 1);
    assert.equal(wav.bitsPerSample, 16);
    const expected = await createVoicecodeSpeech().render({ brand: 'revicom', digits: '3456' });
    assert.equal(wav.samples.length, expected.length, `${wav.samples.length / 8000} s written, ${expected.length / 8000} s rendered`);
    assert.match(stderr, new RegExp(`${(expected.length / 8000).toFixed(2)} s, 8000 Hz 16-bit mono`));
    assert.ok(rms(wav.samples) > 800, 'speech, not silence');
    assert.ok(voicedSegments(wav.samples).length >= 9, 'the brand phrase, then the four digits twice');
  });

  it('--repeat 1 reads the code once: shorter by one reading and its pause', async () => {
    const { wav } = await render(['--text', TEXT, '--repeat', '1']);
    const once = await createVoicecodeSpeech({ repeat: 1 }).render({ brand: 'revicom', digits: '3456' });
    const twice = await createVoicecodeSpeech().render({ brand: 'revicom', digits: '3456' });
    assert.equal(wav.samples.length, once.length);
    assert.ok(twice.length - wav.samples.length > 8000 * 2, 'one reading of four digits and a 1 s pause less');
  });

  it('a text that is not the VOICECODE template is refused', async () => {
    await assert.rejects(render(['--text', 'hello']), (error: { code?: number; stderr?: string }) => {
      assert.notEqual(error.code, 0);
      assert.match(String(error.stderr), /VOICECODE template/);
      return true;
    });
  });
});
