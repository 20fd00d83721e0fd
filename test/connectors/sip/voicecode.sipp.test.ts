/**
 * VOICECODE over SIP, end to end (issue 4; spec §6.1.4, §11): POST /api/v1/message → the engine → the SIP
 * connector → sipp as the callee over real UDP on 127.0.0.1 → the code played over RTP to the test's receiver →
 * BYE from the gateway → GET /message/{uuid} and the callbacks a local receiver got.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRtpReceiver, type ReceivedRtpPacket, type RtpReceiver } from '../../../src/media/rtpReceiver.js';
import { parseAuthParams } from '../../../src/sip/digest.js';
import { decodeAlaw, encodeAlaw } from '../../../src/voice/g711.js';
import { createVoicecodeSpeech } from '../../../src/voice/voicecodeSpeech.js';
import { skipWithoutSipp, type SippResult } from '../../support/sipp.js';
import {
  CALLEE,
  callbackEventsOf,
  firstMessage,
  parseSippMessages,
  placeCall,
  rms,
  startSipGateway,
  timeline,
  voicecodeItem,
  voicedSegments,
  type SipGateway,
} from './sipHarness.js';

const skip = skipWithoutSipp();
const RTP_PORTS: [number, number] = [22_000, 22_098];

/** What the gateway plays for the canonical text: rendered here too, from the same (shared, cached) clips. */
async function expectedAudio(sip: SipGateway): Promise<Int16Array> {
  const { voice, rate, repeat } = sip.gateway.config.voice;
  return createVoicecodeSpeech({ voice, rate, repeat }).render({ brand: 'revicom', digits: '3456' });
}

/** One SSRC, PCMA, the marker on the first packet only, sequence numbers +1 and timestamps +160 throughout. */
function assertOneContinuousStream(packets: readonly ReceivedRtpPacket[]): void {
  assert.ok(packets.length > 0, 'no RTP packet arrived');
  const first = packets[0]!.packet;
  for (const [i, { packet }] of packets.entries()) {
    assert.equal(packet.ssrc, first.ssrc, `packet ${i}: one SSRC for the whole call`);
    assert.equal(packet.payloadType, 8, `packet ${i}: PCMA, the codec of the answer`);
    assert.equal(packet.marker, i === 0, `packet ${i}: the marker starts the talkspurt and only that`);
    assert.equal(packet.payload.length, 160, `packet ${i}: 20 ms of 8 kHz G.711`);
    if (i === 0) continue;
    const previous = packets[i - 1]!.packet;
    assert.equal(packet.sequenceNumber, (previous.sequenceNumber + 1) & 0xffff, `packet ${i}: sequence number follows`);
    assert.equal(packet.timestamp, (previous.timestamp + 160) >>> 0, `packet ${i}: timestamp advances by 160 samples`);
  }
}

/** The offer's RTP port, from the INVITE sipp received. */
function offeredRtpPort(sipp: SippResult): number {
  const invite = firstMessage(parseSippMessages(sipp.messages), 'received', 'INVITE', sipp);
  const port = Number(/^m=audio (\d+) /m.exec(invite.text)?.[1]);
  assert.ok(Number.isInteger(port), `no m=audio port in the INVITE:\n${invite.text}`);
  return port;
}

