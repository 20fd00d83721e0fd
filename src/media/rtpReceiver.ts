import dgram from 'node:dgram';
import { decodeAlaw, decodeUlaw } from '../voice/g711.js';
import { PAYLOAD_TYPE_PCMA, PAYLOAD_TYPE_PCMU, parseRtpPacket, type RtpPacket } from './rtpPacket.js';
import { closeSocket } from './rtpPortPool.js';

/** Listens on a UDP port and keeps every RTP packet with its arrival time: for tests and the bench. */

export interface ReceivedRtpPacket {
  packet: RtpPacket;
  /** process.hrtime.bigint() on arrival. */
  arrivedAtNs: bigint;
}

export interface IntervalStats {
  count: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
}

export interface RtpReceiver {
  port: number;
  /** In arrival order. */
  readonly packets: readonly ReceivedRtpPacket[];
  /** Datagrams that were not RTP. */
  readonly malformed: number;
  /** Packets per SSRC, in arrival order. */
  streams(): Map<number, ReceivedRtpPacket[]>;
  /** Milliseconds between consecutive arrivals of each SSRC, not across talkspurts (the M bit). */
  intervals(): number[];
  intervalStats(): IntervalStats;
  /** One stream's audio decoded in sequence order (the only stream's when ssrc is omitted). */
  pcm(ssrc?: number): Int16Array;
  waitForPackets(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface RtpReceiverOptions {
  port?: number;
  address?: string;
  /** false drops payloads on arrival: headers and times only, so that a long bench does not hold every datagram. */
  keepPayloads?: boolean;
  /** Bytes the kernel may queue before it drops datagrams (capped by net.core.rmem_max). */
  receiveBufferBytes?: number;
}

/** A sender that catches up after a stall sends every stream's late packets at once (50 streams stalled for 100 ms:
 *  250 datagrams); the default ~200 KiB holds about 180 of them, and a receiver sharing the sender's event loop
 *  cannot read until the burst is out. */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

const NO_PAYLOAD = new Uint8Array(0);

export async function createRtpReceiver(options: RtpReceiverOptions = {}): Promise<RtpReceiver> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: options.receiveBufferBytes ?? RECEIVE_BUFFER_BYTES });
  const packets: ReceivedRtpPacket[] = [];
  let malformed = 0;
  const waiters = new Set<() => void>();

  socket.on('message', (message) => {
    const arrivedAtNs = process.hrtime.bigint();
    const parsed = parseRtpPacket(message);
    if (!parsed.ok) {
      malformed++;
      return;
    }
    if (options.keepPayloads === false) parsed.packet.payload = NO_PAYLOAD;
    packets.push({ packet: parsed.packet, arrivedAtNs });
    for (const waiter of waiters) waiter();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port ?? 0, options.address ?? '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });

  function streams(): Map<number, ReceivedRtpPacket[]> {
    const bySsrc = new Map<number, ReceivedRtpPacket[]>();
    for (const received of packets) {
      const list = bySsrc.get(received.packet.ssrc) ?? [];
      list.push(received);
      bySsrc.set(received.packet.ssrc, list);
    }
    return bySsrc;
  }

  function intervals(): number[] {
    const result: number[] = [];
    for (const list of streams().values()) {
      for (let i = 1; i < list.length; i++) {
        if (list[i]!.packet.marker) continue;
        result.push(Number(list[i]!.arrivedAtNs - list[i - 1]!.arrivedAtNs) / 1e6);
      }
    }
    return result;
  }

  function pcm(ssrc?: number): Int16Array {
    const all = streams();
    const list = ssrc === undefined ? [...all.values()][0] ?? [] : all.get(ssrc) ?? [];
    const chunks = inSequenceOrder(list).map(({ packet }) => decode(packet));
    const out = new Int16Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  function waitForPackets(count: number, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (packets.length < count) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`received ${packets.length} RTP packets of ${count} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  }

  return {
    port: socket.address().port,
    packets,
    get malformed() {
      return malformed;
    },
    streams,
    intervals,
    intervalStats: () => summarizeIntervals(intervals()),
    pcm,
    waitForPackets,
    close: () => closeSocket(socket),
  };
}

export function summarizeIntervals(intervals: readonly number[]): IntervalStats {
  const sorted = [...intervals].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN };
}

/** Sorts by sequence number unwrapped from the first packet's, so a wrap past 65535 keeps its order. */
function inSequenceOrder(list: readonly ReceivedRtpPacket[]): ReceivedRtpPacket[] {
  if (list.length === 0) return [];
  let previous = list[0]!.packet.sequenceNumber;
  let extended = previous;
  const keyed = list.map((received) => {
    const step = ((received.packet.sequenceNumber - previous + 0x8000) & 0xffff) - 0x8000;
    previous = received.packet.sequenceNumber;
    extended += step;
    return { received, extended };
  });
  return keyed.sort((a, b) => a.extended - b.extended).map(({ received }) => received);
}

function decode(packet: RtpPacket): Int16Array {
  if (packet.payloadType === PAYLOAD_TYPE_PCMA) return decodeAlaw(packet.payload);
  if (packet.payloadType === PAYLOAD_TYPE_PCMU) return decodeUlaw(packet.payload);
  return new Int16Array(0); // not G.711: nothing we can play
}
