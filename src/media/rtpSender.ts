import { randomBytes } from 'node:crypto';
import type dgram from 'node:dgram';
import { encodeAlaw, encodeUlaw } from '../voice/g711.js';
import { sharedPacer, type PacedJob, type Pacer } from './pacer.js';
import {
  PACKET_INTERVAL_MS,
  PAYLOAD_TYPE_PCMA,
  SAMPLES_PER_PACKET,
  packetCount,
  talkspurtPacket,
  type G711PayloadType,
} from './rtpPacket.js';
import type { RtpPortPool } from './rtpPortPool.js';

/** One outgoing RTP stream (one call's audio): G.711 at 8 kHz, 20 ms packets, paced by the shared pacer. */

export interface RtpRemote {
  address: string;
  port: number;
}

export type RtpStreamOptions = (
  | { /** Stays the caller's: close() does not close it. */ socket: dgram.Socket }
  | { /** A port is taken from it and given back on close(). */ portPool: RtpPortPool }
) & {
  /** Where the SDP answer's c= and m=audio lines say to send. */
  remote: RtpRemote;
  payloadType: G711PayloadType;
  pacer?: Pacer;
};

export interface PlayResult {
  packets: number;
  /** false when close() cut the audio short. */
  completed: boolean;
}

export interface RtpStream {
  localPort: number;
  ssrc: number;
  /** Sends the samples (8 kHz, 16-bit) as one talkspurt, padded with silence to a whole packet; resolves once the
   *  last packet is handed to the network. Calls made during a play queue behind it. */
  play(samples8k: Int16Array): Promise<PlayResult>;
  /** Stops any audio at once and releases the port. */
  close(): Promise<void>;
}

const CLOCK_RATE_PER_MS = 8;

export async function createRtpStream(options: RtpStreamOptions): Promise<RtpStream> {
  const pacer = options.pacer ?? sharedPacer;
  const { remote, payloadType } = options;
  const owned = 'portPool' in options ? await options.portPool.allocate() : undefined;
  const socket = owned ? owned.socket : (options as { socket: dgram.Socket }).socket;
  // Not connect()ed: a connected UDP socket turns an ICMP "port unreachable" into a failed send, and the callee's RTP
  // port may open a moment after its answer. A stray socket error must not kill the process either.
  if (owned) socket.on('error', () => {});
  const encode = payloadType === PAYLOAD_TYPE_PCMA ? encodeAlaw : encodeUlaw;

  const random = randomBytes(10);
  const ssrc = random.readUInt32BE(0);
  const initialTimestamp = random.readUInt32BE(4);
  let sequenceNumber = random.readUInt16BE(8);
  // The timestamp follows the sampling clock across pauses too: it is the time since the first talkspurt, in samples.
  let clockOrigin: number | undefined;
  // A talkspurt queued behind another starts where that one's audio ends, not on the next tick after its last send.
  let endOfLastTalkspurt = -Infinity;

  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();
  let stopCurrent: (() => void) | undefined;

  function playNow(samples: Int16Array): Promise<PlayResult> {
    if (closed) return Promise.resolve({ packets: 0, completed: false });
    const payload = encode(padToWholePackets(samples));
    if (payload.length === 0) return Promise.resolve({ packets: 0, completed: true });
    const start = Math.max(pacer.firstSlot(), endOfLastTalkspurt);
    clockOrigin ??= start;
    const timestamp = (initialTimestamp + Math.round((start - clockOrigin) * CLOCK_RATE_PER_MS)) >>> 0;
    const talkspurt = { payloadType, ssrc, sequenceNumber, timestamp };
    const packets = packetCount(payload.length);
    sequenceNumber = (sequenceNumber + packets) & 0xffff;
    endOfLastTalkspurt = start + packets * PACKET_INTERVAL_MS;

    return new Promise<PlayResult>((resolve, reject) => {
      let sent = 0;
      let settled = false;
      const finish = (result: PlayResult | Error) => {
        if (settled) return;
        settled = true;
        stopCurrent = undefined;
        pacer.remove(job);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      const job: PacedJob = {
        dueAt: start,
        fire() {
          const index = sent++;
          const isLast = sent === packets;
          socket.send(talkspurtPacket(payload, talkspurt, index), remote.port, remote.address, (error) => {
            if (error) finish(error);
            else if (isLast) finish({ packets, completed: true });
          });
          this.dueAt = start + sent * PACKET_INTERVAL_MS;
          return !isLast;
        },
        fail: (error) => finish(error instanceof Error ? error : new Error(String(error))),
      };
      stopCurrent = () => finish({ packets: sent, completed: false });
      pacer.add(job);
    });
  }

  return {
    localPort: socket.address().port,
    ssrc,
    play(samples) {
      const played = queue.then(() => playNow(samples));
      queue = played.catch(() => undefined);
      return played;
    },
    async close() {
      if (closed) return;
      closed = true;
      stopCurrent?.();
      if (owned) await owned.close();
    },
  };
}

/** G.711 silence after the last sample, so that the last packet is a whole 20 ms like the others. */
/** Samples padded with silence to whole 20 ms packets, as a talkspurt is sent (the sandbox's call audio has the same length). */
export function padToWholePackets(samples: Int16Array): Int16Array {
  const remainder = samples.length % SAMPLES_PER_PACKET;
  if (remainder === 0) return samples;
  const padded = new Int16Array(samples.length + SAMPLES_PER_PACKET - remainder);
  padded.set(samples);
  return padded;
}