describe('VOICECODE over SIP against sipp: answered', { skip, timeout: 60_000 }, () => {
  let sip: SipGateway;
  before(async () => {
    sip = await startSipGateway({ rtpPorts: RTP_PORTS });
  });
  after(async () => {
    await sip?.close();
  });

  it('INVITE with SDP, 180, 200 → ACK; the code is played over RTP, then the gateway BYEs → delivered, with sent and delivered callbacks', async () => {
    const receiver = await createRtpReceiver();
    let packetsWhenSippExited = -1;
    try {
      const audio = await expectedAudio(sip);
      const expectedPackets = Math.ceil(audio.length / 160);
      const { uuid, sipp, message } = await placeCall(sip, {
        scenario: 'voicecode-answer.xml',
        item: voicecodeItem(),
        sippArgs: ['-set', 'rtpport', String(receiver.port)],
        timeoutSeconds: 25,
        onSippExit: () => (packetsWhenSippExited = receiver.packets.length),
      });

      // Spec §6.1.4: sent on the INVITE, delivered on the answer.
      assert.equal(message.status, 'delivered');
      assert.equal(message.errorCode, null);
      assert.notEqual(message.sentTime, null);
      assert.deepEqual(callbackEventsOf(sip, uuid), [
        { message_uuid: uuid, channel_type: 'VOICECODE', callback_event: 'sent', status: 'sent' },
        { message_uuid: uuid, channel_type: 'VOICECODE', callback_event: 'delivered', status: 'delivered' },
      ]);
      const statusEntries = (await timeline(sip, uuid))
        .filter((e) => e.kind === 'sent' || e.kind === 'delivered')
        .map((e) => [e.kind, e.detail?.source, e.detail?.detail]);
      assert.deepEqual(statusEntries, [
        ['sent', 'sip', `INVITE sip:${CALLEE}@127.0.0.1:${sip.trunkPort}`],
        ['delivered', 'sip', 'answered'],
      ]);

      // The offer: an even RTP port of the configured range (sipp checked the codecs, rtpmap and ptime).
      const offered = offeredRtpPort(sipp);
      assert.ok(offered >= RTP_PORTS[0] && offered <= RTP_PORTS[1] && offered % 2 === 0, `offered RTP port ${offered}`);

      // RTP for the whole audio, all of it before the BYE.
      assert.equal(receiver.packets.length, expectedPackets, `≈ audio length / 20 ms: ${audio.length / 8000} s`);
      assert.equal(packetsWhenSippExited, expectedPackets, 'every packet arrived before the call ended');
      assertOneContinuousStream(receiver.packets);
      const log = parseSippMessages(sipp.messages);
      const ack = firstMessage(log, 'received', 'ACK', sipp);
      const bye = firstMessage(log, 'received', 'BYE', sipp);
      const playMs = (expectedPackets - 1) * 20;
      assert.ok(bye.at - ack.at >= playMs - 20, `BYE ${Math.round(bye.at - ack.at)} ms after the ACK, the audio lasts ${playMs} ms`);
      assert.ok(bye.at - ack.at < playMs + 2_000, `BYE ${Math.round(bye.at - ack.at)} ms after the ACK: not right after the audio`);
      const intervals = receiver.intervalStats();
      assert.ok(intervals.p50 > 17 && intervals.p50 < 23, `packet interval p50 ${intervals.p50} ms`);

      // Decoded, it is what the gateway rendered: speech, not silence.
      const pcm = receiver.pcm();
      assert.equal(pcm.length, expectedPackets * 160);
      const sent = decodeAlaw(encodeAlaw(audio));
      let differing = 0;
      for (let i = 0; i < sent.length; i++) if (pcm[i] !== sent[i]) differing++;
      assert.equal(differing, 0, 'the received audio is the rendered audio through A-law');
      const level = rms(pcm);
      assert.ok(level > 800, `RMS ${level.toFixed(0)}: speech, not silence (A-law silence decodes to ±8)`);
      const segments = voicedSegments(pcm);
      // "Код авторизации от revicom" (one or more stretches), then 3 4 5 6 twice.
      assert.ok(segments.length >= 9, `voiced segments ${JSON.stringify(segments)}`);
      const voicedMs = segments.reduce((sum, [start, end]) => sum + end - start, 0);
      const share = voicedMs / (expectedPackets * 20);
      assert.ok(share > 0.25 && share < 0.9, `voiced share ${share.toFixed(2)}: words with pauses between them`);
    } finally {
      await receiver.close();
    }
  });
});

describe('VOICECODE over SIP against sipp: digest authentication', { skip, timeout: 60_000 }, () => {
  let sip: SipGateway;
  let receiver: RtpReceiver;
  before(async () => {
    sip = await startSipGateway({
      rtpPorts: RTP_PORTS,
      configure: (config) => {
        config.sip.authUser = 'alice';
        config.sip.authPassword = 'secret';
        config.sip.authRealm = 'sipp.test';
        config.voice.repeat = 1; // a shorter call: the code read once
      },
    });
  });
  after(async () => {
    await sip?.close();
  });

  async function answeredAfterChallenge(scenario: string) {
    receiver = await createRtpReceiver();
    try {
      const expectedPackets = Math.ceil((await expectedAudio(sip)).length / 160);
      const call = await placeCall(sip, {
        scenario,
        item: voicecodeItem(),
        sippArgs: ['-set', 'rtpport', String(receiver.port)],
        timeoutSeconds: 20,
      });
      assert.equal(call.message.status, 'delivered');
      assert.equal(call.message.errorCode, null);
      assert.deepEqual(
        callbackEventsOf(sip, call.uuid).map((e) => [e.callback_event, e.status]),
        [
          ['sent', 'sent'],
          ['delivered', 'delivered'],
        ],
      );
      assert.equal(receiver.packets.length, expectedPackets, 'the code was played in full');
      assertOneContinuousStream(receiver.packets);
      return call;
    } finally {
      await receiver.close();
    }
  }

  it('401: the INVITE again with Authorization, which sipp verifies (MD5, qop=auth); answered → delivered', async () => {
    await answeredAfterChallenge('voicecode-auth-401.xml');
  });

  it('407: the INVITE again with Proxy-Authorization, whose digest is right; answered → delivered', async () => {
    const { sipp } = await answeredAfterChallenge('voicecode-auth-407.xml');
    // sipp 3.6 verifies only Authorization, so the digest is recomputed here from what sipp received.
    const header = /^Proxy-Authorization: Digest (.*)$/m.exec(sipp.messages)?.[1];
    assert.ok(header, 'sipp received a Proxy-Authorization');
    const p = parseAuthParams(header);
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    const expected = md5(
      [md5('alice:sipp.test:secret'), p.get('nonce'), p.get('nc'), p.get('cnonce'), 'auth', md5(`INVITE:${p.get('uri')}`)].join(':'),
    );
    assert.equal(p.get('response'), expected);
    assert.equal(p.get('uri'), `sip:${CALLEE}@127.0.0.1:${sip.trunkPort}`);
  });
});
