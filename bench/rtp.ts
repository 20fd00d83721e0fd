import { pathToFileURL } from 'node:url';
import { createPacer, sharedPacer, type PacerOptions } from '../src/media/pacer.js';
import { createRtpPortPool } from '../src/media/rtpPortPool.js';
import { createRtpStream } from '../src/media/rtpSender.js';
import { startRtpReceiverChild } from './rtpReceiverChild.js';
import { fmt } from './stats.js';

/**
 * N concurrent RTP streams (as N calls would send) to N local receivers in a child process, so that receiving does
 * not share the sender's event loop. Target (issue 4): ≥ 200 streams with packet interval p99 within 5 ms of 20 ms.
 * `node dist/bench/rtp.js [streams] [seconds] [tickMs]` runs it alone (tickMs 0 = deadline pacer).
 */

export async function benchRtp(streams = 200, seconds = 5, pacerOptions?: PacerOptions): Promise<void> {
  const child = await startRtpReceiverChild(streams);
  try {
    const { ports } = child;
    const pacer = pacerOptions ? createPacer(pacerOptions) : sharedPacer;
    const portPool = createRtpPortPool({ min: 40_000, max: 40_000 + 4 * streams });
    const rtpStreams = await Promise.all(
      ports.map((port, i) => createRtpStream({ portPool, pacer, remote: { address: '127.0.0.1', port }, payloadType: i % 2 ? 8 : 0 })),
    );
    const audio = tone(seconds);
    const expected = streams * Math.ceil(audio.length / 160);

    child.start();
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    // Calls begin at different moments: spread the starts over one packet interval.
    const results = await Promise.all(rtpStreams.map((stream, i) => delay((20 * i) / streams).then(() => stream.play(audio))));
    const wallMs = performance.now() - wallBefore;
    const cpu = process.cpuUsage(cpuBefore);
    const sent = results.reduce((sum, r) => sum + r.packets, 0);

    const report = await child.collect(expected);
    await Promise.all(rtpStreams.map((stream) => stream.close()));

    const pacerName = pacerOptions?.tickMs === 0 ? 'deadline pacer' : `pacer tick ${pacerOptions?.tickMs ?? 10} ms`;
    const percentOfCore = (ms: number) => `${fmt((100 * ms) / wallMs, 1)}% of a core`;
    console.log(`RTP: ${streams} concurrent streams × ${seconds} s, ${pacerName}`);
    console.log(`  packets sent ${fmt(sent)}, received ${fmt(report.packets)} of ${fmt(expected)}`);
    console.log(
      `  packet interval p50 ${fmt(report.pooled.p50, 2)} ms, p99 ${fmt(report.pooled.p99, 2)} ms, ` +
        `max ${fmt(report.pooled.max, 2)} ms (worst stream's p99 ${fmt(report.worstP99, 2)} ms; target p99 ≤ 25 ms)`,
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [streams, seconds, tickMs] = process.argv.slice(2).map(Number);
  await benchRtp(streams || 200, seconds || 5, tickMs === undefined ? undefined : { tickMs });
}
