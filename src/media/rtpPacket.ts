/** RTP packets (RFC 3550 §5.1): build and parse, pure. */

export const RTP_VERSION = 2;
export const RTP_HEADER_BYTES = 12;
/** G.711 at 8 kHz in 20 ms packets: 160 samples, one byte each. */
export const SAMPLES_PER_PACKET = 160;
export const PACKET_INTERVAL_MS = 20;

export const PAYLOAD_TYPE_PCMU = 0;
export const PAYLOAD_TYPE_PCMA = 8;
export type G711PayloadType = typeof PAYLOAD_TYPE_PCMU | typeof PAYLOAD_TYPE_PCMA;

export interface RtpHeader {
  payloadType: number;
  /** Set on the first packet of a talkspurt. */
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
}

export interface RtpPacket extends RtpHeader {
  payload: Uint8Array;
}

export type RtpParseResult = { ok: true; packet: RtpPacket } | { ok: false; error: string };

export const nextSequenceNumber = (sequenceNumber: number): number => (sequenceNumber + 1) & 0xffff;
export const advanceTimestamp = (timestamp: number, samples: number): number => (timestamp + samples) >>> 0;

/** Our own packets: V=2, no padding, no extension, no CSRCs. */
export function buildRtpPacket(packet: RtpPacket): Buffer {
  const bytes = Buffer.allocUnsafe(RTP_HEADER_BYTES + packet.payload.length);
  bytes[0] = RTP_VERSION << 6;
  bytes[1] = (packet.marker ? 0x80 : 0) | (packet.payloadType & 0x7f);
  bytes.writeUInt16BE(packet.sequenceNumber & 0xffff, 2);
  bytes.writeUInt32BE(packet.timestamp >>> 0, 4);
  bytes.writeUInt32BE(packet.ssrc >>> 0, 8);
  bytes.set(packet.payload, RTP_HEADER_BYTES);
  return bytes;
}

/** Anyone's packets: skips CSRCs and a header extension, strips padding. The payload is a view, not a copy. */
export function parseRtpPacket(bytes: Uint8Array): RtpParseResult {
  if (bytes.length < RTP_HEADER_BYTES) return { ok: false, error: `shorter than an RTP header: ${bytes.length} bytes` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const first = bytes[0]!;
  const version = first >> 6;
  if (version !== RTP_VERSION) return { ok: false, error: `RTP version ${version}, expected 2` };
  const hasPadding = (first & 0x20) !== 0;
  const hasExtension = (first & 0x10) !== 0;
  const csrcCount = first & 0x0f;
  let payloadStart = RTP_HEADER_BYTES + 4 * csrcCount;
  if (hasExtension) {
    if (bytes.length < payloadStart + 4) return { ok: false, error: 'truncated header extension' };
    payloadStart += 4 + 4 * view.getUint16(payloadStart + 2);
  }
  let payloadEnd = bytes.length;
  if (hasPadding) payloadEnd -= bytes[bytes.length - 1]!;
  if (payloadEnd < payloadStart) return { ok: false, error: 'header, extension or padding longer than the packet' };
  return {
    ok: true,
    packet: {
      payloadType: bytes[1]! & 0x7f,
      marker: (bytes[1]! & 0x80) !== 0,
      sequenceNumber: view.getUint16(2),
      timestamp: view.getUint32(4),
      ssrc: view.getUint32(8),
      payload: bytes.subarray(payloadStart, payloadEnd),
    },
  };
}

export interface TalkspurtStart {
  payloadType: number;
  ssrc: number;
  sequenceNumber: number;
  timestamp: number;
}

/**
 * Packet `index` of a talkspurt cut from a G.711 payload (one byte per sample) into 20 ms packets: sequence +1 and
 * timestamp +160 per packet, both wrapping, marker on the first. Built one at a time, when due, so that starting
 * many calls at once does not build every call's packets at once. The caller pads the audio to whole packets.
 */
export function talkspurtPacket(payload: Uint8Array, start: TalkspurtStart, index: number): Buffer {
  return buildRtpPacket({
    payloadType: start.payloadType,
    marker: index === 0,
    sequenceNumber: (start.sequenceNumber + index) & 0xffff,
    timestamp: advanceTimestamp(start.timestamp, index * SAMPLES_PER_PACKET),
    ssrc: start.ssrc,
    payload: payload.subarray(index * SAMPLES_PER_PACKET, (index + 1) * SAMPLES_PER_PACKET),
  });
}

export const packetCount = (payloadBytes: number): number => Math.ceil(payloadBytes / SAMPLES_PER_PACKET);

/** Every packet of a talkspurt at once. */
export function packetizeTalkspurt(payload: Uint8Array, start: TalkspurtStart): Buffer[] {
  return Array.from({ length: packetCount(payload.length) }, (_, index) => talkspurtPacket(payload, start, index));
}
