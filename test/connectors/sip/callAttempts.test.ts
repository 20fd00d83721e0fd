/**
 * `sip.callAttempts` (issue 4, config): a VOICECODE message whose call was busy, unanswered or failed is called
 * again, up to that many calls, before it is reported undelivered; a callee who rejected the call (603) or a
 * number that does not exist (404) is not called again. The trunk is a scripted socket of the test's.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { afterEach, describe, it } from 'node:test';
import { defaultConfig } from '../../../src/configLoad.js';
import type { CarrierEvent, OutboundMessage } from '../../../src/connectors/connector.js';
import { createSipConnector } from '../../../src/connectors/sip/sipConnector.js';

const message: OutboundMessage = {
  uuid: 'attempts-1',
  accountId: 1,
  channelType: 'VOICECODE',
  senderName: 'voicecode',
  destination: '79001234567',
  content: { contentType: 'text', text: 'Код авторизации от revicom: 3 4 5 6' },
  totalParts: 1,
  expiresAt: Date.now() + 60_000,
};

/** A trunk that answers every INVITE with `status` (and absorbs the ACK), counting the calls. */
async function refusingTrunk(status: string): Promise<{ port: number; callIds: string[]; close(): void }> {
  const socket = dgram.createSocket('udp4');
  const callIds: string[] = [];
  socket.on('message', (data, from) => {
    const text = data.toString('utf8');
    if (!text.startsWith('INVITE ')) return;
    const header = (name: string) => new RegExp(`^${name}:.*$`, 'im').exec(text)?.[0] ?? '';
    const callId = header('Call-ID');
    if (!callIds.includes(callId)) callIds.push(callId);
    const response = [`SIP/2.0 ${status}`, header('Via'), header('From'), `${header('To')};tag=trunk1`, callId, header('CSeq'), 'Content-Length: 0', '', ''].join('\r\n');
    socket.send(response, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, callIds, close: () => socket.close() };
}

async function attempt(status: string, callAttempts: number): Promise<{ callIds: string[]; events: CarrierEvent[] }> {
  const trunk = await refusingTrunk(status);
  const config = defaultConfig();
  const events: CarrierEvent[] = [];
  const connector = createSipConnector({
    sip: { ...config.sip, trunkPort: trunk.port, callAttempts, rtpPortMin: 22_400, rtpPortMax: 22_498 },
    voice: config.voice,
    clock: { now: () => Date.now() },
  });
  await connector.start({ report: (event) => events.push(event), inbound: () => {} });
  cleanups.push(async () => {
    await connector.stop();
    trunk.close();
  });
  assert.equal((await connector.send(message)).kind, 'sent');
  const deadline = Date.now() + 15_000;
  while (events.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return { callIds: trunk.callIds, events };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('SIP connector: callAttempts', { timeout: 40_000 }, () => {
  it('busy twice with 2 attempts: two calls, then one undelivered 601', async () => {
    const { callIds, events } = await attempt('486 Busy Here', 2);
    assert.equal(callIds.length, 2, 'a second call, with its own Call-ID');
    assert.deepEqual(events.map((e) => [e.kind, e.errorCode]), [['undelivered', 601]]);
  });

  it('with the default of 1 attempt, a busy callee is not called again', async () => {
    const { callIds, events } = await attempt('486 Busy Here', 1);
    assert.equal(callIds.length, 1);
    assert.deepEqual(events.map((e) => [e.kind, e.errorCode]), [['undelivered', 601]]);
  });

  it('a callee who rejected the call is not called again, whatever the attempts', async () => {
    const { callIds, events } = await attempt('603 Decline', 3);
    assert.equal(callIds.length, 1);
    assert.deepEqual(events.map((e) => [e.kind, e.errorCode]), [['undelivered', 603]]);
  });
});
