/** sipp's message log (`-trace_msg`), read back: what it sent and received, when. Shared by the tests and bench/sipCalls.ts. */
import assert from 'node:assert/strict';
import { describeSipp, type SippResult } from '../../support/sipp.js';

export interface SippLogEntry {
  /** Milliseconds, on sipp's clock (only differences mean something). */
  at: number;
  direction: 'sent' | 'received';
  /** The request or status line. */
  startLine: string;
  callId: string;
  text: string;
}

/** `-trace_msg`: each message after a line of dashes with sipp's local time to the microsecond. */
export function parseSippMessages(log: string): SippLogEntry[] {
  const entries: SippLogEntry[] = [];
  const blocks = log.split(/^-{10,} (\d{4}-\d\d-\d\d)[ \t](\d\d:\d\d:\d\d)\.(\d{6})\s*$/m);
  for (let i = 1; i + 3 <= blocks.length; i += 4) {
    const [date, time, micros, body] = [blocks[i]!, blocks[i + 1]!, blocks[i + 2]!, blocks[i + 3] ?? ''];
    const lines = body.split(/\r?\n/);
    const direction = /message sent/.test(lines[0] ?? '') || /message sent/.test(lines[1] ?? '') ? 'sent' : 'received';
    const startLine = lines.find((line) => /^(SIP\/2\.0 \d{3}|[A-Z]+ sip:)/.test(line)) ?? '';
    const callId = /^Call-ID:\s*(\S+)/im.exec(body)?.[1] ?? '';
    entries.push({ at: Date.parse(`${date}T${time}Z`) + Number(micros) / 1000, direction, startLine, callId, text: body });
  }
  return entries;
}

/** The first message of that direction whose start line begins with `prefix` (e.g. 'BYE', 'SIP/2.0 200'). */
export function firstMessage(entries: SippLogEntry[], direction: 'sent' | 'received', prefix: string, sipp: SippResult): SippLogEntry {
  const entry = entries.find((e) => e.direction === direction && e.startLine.startsWith(prefix));
  if (!entry) assert.fail(`sipp ${direction} no "${prefix}"\n${describeSipp(sipp)}`);
  return entry;
}
