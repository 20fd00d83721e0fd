/*
 * The audio a VOICECODE call plays (spec §6.1.2–6.1.3): "Код авторизации от {brand}:", then the code digit by digit,
 * the code repeated. Synthesis costs ~50–150 ms per phrase, so nothing is synthesized per call: the ten digit clips
 * are rendered once, brand phrases once per brand (bounded LRU), all already at 8 kHz with their silence trimmed,
 * and a call's audio is their concatenation with fixed pauses (~0.1 ms).
 */
import type { VoicecodeParts } from '../domain/voicecodeTemplate.js';
import { concatSamples, ESPEAK_SAMPLE_RATE, synthesize, type SpeechSettings } from './espeak.js';
import { resample, TELEPHONY_SAMPLE_RATE } from './resample.js';

export interface VoicecodeSpeechOptions {
  /** espeak-ng voice; default `ru`. */
  voice?: string;
  /** Words per minute; default 150 (a little slower than espeak's 175, for codes). */
  rate?: number;
  /** 0–100; default 50. */
  pitch?: number;
  /** How many times the code is read; default 2. */
  repeat?: number;
  /** Silence between two readings of the code; default 1000 ms. */
  pauseMs?: number;
}

export interface VoicecodeSpeech {
  /** 8000 Hz mono 16-bit samples, the audio a call plays for this brand and code. */
  render(parts: VoicecodeParts): Promise<Int16Array>;
  /** Any text read as it is (no template), at 8000 Hz; not cached. */
  renderText(text: string): Promise<Int16Array>;
  /**
   * Loads the engine and renders the digit clips now (≈0.5 s, blocking the event loop while it synthesizes), so the
   * first call does not stall other calls' RTP pacing; brands are still synthesized on first use (≈20–100 ms).
   */
  preload(): Promise<void>;
}

export const VOICECODE_DEFAULTS = { voice: 'ru', rate: 150, pitch: 50, repeat: 2, pauseMs: 1000 } as const;
/** Brand phrases kept per voice setting: ~1.5 s of 8 kHz audio, 24 kB each. */
const BRAND_CACHE_SIZE = 1000;
/** Between the brand phrase and the code, and between two digits: long enough to hear each digit on its own. */
const PAUSE_BEFORE_CODE_MS = 500;
const PAUSE_BETWEEN_DIGITS_MS = 250;
/** Below about -54 dBFS counts as silence when trimming; a few ms are kept so soft onsets (с, ф) stay whole. */
const SILENCE_THRESHOLD = 64;
const TRIM_MARGIN_MS = 5;

export function createVoicecodeSpeech(options: VoicecodeSpeechOptions = {}): VoicecodeSpeech {
  const settings: SpeechSettings = {
    voice: options.voice ?? VOICECODE_DEFAULTS.voice,
    rate: options.rate ?? VOICECODE_DEFAULTS.rate,
    pitch: options.pitch ?? VOICECODE_DEFAULTS.pitch,
  };
  const repeat = options.repeat ?? VOICECODE_DEFAULTS.repeat;
  const pause = silence(options.pauseMs ?? VOICECODE_DEFAULTS.pauseMs);
  const pauseBeforeCode = silence(PAUSE_BEFORE_CODE_MS);
  const pauseBetweenDigits = silence(PAUSE_BETWEEN_DIGITS_MS);
  if (!Number.isInteger(repeat) || repeat < 1) throw new RangeError(`repeat must be a positive integer, got ${repeat}`);

  const speak = async (text: string): Promise<Int16Array> =>
    trimSilence(resample(await synthesize(text, settings), ESPEAK_SAMPLE_RATE, TELEPHONY_SAMPLE_RATE));
  const clips = clipCacheFor(settings);

  // Digits are spoken one by one ("3" → "три"), so ten clips cover every code.
  const digits = (): Promise<Int16Array[]> => {
    clips.digits ??= Promise.all([...'0123456789'].map(speak)).catch((error: unknown) => {
      clips.digits = undefined;
      throw error;
    });
    return clips.digits;
  };

  return {
    async render({ brand, digits: code }) {
      if (brand.trim() === '') throw new RangeError('brand is empty');
      if (!/^[0-9]+$/.test(code)) throw new RangeError(`code must be digits only, got '${code}'`);
      const [phrase, digitClips] = await Promise.all([clips.brands.get(brand, () => speak(`Код авторизации от ${brand}:`)), digits()]);
      const parts: Int16Array[] = [phrase, pauseBeforeCode];
      for (let reading = 0; reading < repeat; reading++) {
        if (reading > 0) parts.push(pause);
        for (let i = 0; i < code.length; i++) {
          if (i > 0) parts.push(pauseBetweenDigits);
          parts.push(digitClips[Number(code[i])]!);
        }
      }
      return concatSamples(parts);
    },
    renderText: speak,
    async preload() {
      await digits();
    },
  };
}

