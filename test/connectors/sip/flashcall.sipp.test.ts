/**
 * FLASHCALL over SIP, end to end against sipp (issue 4; spec §6.2.2): the caller ID is the number pattern with
 * the code in place of its X's (From and P-Asserted-Identity, which sipp checks), `delivered` once the phone
 * rings, then CANCEL after a short ring; answered anyway → ACK and BYE at once, still `delivered`; a code the
 * pattern cannot show → unsent 604 without any call.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { createRtpReceiver } from '../../../src/media/rtpReceiver.js';
import { pause } from '../../support/delivery.js';
import { skipWithoutSipp } from '../../support/sipp.js';
import {
  callbackEventsOf,
  driveDelivery,
  firstMessage,
  flashcallItem,
  FLASHCALL_PATTERN,
  parseSippMessages,
  placeCall,
  sendMessage,
  startSipGateway,
  timeline,
  waitForStatus,
  type SipGateway,
} from './sipHarness.js';

const skip = skipWithoutSipp();
const FLASHCALL_RING_MS = 600;
const RTP_PORTS: [number, number] = [22_200, 22_298];

/** The caller ID the gateway must show for a code. */
const callerIdFor = (code: string) => FLASHCALL_PATTERN.replace(/X+$/, code);

describe('FLASHCALL over SIP against sipp', { skip, timeout: 60_000 }, () => {
  let sip: SipGateway;
  before(async () => {
    sip = await startSipGateway({
      rtpPorts: RTP_PORTS,
      configure: (config) => {
        config.sip.flashcallNumberPattern = FLASHCALL_PATTERN;
        config.sip.flashcallRingMs = FLASHCALL_RING_MS;
      },
    });
  });
  after(async () => {
    await sip?.close();
  });

  async function assertDelivered(uuid: string) {
    const events = callbackEventsOf(sip, uuid);
    assert.deepEqual(events, [
      { message_uuid: uuid, channel_type: 'FLASHCALL', callback_event: 'sent', status: 'sent' },
      { message_uuid: uuid, channel_type: 'FLASHCALL', callback_event: 'delivered', status: 'delivered' },
    ]);
    const entries = (await timeline(sip, uuid))
      .filter((e) => e.kind === 'sent' || e.kind === 'delivered' || e.kind === 'undelivered')
      .map((e) => [e.kind, e.detail?.detail]);
    return entries;
  }

  it('caller ID ends in the code (From and P-Asserted-Identity), 180 → delivered, CANCEL after the ring delay, 487, ACK', async () => {
    const code = '0427'; // leading zeros are part of the code
    const { uuid, sipp, message } = await placeCall(sip, {
      scenario: 'flashcall-ring.xml',
      item: flashcallItem(code),
      sippArgs: ['-set', 'code', code],
    });
    assert.equal(message.status, 'delivered');
    assert.equal(message.errorCode, null);
    assert.deepEqual(await assertDelivered(uuid), [
      ['sent', `INVITE from ${callerIdFor(code)}`],
      ['delivered', 'ringing (180)'],
    ]);

    const log = parseSippMessages(sipp.messages);
    const invite = firstMessage(log, 'received', 'INVITE', sipp);
    assert.match(invite.text, new RegExp(`^From: <sip:${callerIdFor(code)}@127\\.0\\.0\\.1>;tag=`, 'm'));
    assert.match(invite.text, new RegExp(`^P-Asserted-Identity: <sip:${callerIdFor(code)}@127\\.0\\.0\\.1>\\s*$`, 'm'));
    const ringing = firstMessage(log, 'sent', 'SIP/2.0 180', sipp);
    const cancel = firstMessage(log, 'received', 'CANCEL', sipp);
    const rang = cancel.at - ringing.at;
    assert.ok(rang >= FLASHCALL_RING_MS - 20 && rang < FLASHCALL_RING_MS + 500, `CANCEL ${Math.round(rang)} ms after the 180`);
  });

  it('picked up anyway: ACK and BYE at once, no audio, still delivered', async () => {
    const code = '9316';
    const receiver = await createRtpReceiver();
    try {
      const { uuid, sipp, message } = await placeCall(sip, {
        scenario: 'flashcall-answer.xml',
        item: flashcallItem(code),
        sippArgs: ['-set', 'code', code, '-set', 'rtpport', String(receiver.port)],
      });
      assert.equal(message.status, 'delivered');
      assert.equal(message.errorCode, null);
      assert.deepEqual(await assertDelivered(uuid), [
        ['sent', `INVITE from ${callerIdFor(code)}`],
        ['delivered', 'ringing (180)'],
      ]);
      const log = parseSippMessages(sipp.messages);
      const answer = firstMessage(log, 'sent', 'SIP/2.0 200', sipp);
      const bye = firstMessage(log, 'received', 'BYE', sipp);
      const held = bye.at - answer.at;
      assert.ok(held < 300 && held < FLASHCALL_RING_MS, `BYE ${Math.round(held)} ms after the 200: released at once, not at the ring delay`);
      await pause(100);
      assert.equal(receiver.packets.length, 0, 'nothing is played on a flash call');
    } finally {
      await receiver.close();
    }
  });
});

describe('FLASHCALL over SIP: a code the number pattern cannot show', { timeout: 30_000 }, () => {
  it('4-digit code, pattern with 5 X\'s → unsent 604, no INVITE', async () => {
    // The trunk is a socket of the test's: nothing may arrive there.
    const trunk = dgram.createSocket('udp4');
    const datagrams: Buffer[] = [];
    trunk.on('message', (data) => datagrams.push(data));
    await new Promise<void>((resolve) => trunk.bind(0, '127.0.0.1', resolve));
    const sip = await startSipGateway({
      rtpPorts: RTP_PORTS,
      trunkPort: trunk.address().port,
      configure: (config) => {
        config.sip.flashcallNumberPattern = '749512XXXXX';
      },
    });
    const driver = driveDelivery(sip.gateway);
    try {
      const uuid = await sendMessage(sip, flashcallItem('1234'));
      const message = await waitForStatus(sip, uuid, ['unsent', 'sent', 'delivered', 'undelivered'], 15_000);
      await driver.stop();
      assert.equal(message.status, 'unsent');
      assert.equal(message.errorCode, 604);
      assert.equal(message.sentTime, null);
      assert.deepEqual(callbackEventsOf(sip, uuid), [
        { message_uuid: uuid, channel_type: 'FLASHCALL', callback_event: 'delivered', status: 'unsent', error_code: 604 },
      ]);
      const unsent = (await timeline(sip, uuid)).find((e) => e.kind === 'unsent');
      assert.match(String(unsent?.detail?.detail), /749512XXXXX/);
      await pause(50);
      assert.equal(datagrams.length, 0, `no SIP message may go out: ${datagrams.map(String).join('\n')}`);
    } finally {
      await driver.stop();
      await sip.close();
      trunk.close();
    }
  });
});
