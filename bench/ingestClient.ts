import { Pool } from 'undici';
import { percentile } from './stats.js';
import { voicecodeBatch } from './voicecodeBatch.js';

/**
 * Separate client process: POSTs 1000-message batches over `connections` keep-alive connections for
 * `durationMs`, then prints one JSON line with accepted msgs/s and batch latency percentiles.
 */
async function main(): Promise<void> {
  const [origin, auth, connectionsText, durationText, callbackUrl] = process.argv.slice(2) as [string, string, string, string, string];
  const connections = Number(connectionsText);
  const durationMs = Number(durationText);
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const bodies = Array.from({ length: 16 }, (_, i) => JSON.stringify(voicecodeBatch(1000, i, callbackUrl)));
  const latencies: number[] = [];
  let accepted = 0;
  let failures = 0;
  const deadline = Date.now() + durationMs;
  const started = process.hrtime.bigint();
  const worker = async (w: number) => {
    for (let n = 0; Date.now() < deadline; n++) {
      const t0 = process.hrtime.bigint();
      const response = await pool.request({
        path: '/api/v1/message',
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: bodies[(w + n) % bodies.length],
      });
      const text = await response.body.text();
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (response.statusCode !== 200) {
        failures++;
        continue;
      }
      const parsed = JSON.parse(text) as { items: { code: number }[] };
      accepted += parsed.items.filter((i) => i.code === 201).length;
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await pool.close();
  latencies.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({ msgsPerSec: accepted / seconds, accepted, failures, batches: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99) })}\n`,
  );
}

void main();