function silence(ms: number): Int16Array {
  if (!(ms >= 0)) throw new RangeError(`a pause must be ≥ 0 ms, got ${ms}`);
  return new Int16Array(Math.round((ms * TELEPHONY_SAMPLE_RATE) / 1000));
}

interface ClipCache {
  digits?: Promise<Int16Array[]>;
  brands: LruCache<Int16Array>;
}

/**
 * Clips are shared by every speech object with the same voice, rate and pitch. Why: espeak-ng adds random jitter,
 * so two syntheses of a text differ slightly; sharing keeps one process's audio for a brand and code identical
 * (what `voice render` writes is what a call plays) and synthesizes each clip once.
 */
const clipCaches = new Map<string, ClipCache>();

function clipCacheFor({ voice, rate, pitch }: SpeechSettings): ClipCache {
  const key = JSON.stringify([voice, rate, pitch]);
  let cache = clipCaches.get(key);
  if (!cache) {
    cache = { brands: lruCache(BRAND_CACHE_SIZE) };
    clipCaches.set(key, cache);
  }
  return cache;
}

/** Cuts the engine's leading and trailing silence so the pauses between clips are exactly ours. */
export function trimSilence(samples: Int16Array): Int16Array {
  let first = 0;
  while (first < samples.length && Math.abs(samples[first]!) < SILENCE_THRESHOLD) first++;
  let last = samples.length - 1;
  while (last > first && Math.abs(samples[last]!) < SILENCE_THRESHOLD) last--;
  if (first >= samples.length) return new Int16Array(0);
  const margin = Math.round((TRIM_MARGIN_MS * TELEPHONY_SAMPLE_RATE) / 1000);
  return samples.slice(Math.max(0, first - margin), Math.min(samples.length, last + 1 + margin));
}

interface LruCache<V> {
  get(key: string, create: () => Promise<V>): Promise<V>;
}

/** Keeps the `capacity` most recently used values; holds promises so concurrent misses synthesize once. */
function lruCache<V>(capacity: number): LruCache<V> {
  const entries = new Map<string, Promise<V>>();
  return {
    get(key, create) {
      let value = entries.get(key);
      if (value) {
        entries.delete(key); // re-insert: a Map iterates in insertion order, oldest first
      } else {
        value = create();
        value.catch(() => entries.get(key) === value && entries.delete(key));
        if (entries.size >= capacity) entries.delete(entries.keys().next().value!);
      }
      entries.set(key, value);
      return value;
    },
  };
}

/**
 * The speech of the `voice` settings, as the SIP connector makes it; the sandbox renders a message's call audio with
 * it too. espeak-ng clips are shared per voice, rate and pitch, so in one process both give the very same samples.
 */
export function speechOfSettings(voice: { voice: string; rate: number; repeat: number }): VoicecodeSpeech {
  return createVoicecodeSpeech({ voice: voice.voice, rate: voice.rate, repeat: voice.repeat });
}
