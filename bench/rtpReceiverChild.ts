import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRtpReceiver, summarizeIntervals, type IntervalStats, type RtpReceiver } from '../src/media/rtpReceiver.js';

/**
 * N RTP receivers in a child process, so that receiving never shares the event loop of what is measured
 * (the RTP bench, the SIP calls bench).
 */

const CHILD_FLAG = '--rtp-receiver-child';

export interface ReceiverReport {
  packets: number;
  pooled: IntervalStats;
  /** The worst p99 of one receiver that heard anything. */
  worstP99: number;
  /** Receivers that got exactly one RTP stream (one SSRC). */
  singleStream: number;
  /** Receivers that got nothing. */
  silent: number;
  cpuMs: number;
}

type ChildMessage = { ports: number[] } | { report: ReceiverReport };

export interface RtpReceiverChild {
  /** One local port per receiver, in order. */
  ports: number[];
  /** Marks the start of the measured span (the child's CPU is counted from here). */
  start(): void;
  /** Waits up to 2 s for `expected` packets in all, then reports. */
  collect(expected: number): Promise<ReceiverReport>;
  kill(): void;
}

export async function startRtpReceiverChild(count: number): Promise<RtpReceiverChild> {
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, String(count)]);
  const { ports } = (await nextMessage(child)) as { ports: number[] };
  return {
    ports,
    start: () => child.send('start'),
    async collect(expected) {
      child.send({ expected });
      return ((await nextMessage(child)) as { report: ReceiverReport }).report;
    },
    kill: () => child.kill(),
  };
}

function nextMessage(child: ChildProcess): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message as ChildMessage));
    child.once('exit', (code) => reject(new Error(`RTP receiver child exited (${code})`)));
  });
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function runReceiverChild(count: number): Promise<void> {
  const receivers: RtpReceiver[] = [];
  for (let i = 0; i < count; i++) receivers.push(await createRtpReceiver({ keepPayloads: false }));
  let cpuBefore = process.cpuUsage();
  process.on('message', async (message: 'start' | { expected: number }) => {
    if (message === 'start') {
      cpuBefore = process.cpuUsage();
      return;
    }
    const total = () => receivers.reduce((sum, r) => sum + r.packets.length, 0);
    const deadline = Date.now() + 2000;
    while (total() < message.expected && Date.now() < deadline) await delay(10);
    const cpu = process.cpuUsage(cpuBefore);
    const heard = receivers.filter((r) => r.packets.length > 0);
    const report: ReceiverReport = {
      packets: total(),
      pooled: summarizeIntervals(receivers.flatMap((r) => r.intervals())),
      worstP99: Math.max(...heard.map((r) => r.intervalStats().p99)),
      singleStream: receivers.filter((r) => r.streams().size === 1).length,
      silent: receivers.length - heard.length,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
    process.send!({ report });
  });
  process.send!({ ports: receivers.map((r) => r.port) });
}

if (process.argv[2] === CHILD_FLAG) await runReceiverChild(Number(process.argv[3]));
