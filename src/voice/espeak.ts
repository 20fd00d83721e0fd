/*
 * espeak-ng compiled to WebAssembly (@echogarden/espeak-ng-emscripten, GPL-3.0): offline speech synthesis with no
 * system package. The engine is one global instance with its voice and rate as state; synthesis is synchronous, so
 * setting them and synthesizing in one uninterrupted step keeps concurrent callers from mixing their settings.
 */

/** The engine's fixed output rate (mono, 16-bit). */
export const ESPEAK_SAMPLE_RATE = 22050;

export interface SpeechSettings {
  /** espeak-ng voice name, e.g. `ru`. */
  voice: string;
  /** Words per minute (espeak-ng accepts 80–450; its default is 175). */
  rate: number;
  /** 0–100, default 50. */
  pitch?: number;
}

/** The part of the Emscripten binding we use (the package ships no types). */
interface EspeakWorker {
  set_voice(name: string): number;
  set_rate(wordsPerMinute: number): number;
  set_pitch(pitch: number): number;
  get_samplerate(): number;
  /** Calls back with chunks of 16-bit samples; a truthy return aborts synthesis. */
  synthesize(text: string, onChunk: (samples: Int16Array | undefined, events: unknown[]) => unknown): void;
  list_voices(): { name: string; identifier: string; languages: { priority: number; name: string }[] }[];
}

interface LoadedEngine {
  worker: EspeakWorker;
  /** The settings last applied: set_voice reloads voice data (≈3 ms), so it is skipped when unchanged. */
  current: { voice?: string; rate?: number; pitch?: number };
  /** One language code per voice, for the message that refuses an unknown one. */
  voiceList: string;
}

export class UnknownVoiceError extends Error {
  override name = 'UnknownVoiceError';
}

// A variable specifier keeps TypeScript from looking for type declarations the package does not have.
const PACKAGE = '@echogarden/espeak-ng-emscripten';
let engine: Promise<LoadedEngine> | undefined;

/** Loads the WASM module and its 24 MB voice data once (≈0.2 s); later calls share the same promise. */
export function loadEspeak(): Promise<LoadedEngine> {
  engine ??= (async () => {
    const { default: initialize } = (await import(PACKAGE)) as { default: () => Promise<{ eSpeakNGWorker: new () => EspeakWorker }> };
    const module = await initialize();
    const worker = new module.eSpeakNGWorker();
    const rate = worker.get_samplerate();
    if (rate !== ESPEAK_SAMPLE_RATE) throw new Error(`espeak-ng produces ${rate} Hz, expected ${ESPEAK_SAMPLE_RATE}`);
    const voiceList = [...new Set(worker.list_voices().map((v) => v.languages[0]?.name ?? v.identifier))].sort().join(', ');
    return { worker, current: {}, voiceList };
  })().catch((error: unknown) => {
    engine = undefined; // let a later call try again
    throw error;
  });
  return engine;
}

/** Speaks `text` (plain text; markup characters are escaped) into 22050 Hz mono 16-bit samples. */
export async function synthesize(text: string, settings: SpeechSettings): Promise<Int16Array> {
  const { worker, current, voiceList } = await loadEspeak();
  const pitch = settings.pitch ?? 50;
  if (current.voice !== settings.voice) {
    current.voice = current.rate = current.pitch = undefined; // unknown until set_voice succeeds
    // set_voice returns an espeak_ng_STATUS; 0 is success. It knows voices by name too ("klingon" is art/piqd).
    if (worker.set_voice(settings.voice) !== 0) throw new UnknownVoiceError(`espeak-ng has no voice '${settings.voice}'; voices: ${voiceList}`);
    current.voice = settings.voice;
  }
  if (current.rate !== settings.rate) worker.set_rate((current.rate = settings.rate));
  if (current.pitch !== pitch) worker.set_pitch((current.pitch = pitch));
  const chunks: Int16Array[] = [];
  // The binding synthesizes with SSML parsing on (Echogarden relies on it for marks), so escape markup.
  worker.synthesize(escapeMarkup(text), (samples) => {
    if (samples && samples.length > 0) chunks.push(samples);
    return false;
  });
  return concatSamples(chunks);
}

function escapeMarkup(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function concatSamples(parts: readonly Int16Array[]): Int16Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Int16Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
