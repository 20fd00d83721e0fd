import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { systemClock } from '../src/clock.js';
import { defaultConfig } from '../src/configLoad.js';
import type { CarrierEvent, HandoffResult, OutboundMessage } from '../src/connectors/connector.js';
import { createSipConnector } from '../src/connectors/sip/sipConnector.js';
import { createVoicecodeSpeech } from '../src/voice/voicecodeSpeech.js';
import { parseSippMessages } from '../test/connectors/sip/sippLog.js';
import { describeSipp, SCENARIO_DIR, sippInstalled, startSipp } from '../test/support/sipp.js';
import { startRtpReceiverChild } from './rtpReceiverChild.js';
import { fmt, percentile } from './stats.js';

/**
 * Concurrent VOICECODE calls (issue 4): N calls through the SIP connector to sipp as the callee (UDP on 127.0.0.1),
 * each answered with SDP pointing at its own RTP receiver in a child process (so that receiving does not share the
 * connector's event loop), the code played in full (≈ 7 s), then BYE. The INVITEs go out over `rampMs` (1 s by
 * default: 5 ms apart for 200 calls), so all N calls are in progress at once; rampMs 0 sends them in one burst.
 * Target: ≥ 200 calls at once with RTP packet interval p99 within 5 ms of 20 ms. Also the TTS cost per call.
 * `node dist/bench/sipCalls.js [calls] [rampMs]` runs it alone.
 */

const BRAND = 'revicom';
/** From dist/bench/ to the sources: tsc does not copy the XML files. */
const SCENARIO = path.relative(SCENARIO_DIR, fileURLToPath(new URL('../../test/connectors/sip/scenarios/bench-answer.xml', import.meta.url)));

