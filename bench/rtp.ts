import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createPacer, sharedPacer, type PacerOptions } from '../src/media/pacer.js';
import { createRtpReceiver, summarizeIntervals, type IntervalStats, type RtpReceiver } from '../src/media/rtpReceiver.js';
import { createRtpPortPool } from '../src/media/rtpPortPool.js';
import { createRtpStream } from '../src/media/rtpSender.js';
import { fmt } from './stats.js';

/**
 * N concurrent RTP streams (as N calls would send) to N local receivers in a child process, so that receiving does
 * not share the sender's event loop. Target (issue 4): ≥ 200 streams with packet interval p99 within 5 ms of 20 ms.
 * `node dist/bench/rtp.js [streams] [seconds] [tickMs]` runs it alone (tickMs 0 = deadline pacer).
 */

const CHILD_FLAG = '--rtp-receiver-child';

interface ReceiverReport {
  packets: number;
  pooled: IntervalStats;
  worstStreamP99: number;
  cpuMs: number;
}

type ChildMessage = { ports: number[] } | { report: ReceiverReport };

export async function benchRtp(streams = 200, seconds = 5, pacerOptions?: PacerOptions): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, String(streams)]);
  try {
    const { ports } = (await nextMessage(child)) as { ports: number[] };
    const pacer = pacerOptions ? createPacer(pacerOptions) : sharedPacer;
    const portPool = createRtpPortPool({ min: 40_000, max: 40_000 + 4 * streams });
    const rtpStreams = await Promise.all(
      ports.map((port, i) => createRtpStream({ portPool, pacer, remote: { address: '127.0.0.1', port }, payloadType: i % 2 ? 8 : 0 })),
    );
    const audio = tone(seconds);
    const expected = streams * Math.ceil(audio.length / 160);

    child.send('start');
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    // Calls begin at different moments: spread the starts over one packet interval.
    const results = await Promise.all(rtpStreams.map((stream, i) => delay((20 * i) / streams).then(() => stream.play(audio))));
    const wallMs = performance.now() - wallBefore;
    const cpu = process.cpuUsage(cpuBefore);
    const sent = results.reduce((sum, r) => sum + r.packets, 0);

    child.send({ expected });
    const { report } = (await nextMessage(child)) as { report: ReceiverReport };
    await Promise.all(rtpStreams.map((stream) => stream.close()));

    const pacerName = pacerOptions?.tickMs === 0 ? 'deadline pacer' : `pacer tick ${pacerOptions?.tickMs ?? 10} ms`;
    const percentOfCore = (ms: number) => `${fmt((100 * ms) / wallMs, 1)}% of a core`;
    console.log(`RTP: ${streams} concurrent streams × ${seconds} s, ${pacerName}`);
    console.log(`  packets sent ${fmt(sent)}, received ${fmt(report.packets)} of ${fmt(expected)}`);
    console.log(
      `  packet interval p50 ${fmt(report.pooled.p50, 2)} ms, p99 ${fmt(report.pooled.p99, 2)} ms, ` +
        `max ${fmt(report.pooled.max, 2)} ms (worst stream's p99 ${fmt(report.worstStreamP99, 2)} ms; target p99 ≤ 25 ms)`,
    );
    console.log(
      `  CPU: sender ${percentOfCore((cpu.user + cpu.system) / 1000)}, receiver (child) ${percentOfCore(report.cpuMs)}`,
    );
  } finally {
    child.kill();
  }
}

/** A 440 Hz tone at half scale: audio, not silence. */
function tone(seconds: number): Int16Array {
  const samples = new Int16Array(Math.round(seconds * 8000));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(16000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  return samples;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function nextMessage(child: ChildProcess): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message as ChildMessage));
    child.once('exit', (code) => reject(new Error(`RTP receiver child exited (${code})`)));
  });
}

async function runReceiverChild(streams: number): Promise<void> {
  const receivers: RtpReceiver[] = [];
  for (let i = 0; i < streams; i++) receivers.push(await createRtpReceiver({ keepPayloads: false }));
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
    const report: ReceiverReport = {
      packets: total(),
      pooled: summarizeIntervals(receivers.flatMap((r) => r.intervals())),
      worstStreamP99: Math.max(...receivers.map((r) => r.intervalStats().p99)),
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
    process.send!({ report });
  });
  process.send!({ ports: receivers.map((r) => r.port) });
}

if (process.argv[2] === CHILD_FLAG) {
  await runReceiverChild(Number(process.argv[3]));
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [streams, seconds, tickMs] = process.argv.slice(2).map(Number);
  await benchRtp(streams || 200, seconds || 5, tickMs === undefined ? undefined : { tickMs });
}
