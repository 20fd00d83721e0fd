import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { parseVoicecodeText } from '../domain/voicecodeTemplate.js';
import { UnknownVoiceError } from '../voice/espeak.js';
import { TELEPHONY_SAMPLE_RATE } from '../voice/resample.js';
import { createVoicecodeSpeech, VOICECODE_DEFAULTS } from '../voice/voicecodeSpeech.js';
import { encodeWav } from '../voice/wav.js';
import { CliError } from './cliError.js';
import { parsePositiveInteger } from './parsers.js';

interface RenderOptions {
  text: string;
  out: string;
  repeat: number;
  raw?: boolean;
  voice: string;
  rate: number;
  pauseMs: number;
}

export function registerVoiceCommands(program: Command): void {
  const voice = program.command('voice').description('Offline text-to-speech used by VOICECODE calls');

  voice
    .command('render')
    .description('Write the audio a VOICECODE call plays for a text, as an 8 kHz 16-bit mono WAV file')
    .requiredOption('--text <text>', 'the message text, e.g. "Код авторизации от revicom: 3 4 5 6" (spec §6.1.2)')
    .requiredOption('--out <file>', 'the WAV file to write')
    .option('--repeat <n>', 'how many times the code is read', parsePositiveInteger, VOICECODE_DEFAULTS.repeat)
    .option('--raw', 'read the text as it is instead of as the VOICECODE template')
    .option('--voice <name>', 'espeak-ng voice', VOICECODE_DEFAULTS.voice)
    .option('--rate <wpm>', 'speaking rate in words per minute', parsePositiveInteger, VOICECODE_DEFAULTS.rate)
    .option('--pause-ms <ms>', 'silence between two readings of the code', parseMilliseconds, VOICECODE_DEFAULTS.pauseMs)
    .action(async (options: RenderOptions) => {
      const parts = options.raw ? null : parseVoicecodeText(options.text);
      if (!options.raw && !parts) {
        throw new CliError(
          'the text does not match the VOICECODE template "Код авторизации от {brand}: {code}." (spec §6.1.2); add --raw to read it as it is',
        );
      }
      const speech = createVoicecodeSpeech({ voice: options.voice, rate: options.rate, repeat: options.repeat, pauseMs: options.pauseMs });
      const samples = await (parts ? speech.render(parts) : speech.renderText(options.text)).catch((error: unknown) => {
        throw error instanceof UnknownVoiceError ? new CliError(error.message) : error;
      });
      await writeFile(options.out, encodeWav(samples, TELEPHONY_SAMPLE_RATE)).catch((error: NodeJS.ErrnoException) => {
        throw new CliError(`cannot write ${options.out}: ${error.code === 'ENOENT' ? 'no such folder' : error.message}`);
      });
      const seconds = samples.length / TELEPHONY_SAMPLE_RATE;
      process.stderr.write(`${options.out}: ${seconds.toFixed(2)} s, ${TELEPHONY_SAMPLE_RATE} Hz 16-bit mono\n`);
    });
}

function parseMilliseconds(value: string): number {
  const ms = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(ms <= 10_000)) throw new InvalidArgumentError('Expected 0–10000 milliseconds');
  return ms;
}
