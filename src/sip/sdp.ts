/**
 * The SDP of a G.711 audio call (RFC 4566, offer/answer per RFC 3264): build the offer the INVITE carries,
 * and read from the answer where to send RTP and with which payload type.
 */

export type AudioCodec = 'PCMA' | 'PCMU';

/** Static payload types of RFC 3551 Table 4. */
export const AUDIO_CODEC_PAYLOAD_TYPES: Readonly<Record<AudioCodec, number>> = { PCMU: 0, PCMA: 8 };

export interface SdpOfferOptions {
  /** Where we receive RTP (`c=` and `o=`). */
  address: string;
  port: number;
  /** In order of preference. */
  codecs: readonly AudioCodec[];
  /** Offer RFC 4733 telephone-event with this dynamic payload type (e.g. 101); not offered when absent. */
  telephoneEventPayloadType?: number;
  /** `o=` session id; a fresh one when absent. */
  sessionId?: string;
  /** `o=` session version; 1 when absent. */
  sessionVersion?: number;
  /** `s=`; `-` when absent, since it may not be empty (RFC 4566 §5.3). */
  sessionName?: string;
  /** ms per packet (`a=ptime`); 20 when absent. */
  ptimeMs?: number;
}

export function buildSdpOffer(options: SdpOfferOptions): string {
  if (options.codecs.length === 0) throw new Error('an SDP offer needs at least one codec');
  const addressType = options.address.includes(':') ? 'IP6' : 'IP4';
  const sessionId = options.sessionId ?? String(Date.now() * 1000 + Math.floor(Math.random() * 1000));
  const payloadTypes = options.codecs.map((codec) => AUDIO_CODEC_PAYLOAD_TYPES[codec]);
  const event = options.telephoneEventPayloadType;
  if (event !== undefined) payloadTypes.push(event);
  const lines = [
    'v=0',
    `o=- ${sessionId} ${options.sessionVersion ?? 1} IN ${addressType} ${options.address}`,
    `s=${options.sessionName ?? '-'}`,
    `c=IN ${addressType} ${options.address}`,
    't=0 0',
    `m=audio ${options.port} RTP/AVP ${payloadTypes.join(' ')}`,
    ...options.codecs.map((codec) => `a=rtpmap:${AUDIO_CODEC_PAYLOAD_TYPES[codec]} ${codec}/8000`),
    ...(event !== undefined ? [`a=rtpmap:${event} telephone-event/8000`, `a=fmtp:${event} 0-16`] : []),
    `a=ptime:${options.ptimeMs ?? 20}`,
    'a=sendrecv',
  ];
  return lines.join('\r\n') + '\r\n';
}

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface SdpAnswerMedia {
  /** Where to send RTP. */
  address: string;
  port: number;
  payloadType: number;
  codec: AudioCodec;
  direction: MediaDirection;
}

/**
 * The audio stream of an answer: the first of our offered codecs that the answer's first audio `m=` line accepts.
 * Null when there is no usable audio stream (no `m=audio`, port 0 = rejected, no address, no common codec).
 */
export function parseSdpAnswer(sdp: string, offered: readonly AudioCodec[]): SdpAnswerMedia | null {
  let sessionAddress: string | undefined;
  let sessionDirection: MediaDirection = 'sendrecv';
  let media: { port: number; formats: string[]; address?: string; direction?: MediaDirection } | undefined;
  const rtpmaps = new Map<string, string>();

  for (const rawLine of sdp.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line.length < 2 || line[1] !== '=') continue;
    const type = line[0];
    const value = line.slice(2).trim();
    if (type === 'm') {
      if (media) break; // only the first audio stream matters
      const [kind, port, , ...formats] = value.split(/\s+/);
      if (kind === 'audio' && port !== undefined) media = { port: Number.parseInt(port, 10), formats };
      continue;
    }
    if (type === 'c') {
      // `c=IN IP4 addr[/ttl]`; a media-level c= overrides the session-level one (RFC 4566 §5.7).
      const address = value.split(/\s+/)[2]?.split('/')[0];
      if (address === undefined) continue;
      if (media) media.address = address;
      else sessionAddress = address;
      continue;
    }
    if (type === 'a') {
      if (/^(sendrecv|sendonly|recvonly|inactive)$/.test(value)) {
        if (media) media.direction = value as MediaDirection;
        else sessionDirection = value as MediaDirection;
      } else if (media && value.startsWith('rtpmap:')) {
        const match = /^rtpmap:(\d+)\s+([^/\s]+)/.exec(value);
        if (match) rtpmaps.set(match[1]!, match[2]!.toUpperCase());
      }
    }
  }

  if (!media || !Number.isInteger(media.port) || media.port <= 0) return null;
  const address = media.address ?? sessionAddress;
  if (address === undefined) return null;
  for (const codec of offered) {
    const payloadType = String(AUDIO_CODEC_PAYLOAD_TYPES[codec]);
    if (!media.formats.includes(payloadType)) continue;
    const mapped = rtpmaps.get(payloadType);
    if (mapped !== undefined && mapped !== codec) continue;
    return {
      address,
      port: media.port,
      payloadType: Number(payloadType),
      codec,
      direction: media.direction ?? sessionDirection,
    };
  }
  return null;
}
