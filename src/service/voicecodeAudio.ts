/**
 * What the sandbox plays for a VOICECODE message (issue #15, "Hear the VOICECODE"): the audio the SIP connector would
 * send, from the same speech object settings and the same template parsing, padded as the RTP stream pads it.
 */
import { createHash } from 'node:crypto';
import type { GatewayConfig } from '../config.js';
import type { MessageRecord, VoicecodeContent } from '../domain/message.js';
import { parseVoicecodeText } from '../domain/voicecodeTemplate.js';
import { SAMPLES_PER_PACKET } from '../media/rtpPacket.js';
import { TELEPHONY_SAMPLE_RATE } from '../voice/resample.js';
import { createVoicecodeSpeech, VOICECODE_DEFAULTS, type VoicecodeSpeech } from '../voice/voicecodeSpeech.js';

/** The sample rate of the audio (and of the call: G.711 is 8 kHz). */
export const CALL_AUDIO_SAMPLE_RATE = TELEPHONY_SAMPLE_RATE;

/**
 * The speech object the SIP connector makes (sipConnector.ts `start()`): the `voice` settings, and the defaults for
 * what they do not set. espeak-ng clips are shared per voice, rate and pitch (voicecodeSpeech.ts), so in one process
 * this renders the very samples a call plays.
 */
export function callSpeech(voice: GatewayConfig['voice']): VoicecodeSpeech {
  return createVoicecodeSpeech({ voice: voice.voice, rate: voice.rate, repeat: voice.repeat });
}

/**
 * The 8 kHz samples a call for this message plays, padded with silence to whole 20 ms RTP packets as the RTP stream
 * pads them (rtpSender.ts), so the duration is the call's; null when the message is no VOICECODE the call could read.
 */
export async function voicecodeCallAudio(speech: VoicecodeSpeech, message: Pick<MessageRecord, 'channelType' | 'content'>): Promise<Int16Array | null> {
  const parts = voicecodeParts(message);
  if (!parts) return null;
  return padToWholePackets(await speech.render(parts));
}

/** The template's parts of a VOICECODE message; null for another channel or a text the call would refuse (604). */
export function voicecodeParts(message: Pick<MessageRecord, 'channelType' | 'content'>): ReturnType<typeof parseVoicecodeText> {
  if (message.channelType !== 'VOICECODE' || typeof message.content !== 'object') return null;
  return parseVoicecodeText((message.content as VoicecodeContent).text);
}

/** Bump when the audio for the same message and settings changes (the template's pauses, the WAV encoding). */
const AUDIO_VERSION = 1;

/**
 * The audio's entity tag: a message's text never changes, so its uuid and the voice settings name the audio. Weak,
 * because espeak-ng's jitter makes another process's rendering differ slightly (same words, other bytes).
 */
export function voicecodeAudioTag(uuid: string, voice: GatewayConfig['voice']): string {
  const settings = [AUDIO_VERSION, uuid.toLowerCase(), voice.voice, voice.rate, voice.repeat, VOICECODE_DEFAULTS.pitch, VOICECODE_DEFAULTS.pauseMs];
  return `W/"${createHash('sha256').update(JSON.stringify(settings)).digest('base64url').slice(0, 27)}"`;
}

/** RFC 9110 §13.1.2: If-None-Match matches by weak comparison; `*` matches any current representation. */
export function noneMatch(header: string | string[] | undefined, tag: string): boolean {
  if (header === undefined) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  const wanted = opaque(tag);
  return (Array.isArray(header) ? header.join(',') : header).split(',').some((t) => t.trim() === '*' || opaque(t) === wanted);
}

function padToWholePackets(samples: Int16Array): Int16Array {
  const remainder = samples.length % SAMPLES_PER_PACKET;
  if (remainder === 0) return samples;
  const padded = new Int16Array(samples.length + SAMPLES_PER_PACKET - remainder);
  padded.set(samples);
  return padded;
}

/**
 * The one byte range a `Range` header asks for (RFC 9110 §14.2), so a media element can seek: null to send the whole
 * file (no header, another unit, several ranges, or an `If-Range`, which a weak tag never matches), `unsatisfiable`
 * when it starts past the end.
 */
export function byteRange(
  range: string | undefined,
  ifRange: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (range === undefined || ifRange !== undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return suffix === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== '' && Number(match[2]) < start) return null;
  return start >= size ? 'unsatisfiable' : { start, end };
}