export async function benchSipCalls(calls = 200, rampMs = 1_000): Promise<void> {
  if (!sippInstalled()) {
    console.log('SIP calls: skipped, sipp is not installed (apt-get install -y sip-tester)');
    return;
  }
  const child = await startRtpReceiverChild(calls);
  const dir = await mkdtemp(path.join(tmpdir(), 'dgw-bench-sip-'));
  const cleanup: (() => unknown)[] = [];
  try {
    const { ports } = child;
    // sipp answers its n-th call with the n-th line: one receiver per call.
    const injection = path.join(dir, 'rtp-ports.csv');
    await writeFile(injection, `SEQUENTIAL\n${ports.map((port) => `${port};`).join('\n')}\n`);

    // TTS as the connector does it, for the same codes: the connector's speech object shares these cached clips.
    const config = defaultConfig();
    const speech = createVoicecodeSpeech({ voice: config.voice.voice, rate: config.voice.rate, repeat: config.voice.repeat });
    const codes = Array.from({ length: calls }, () => String(Math.floor(Math.random() * 10_000)).padStart(4, '0'));
    let started = performance.now();
    await speech.preload();
    await speech.render({ brand: BRAND, digits: codes[0]! });
    const coldMs = performance.now() - started;
    const renderMs: number[] = [];
    let expectedPackets = 0;
    for (const code of codes) {
      started = performance.now();
      const audio = await speech.render({ brand: BRAND, digits: code });
      renderMs.push(performance.now() - started);
      expectedPackets += Math.ceil(audio.length / 160);
    }
    renderMs.sort((a, b) => a - b);

    // A large socket buffer for sipp, so that what it drops in a burst does not count against the gateway.
    const sipp = await startSipp({ scenario: SCENARIO, calls, timeoutSeconds: 120, args: ['-inf', injection, '-buff_size', String(4 << 20)] });
    cleanup.push(() => sipp.kill());
    const outcomes = new Map<string, CarrierEvent['kind'][]>();
    const connector = createSipConnector({
      sip: {
        ...config.sip,
        trunkPort: sipp.port,
        maxConcurrentCalls: calls,
        rtpPortMin: 30_000,
        rtpPortMax: 30_000 + 4 * calls,
      },
      voice: config.voice,
      clock: systemClock,
    });
    await connector.start({
      report: (event) => outcomes.set(event.uuid!, [...(outcomes.get(event.uuid!) ?? []), event.kind]),
      inbound: () => {},
    });
    cleanup.push(() => connector.stop());

    let maxActive = 0;
    const sampler = setInterval(() => (maxActive = Math.max(maxActive, connector.activeCalls)), 5);
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    child.start();
    const udpDropsBefore = udpReceiveBufferDrops();
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const handoffMs: number[] = [];
    const results = await Promise.all(
      codes.map(async (code, i): Promise<HandoffResult> => {
        if (rampMs > 0) await delay((rampMs * i) / calls);
        const t = performance.now();
        const result = await connector.send(message(i, code));
        handoffMs.push(performance.now() - t);
        return result;
      }),
    );
    const sippResult = await sipp.done;
    while (connector.activeCalls > 0 && performance.now() - wallBefore < 120_000) await delay(10);
    clearInterval(sampler);
    loopDelay.disable();
    const wallMs = performance.now() - wallBefore;
    const cpu = process.cpuUsage(cpuBefore);
    const udpDrops = udpReceiveBufferDrops() - udpDropsBefore;

    const report = await child.collect(expectedPackets);

    const placed = results.filter((r) => r.kind === 'sent').length;
    const answered = [...outcomes.values()].filter((kinds) => kinds.includes('delivered')).length;
    const log = parseSippMessages(sippResult.messages);
    const byes = new Set(log.filter((e) => e.direction === 'received' && e.startLine.startsWith('BYE')).map((e) => e.callId));
    const maxInMedia = maxOverlap(log);
    handoffMs.sort((a, b) => a - b);
    const p99 = report.pooled.p99;

    const start = rampMs > 0 ? `INVITEs over ${fmt(rampMs)} ms` : 'INVITEs in one burst';
    console.log(`SIP calls: ${calls} VOICECODE calls at once (${start}), SIP connector → sipp (UDP 127.0.0.1), RTP to ${calls} receivers in a child process`);
    console.log(
      `  placed ${fmt(placed)} (INVITE sent), answered ${fmt(answered)} (delivered), completed with the gateway's BYE ${fmt(byes.size)}; ` +
        `sipp: ${sippResult.exitCode === 0 ? 'every call went through its scenario' : `FAILED\n${describeSipp(sippResult).slice(0, 4000)}`}`,
    );
    console.log(`  max concurrent: ${fmt(maxActive)} calls in progress (connector), ${fmt(maxInMedia)} answered at once (ACK → BYE in sipp's log)`);
    console.log(
      `  RTP: ${fmt(report.packets)} packets received of ${fmt(expectedPackets)}; ${fmt(report.singleStream)} calls with one stream, ${fmt(report.silent)} silent`,
    );
    console.log(
      `  RTP packet interval p50 ${fmt(report.pooled.p50, 2)} ms, p99 ${fmt(p99, 2)} ms, max ${fmt(report.pooled.max, 2)} ms ` +
        `(worst call's p99 ${fmt(report.worstP99, 2)} ms); target p99 within 5 ms of 20 ms: ${Math.abs(p99 - 20) <= 5 ? 'met' : 'MISSED'}`,
    );
    console.log(
      `  TTS per call: speech.render median ${fmt(percentile(renderMs, 50), 3)} ms, p99 ${fmt(percentile(renderMs, 99), 3)} ms over ${fmt(calls)} codes ` +
        `(first render in this process, with engine load and digit clips: ${fmt(coldMs, 0)} ms); hand-off (render + RTP port + INVITE) median ${fmt(percentile(handoffMs, 50), 1)} ms`,
    );
    console.log(
      `  ${fmt(wallMs / 1000, 1)} s; CPU: gateway side ${fmt((100 * (cpu.user + cpu.system)) / 1000 / wallMs, 1)}% of a core, ` +
        `receivers (child) ${fmt((100 * report.cpuMs) / wallMs, 1)}%; gateway event loop delay p99 ${fmt(loopDelay.percentile(99) / 1e6, 1)} ms, ` +
        `max ${fmt(loopDelay.max / 1e6, 1)} ms; UDP datagrams dropped for a full receive buffer (whole host): ${Number.isNaN(udpDrops) ? 'n/a' : fmt(udpDrops)}`,
    );
  } finally {
    for (const step of cleanup.reverse()) await step();
    child.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

function message(i: number, code: string): OutboundMessage {
  return {
    uuid: `bench-sip-${i}`,
    accountId: 1,
    channelType: 'VOICECODE',
    senderName: 'voicecode',
    destination: '79001234567',
    content: { contentType: 'text', text: `Код авторизации от ${BRAND}: ${code.split('').join(' ')}` },
    totalParts: 1,
    expiresAt: Date.now() + 3_600_000,
  };
}

/** The most calls between their ACK and their BYE at one moment, from sipp's log. */
function maxOverlap(log: ReturnType<typeof parseSippMessages>): number {
  const marks: [number, number][] = [];
  const seen = new Set<string>();
  for (const entry of log) {
    if (entry.direction !== 'received') continue;
    const kind = entry.startLine.startsWith('ACK') ? 1 : entry.startLine.startsWith('BYE') ? -1 : 0;
    const key = `${kind}:${entry.callId}`;
    if (kind === 0 || seen.has(key)) continue; // retransmissions count once
    seen.add(key);
    marks.push([entry.at, kind]);
  }
  marks.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let max = 0;
  for (const [, kind] of marks) max = Math.max(max, (current += kind));
  return max;
}

/** Linux's count of UDP datagrams dropped because a socket's receive buffer was full (all sockets of the host). */
function udpReceiveBufferDrops(): number {
  try {
    const [names, values] = readFileSync('/proc/net/snmp', 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('Udp: '))
      .map((line) => line.split(/\s+/));
    return Number(values![names!.indexOf('RcvbufErrors')]);
  } catch {
    return NaN;
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [calls, rampMs] = process.argv.slice(2).map(Number);
  await benchSipCalls(calls || 200, rampMs ?? 1_000);
}
