import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSdpOffer, parseSdpAnswer } from '../../src/sip/sdp.js';

describe('SDP offer', () => {
  it('lists the codecs in the configured order, with rtpmap, ptime and sendrecv, CRLF-terminated', () => {
    const offer = buildSdpOffer({
      address: '192.0.2.10',
      port: 40000,
      codecs: ['PCMA', 'PCMU'],
      telephoneEventPayloadType: 101,
      sessionId: '42',
    });
    assert.equal(
      offer,
      [
        'v=0',
        'o=- 42 1 IN IP4 192.0.2.10',
        's=-',
        'c=IN IP4 192.0.2.10',
        't=0 0',
        'm=audio 40000 RTP/AVP 8 0 101',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        'a=ptime:20',
        'a=sendrecv',
        '',
      ].join('\r\n'),
    );
  });

  it('PCMU first when so configured; no telephone-event unless asked', () => {
    const offer = buildSdpOffer({ address: '192.0.2.10', port: 40002, codecs: ['PCMU'] });
    assert.match(offer, /\r\nm=audio 40002 RTP\/AVP 0\r\n/);
    assert.doesNotMatch(offer, /telephone-event/);
    assert.match(offer, /^o=- \d+ 1 IN IP4 192\.0\.2\.10\r$/m);
  });

  it('refuses an offer without codecs', () => {
    assert.throws(() => buildSdpOffer({ address: '192.0.2.10', port: 1, codecs: [] }));
  });
});

describe('SDP answer', () => {
  const answer = (lines: string[]) => lines.join('\r\n') + '\r\n';

  it('takes the first offered codec the answer accepts, and the session-level address', () => {
    const sdp = answer(['v=0', 'o=- 1 1 IN IP4 198.51.100.1', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0', 'm=audio 30000 RTP/AVP 0 8 101']);
    assert.deepEqual(parseSdpAnswer(sdp, ['PCMA', 'PCMU']), {
      address: '198.51.100.7',
      port: 30000,
      payloadType: 8,
      codec: 'PCMA',
      direction: 'sendrecv',
    });
    assert.equal(parseSdpAnswer(sdp, ['PCMU', 'PCMA'])?.payloadType, 0);
  });

  it('prefers a media-level c= and reads the direction; tolerates LF line ends and a TTL', () => {
    const sdp = ['v=0', 'c=IN IP4 198.51.100.7', 't=0 0', 'm=audio 30000 RTP/AVP 0', 'c=IN IP4 203.0.113.5/127', 'a=recvonly'].join('\n');
    const media = parseSdpAnswer(sdp, ['PCMA', 'PCMU']);
    assert.equal(media?.address, '203.0.113.5');
    assert.equal(media?.direction, 'recvonly');
  });

  it('null when the stream is rejected (port 0), has no common codec, or no address', () => {
    assert.equal(parseSdpAnswer(answer(['v=0', 'c=IN IP4 198.51.100.7', 'm=audio 0 RTP/AVP 8']), ['PCMA']), null);
    assert.equal(parseSdpAnswer(answer(['v=0', 'c=IN IP4 198.51.100.7', 'm=audio 30000 RTP/AVP 18']), ['PCMA', 'PCMU']), null);
    assert.equal(parseSdpAnswer(answer(['v=0', 'm=audio 30000 RTP/AVP 8']), ['PCMA']), null);
    assert.equal(parseSdpAnswer(answer(['v=0', 'c=IN IP4 198.51.100.7', 'm=video 30000 RTP/AVP 8']), ['PCMA']), null);
  });

  it('does not take a static payload type that the answer maps to another codec', () => {
    const sdp = answer(['v=0', 'c=IN IP4 198.51.100.7', 'm=audio 30000 RTP/AVP 8 0', 'a=rtpmap:8 G729/8000']);
    assert.equal(parseSdpAnswer(sdp, ['PCMA', 'PCMU'])?.codec, 'PCMU');
  });

  it('reads only the first audio stream', () => {
    const sdp = answer(['v=0', 'c=IN IP4 198.51.100.7', 'm=audio 30000 RTP/AVP 0', 'm=audio 30002 RTP/AVP 8']);
    assert.equal(parseSdpAnswer(sdp, ['PCMA', 'PCMU'])?.port, 30000);
  });
});
