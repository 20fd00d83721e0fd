/**
 * The user agent against sipp, an independent SIP implementation, as the callee over real UDP on 127.0.0.1.
 * Each scenario (test/sip/scenarios) checks our requests field by field; sipp exiting 0 means all held.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseAuthParams } from '../../src/sip/digest.js';
import { buildSdpOffer, parseSdpAnswer } from '../../src/sip/sdp.js';
import { createSipUserAgent, type SipUserAgentOptions } from '../../src/sip/userAgent.js';
import { describeSipp, freeUdpPort, skipWithoutSipp, startSipp, type SippResult } from '../support/sipp.js';
import { delay, recordCall } from './callEvents.js';

const CALLER = '74950000000';
const CALLEE = '79001234567';
const OFFER = buildSdpOffer({ address: '127.0.0.1', port: 40000, codecs: ['PCMA', 'PCMU'], telephoneEventPayloadType: 101 });

function userAgentFor(port: number, extra: Partial<SipUserAgentOptions> = {}) {
  return createSipUserAgent({
    localAddress: '127.0.0.1',
    localPort: 0,
    trunk: { host: '127.0.0.1', port },
    userAgent: 'dgw-sip-test',
    timers: { t1Ms: 100 },
    ...extra,
  });
}

function assertSippPassed(result: SippResult): void {
  assert.equal(result.exitCode, 0, describeSipp(result));
}

const skip = skipWithoutSipp();

describe('SIP user agent against sipp', { skip, timeout: 30_000 }, () => {
  it('answered call: 100, 180, 200 with SDP and Record-Route → ACK, then our BYE through the route set', async () => {
    const sipp = await startSipp({ scenario: 'answer-bye-from-caller.xml' });
    const ua = await userAgentFor(sipp.port);
    try {
      const call = ua.invite({ to: CALLEE, from: CALLER, pAssertedIdentity: CALLER, sdp: OFFER });
      const recording = recordCall(call, { answered: () => call.hangup() });
      await recording.finished;
      assertSippPassed(await sipp.done);
      assert.deepEqual(recording.names(), ['trying', 'ringing', 'answered', 'ended']);
      assert.deepEqual(recording.first('ringing'), { code: 180, reason: 'Ringing' });
      assert.deepEqual(recording.first('ended'), { by: 'local' });
      const media = parseSdpAnswer(recording.first('answered')!.sdp, ['PCMA', 'PCMU']);
      assert.equal(media?.address, '127.0.0.1');
      assert.equal(media?.payloadType, 8);
    } finally {
      sipp.kill();
      await ua.close();
    }
  });

  it('answered call the callee hangs up: 183 with SDP, 200, ACK; its BYE gets our 200', async () => {
    const sipp = await startSipp({ scenario: 'answer-bye-from-callee.xml' });
    const ua = await userAgentFor(sipp.port);
    try {
      const recording = recordCall(ua.invite({ to: CALLEE, from: CALLER, sdp: OFFER }));
      await recording.finished;
      assertSippPassed(await sipp.done);
      assert.deepEqual(recording.names(), ['trying', 'ringing', 'answered', 'ended']);
      const ringing = recording.first('ringing')!;
      assert.equal(ringing.code, 183);
      assert.match(ringing.sdp ?? '', /m=audio \d+ RTP\/AVP 8/);
      assert.deepEqual(recording.first('ended'), { by: 'remote' });
    } finally {
      sipp.kill();
      await ua.close();
    }
  });

  for (const code of [486, 603, 404]) {
    it(`${code}: failed with that code, ACK in the INVITE transaction`, async () => {
      const sipp = await startSipp({ scenario: `reject-${code}.xml` });
      const ua = await userAgentFor(sipp.port);
      try {
        const recording = recordCall(ua.invite({ to: CALLEE, from: CALLER, sdp: OFFER }));
        await recording.finished;
        assertSippPassed(await sipp.done);
        assert.deepEqual(recording.names(), ['trying', 'failed']);
        assert.equal(recording.first('failed')?.code, code);
      } finally {
        sipp.kill();
        await ua.close();
      }
    });
  }

  it('ringing, then cancel(): CANCEL, 200 for it, 487 for the INVITE, ACK', async () => {
    const sipp = await startSipp({ scenario: 'ring-until-cancel.xml' });
    const ua = await userAgentFor(sipp.port);
    try {
      const call = ua.invite({ to: CALLEE, from: CALLER, sdp: OFFER });
      const recording = recordCall(call, { ringing: () => call.cancel() });
      await recording.finished;
      assertSippPassed(await sipp.done);
      assert.deepEqual(recording.names(), ['ringing', 'failed']);
      assert.deepEqual(recording.first('failed'), { code: 487, reason: 'Request Terminated' });
    } finally {
      sipp.kill();
      await ua.close();
    }
  });

  it('cancel() before any provisional response: the CANCEL waits for one (RFC 3261 §9.1)', async () => {
    const sipp = await startSipp({ scenario: 'ring-until-cancel.xml' });
    const ua = await userAgentFor(sipp.port);
    try {
      const call = ua.invite({ to: CALLEE, from: CALLER, sdp: OFFER });
      const recording = recordCall(call);
      await delay(0); // the INVITE is on its way, nothing has answered yet
      call.cancel();
      await recording.finished;
      assertSippPassed(await sipp.done);
      assert.equal(recording.first('failed')?.code, 487);
    } finally {
      sipp.kill();
      await ua.close();
    }
  });

  it('401: the INVITE again with Authorization (MD5, qop=auth), which sipp verifies; then answered', async () => {
    const sipp = await startSipp({ scenario: 'auth-401.xml' });
    const ua = await userAgentFor(sipp.port, { auth: { user: 'alice', password: 'secret' } });
    try {
      const call = ua.invite({ to: CALLEE, from: CALLER, sdp: OFFER });
      const recording = recordCall(call, { answered: () => call.hangup() });
      await recording.finished;
      assertSippPassed(await sipp.done);
      assert.deepEqual(recording.names(), ['trying', 'ringing', 'answered', 'ended']);
    } finally {
      sipp.kill();
      await ua.close();
    }
  });

  it('407: the INVITE again with Proxy-Authorization, whose digest is right', async () => {
    const sipp = await startSipp({ scenario: 'auth-407.xml' });
    const ua = await userAgentFor(sipp.port, { auth: { user: 'alice', password: 'secret', realm: 'sipp.test' } });
    try {
      const call = ua.invite({ to: CALLEE, from: CALLER, sdp: OFFER });
      const recording = recordCall(call, { answered: () => call.hangup() });
      await recording.finished;
      const result = await sipp.done;
      assertSippPassed(result);
      assert.deepEqual(recording.names(), ['trying', 'ringing', 'answered', 'ended']);
      // sipp 3.6 verifies only Authorization, so the digest is recomputed here from what sipp received.
      const header = /^Proxy-Authorization: Digest (.*)$/m.exec(result.messages)?.[1];
      assert.ok(header, 'sipp received a Proxy-Authorization');
      const p = parseAuthParams(header);
      const md5 = (text: string) => createHash('md5').update(text).digest('hex');
      const expected = md5(
        [md5('alice:sipp.test:secret'), p.get('nonce'), p.get('nc'), p.get('cnonce'), 'auth', md5(`INVITE:${p.get('uri')}`)].join(':'),
      );
      assert.equal(p.get('response'), expected);
      assert.equal(p.get('uri'), `sip:${CALLEE}@127.0.0.1:${sipp.port}`);
    } finally {
      sipp.kill();
      await ua.close();
    }
  });

  it('several calls at once on one socket, each its own transaction and dialog', async () => {
    const calls = 8;
    const sipp = await startSipp({ scenario: 'answer-bye-from-caller.xml', calls });
    const ua = await userAgentFor(sipp.port);
    try {
      const recordings = Array.from({ length: calls }, () => {
        const call = ua.invite({ to: CALLEE, from: CALLER, pAssertedIdentity: CALLER, sdp: OFFER });
        return { call, recording: recordCall(call, { answered: () => call.hangup() }) };
      });
      await Promise.all(recordings.map(({ recording }) => recording.finished));
      assertSippPassed(await sipp.done);
      for (const { recording } of recordings) {
        assert.deepEqual(recording.names(), ['trying', 'ringing', 'answered', 'ended']);
      }
      assert.equal(new Set(recordings.map(({ call }) => call.callId)).size, calls);
    } finally {
      sipp.kill();
      await ua.close();
    }
  });

  it('retransmits the INVITE until sipp is there to answer it', async () => {
    const port = await freeUdpPort();
    const ua = await userAgentFor(port);
    try {
      const call = ua.invite({ to: CALLEE, from: CALLER, pAssertedIdentity: CALLER, sdp: OFFER });
      const recording = recordCall(call, { answered: () => call.hangup() });
      await delay(250); // the INVITE and its first retransmission (T1 = 100 ms) reach nobody
      const sipp = await startSipp({ scenario: 'answer-bye-from-caller.xml', port });
      try {
        await recording.finished;
        assertSippPassed(await sipp.done);
        assert.deepEqual(recording.names(), ['trying', 'ringing', 'answered', 'ended']);
      } finally {
        sipp.kill();
      }
    } finally {
      await ua.close();
    }
  });
});
