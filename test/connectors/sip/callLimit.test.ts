/**
 * `sip.maxConcurrentCalls` (issue 4, config): once that many calls are in progress, a VOICECODE hand-off is put off
 * (`retry`), not placed. The engine hands off up to `engine.maxConcurrentHandoffs` messages of a round at once, so
 * the limit must hold for concurrent send()s too. The trunk is a socket of the test's that never answers, so every
 * call placed stays in progress.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { defaultConfig } from '../../../src/configLoad.js';
import type { HandoffResult, OutboundMessage } from '../../../src/connectors/connector.js';
import { createSipConnector, type SipConnector } from '../../../src/connectors/sip/sipConnector.js';

const LIMIT = 3;

/** The INVITEs are read by this process's own socket: wait for them (a loaded machine reads them late), then see
 *  that no more come. */
async function offeredAndNoMore(trunk: { invites: Set<string> }): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (trunk.invites.size < LIMIT && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(trunk.invites.size, LIMIT, 'calls offered to the trunk');
}

function voicecode(i: number): OutboundMessage {
  return {
    uuid: `limit-${i}`,
    accountId: 1,
    channelType: 'VOICECODE',
    senderName: 'voicecode',
    destination: '79001234567',
    content: { contentType: 'text', text: 'Код авторизации от revicom: 3 4 5 6' },
    totalParts: 1,
    expiresAt: Date.now() + 60_000,
  };
}

/** A trunk that never answers: it only counts the calls (Call-IDs) it was offered. */
async function silentTrunk(): Promise<{ port: number; invites: Set<string>; close(): void }> {
  const socket = dgram.createSocket('udp4');
  const invites = new Set<string>();
  socket.on('message', (data) => {
    const text = data.toString('utf8');
    if (text.startsWith('INVITE ')) invites.add(/^Call-ID:\s*(\S+)/im.exec(text)?.[1] ?? '');
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, invites, close: () => socket.close() };
}

describe('SIP connector: maxConcurrentCalls', { timeout: 30_000 }, () => {
  let trunk: Awaited<ReturnType<typeof silentTrunk>>;
  beforeEach(async () => {
    trunk = await silentTrunk();
  });
  afterEach(() => {
    trunk.close();
  });

  async function startConnector(): Promise<SipConnector> {
    const config = defaultConfig();
    const connector = createSipConnector({
      sip: { ...config.sip, trunkPort: trunk.port, maxConcurrentCalls: LIMIT, rtpPortMin: 22_300, rtpPortMax: 22_398 },
      voice: config.voice,
      clock: { now: () => Date.now() },
    });
    await connector.start({ report: () => {}, inbound: () => {} });
    return connector;
  }

  const kinds = (results: HandoffResult[]) => results.map((r) => r.kind);

  it('one hand-off after another: the calls beyond the limit are put off', async () => {
    const connector = await startConnector();
    try {
      const results: HandoffResult[] = [];
      for (let i = 0; i < LIMIT + 2; i++) results.push(await connector.send(voicecode(i)));
      assert.deepEqual(kinds(results), ['sent', 'sent', 'sent', 'retry', 'retry']);
      assert.equal(connector.activeCalls, LIMIT);
      await offeredAndNoMore(trunk);
    } finally {
      await connector.stop();
    }
  });

  it('hand-offs at once, as the engine makes them: still no more calls than the limit', async () => {
    const connector = await startConnector();
    try {
      const results = await Promise.all(Array.from({ length: LIMIT + 5 }, (_, i) => connector.send(voicecode(i))));
      assert.equal(kinds(results).filter((kind) => kind === 'sent').length, LIMIT, `hand-offs: ${kinds(results).join(', ')}`);
      assert.equal(connector.activeCalls, LIMIT);
      await offeredAndNoMore(trunk);
    } finally {
      await connector.stop();
    }
  });
});
