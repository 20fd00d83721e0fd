/**
 * VOICECODE calls that are not answered, end to end against sipp (issue 4): each SIP outcome becomes the status
 * and error code of the spec's SIP mapping (§6.1.4), with `sent` and then `delivered` callbacks carrying it (§11).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { messageOf } from '../../support/delivery.js';
import { skipWithoutSipp } from '../../support/sipp.js';
import {
  callbackEventsOf,
  firstMessage,
  parseSippMessages,
  placeCall,
  startSipGateway,
  timeline,
  voicecodeItem,
  type SipGateway,
} from './sipHarness.js';

const skip = skipWithoutSipp();
const RING_TIMEOUT_MS = 1_000;

describe('VOICECODE over SIP against sipp: not answered', { skip, timeout: 60_000 }, () => {
  let sip: SipGateway;
  before(async () => {
    sip = await startSipGateway({
      rtpPorts: [22_100, 22_198],
      configure: (config) => {
        config.sip.ringTimeoutMs = RING_TIMEOUT_MS;
      },
    });
  });
  after(async () => {
    await sip?.close();
  });

  async function assertUndelivered(uuid: string, errorCode: number, detail: RegExp) {
    const m = await messageOf(sip.gateway, sip.auth, uuid);
    assert.equal(m.status, 'undelivered');
    assert.equal(m.errorCode, errorCode);
    assert.notEqual(m.sentTime, null, 'the INVITE went out: sent first');
    assert.deepEqual(callbackEventsOf(sip, uuid), [
      { message_uuid: uuid, channel_type: 'VOICECODE', callback_event: 'sent', status: 'sent' },
      { message_uuid: uuid, channel_type: 'VOICECODE', callback_event: 'delivered', status: 'undelivered', error_code: errorCode },
    ]);
    const entry = (await timeline(sip, uuid)).find((e) => e.kind === 'undelivered');
    assert.equal(entry?.detail?.source, 'sip');
    assert.match(String(entry?.detail?.detail), detail);
  }

  const rejections: [status: number, errorCode: number, meaning: string][] = [
    [486, 601, 'busy'],
    [603, 603, 'rejected'],
    [404, 501, 'the number does not exist'],
    [480, 602, 'no answer'],
    [503, 604, 'any other failure'],
  ];
  for (const [status, errorCode, meaning] of rejections) {
    it(`${status} (ACKed) → undelivered ${errorCode}: ${meaning}`, async () => {
      const { uuid } = await placeCall(sip, { scenario: `voicecode-reject-${status}.xml`, item: voicecodeItem() });
      await assertUndelivered(uuid, errorCode, new RegExp(`^SIP ${status} `));
    });
  }

  it(`ringing past the ring timeout (${RING_TIMEOUT_MS} ms): CANCEL, 200, 487, ACK → undelivered 602`, async () => {
    const { uuid, sipp } = await placeCall(sip, { scenario: 'voicecode-ring-timeout.xml', item: voicecodeItem() });
    await assertUndelivered(uuid, 602, /^SIP 487 /);
    const log = parseSippMessages(sipp.messages);
    const invite = firstMessage(log, 'received', 'INVITE', sipp);
    const cancel = firstMessage(log, 'received', 'CANCEL', sipp);
    const waited = cancel.at - invite.at;
    assert.ok(waited >= RING_TIMEOUT_MS - 20 && waited < RING_TIMEOUT_MS + 500, `CANCEL ${Math.round(waited)} ms after the INVITE`);
  });
});
