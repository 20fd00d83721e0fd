/**
 * What the sandbox plays for a VOICECODE message (issue #15, "Hear the VOICECODE"): the audio the SIP connector would
 * send, from the same speech object settings and the same template parsing, padded as the RTP stream pads it.
 */
import { createHash } from 'node:crypto';
import type { GatewayConfig } from '../config.js';
import type { MessageRecord, VoicecodeContent } from '../domain/message.js';
import { parseVoicecodeText } from '../domain/voicecodeTemplate.js';
import { padToWholePackets } from '../media/rtpSender.js';
import { TELEPHONY_SAMPLE_RATE } from '../voice/resample.js';
import { VOICECODE_DEFAULTS, type VoicecodeSpeech } from '../voice/voicecodeSpeech.js';

/** The sample rate of the audio (and of the call: G.711 is 8 kHz). */
export const CALL_AUDIO_SAMPLE_RATE = TELEPHONY_SAMPLE_RATE;

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
