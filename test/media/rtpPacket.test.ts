import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RTP_HEADER_BYTES,
  buildRtpPacket,
  packetizeTalkspurt,
  parseRtpPacket,
  type RtpPacket,
} from '../../src/media/rtpPacket.js';

const payload = Uint8Array.from({ length: 160 }, (_, i) => i);
const sample: RtpPacket = { payloadType: 8, marker: true, sequenceNumber: 0xbeef, timestamp: 0xdeadbeef, ssrc: 0x12345678, payload };

function parsed(bytes: Uint8Array): RtpPacket {
  const result = parseRtpPacket(bytes);
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.packet;
}

test('a built packet parses back to the same fields and payload', () => {
  for (const packet of [sample, { ...sample, marker: false, payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0xffffffff }]) {
    const back = parsed(buildRtpPacket(packet));
    assert.deepEqual({ ...back, payload: [...back.payload] }, { ...packet, payload: [...packet.payload] });
  }
});

test('header: V=2, P=0, X=0, CC=0, M and PT in byte 1, big-endian sequence, timestamp and SSRC', () => {
  const bytes = buildRtpPacket(sample);
  assert.equal(bytes.length, RTP_HEADER_BYTES + 160);
  assert.equal(bytes[0], 0x80);
  assert.equal(bytes[1], 0x80 | 8);
  assert.deepEqual([...bytes.subarray(2, 12)], [0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0x12, 0x34, 0x56, 0x78]);
  assert.equal(buildRtpPacket({ ...sample, marker: false, payloadType: 0 })[1], 0);
});

test('parse skips CSRCs and a header extension and strips padding', () => {
  const header = [0x80 | 0x20 | 0x10 | 2, 0x80 | 0, 0, 7, 0, 0, 0, 9, 0, 0, 0, 1];
  const csrcs = [1, 1, 1, 1, 2, 2, 2, 2];
  const extension = [0xbe, 0xde, 0, 1, 9, 9, 9, 9];
  const bytes = Uint8Array.from([...header, ...csrcs, ...extension, 0xaa, 0xbb, 0, 0, 3]);
  const packet = parsed(bytes);
  assert.deepEqual([...packet.payload], [0xaa, 0xbb]);
  assert.equal(packet.sequenceNumber, 7);
  assert.equal(packet.timestamp, 9);
  assert.equal(packet.marker, true);
});

test('parse refuses what is not RTP', () => {
  assert.equal(parseRtpPacket(new Uint8Array(11)).ok, false);
  assert.equal(parseRtpPacket(Uint8Array.from([0x40, ...new Array(11).fill(0)])).ok, false); // version 1
  assert.equal(parseRtpPacket(Uint8Array.from([0xa0, ...new Array(10).fill(0), 200])).ok, false); // padding > packet
});

test('a talkspurt: one packet per 160 samples, sequence +1 and timestamp +160, marker on the first only', () => {
  const audio = new Uint8Array(160 * 5);
  const packets = packetizeTalkspurt(audio, { payloadType: 0, ssrc: 42, sequenceNumber: 1000, timestamp: 5000 }).map(parsed);
  assert.equal(packets.length, 5);
  assert.deepEqual(packets.map((p) => p.sequenceNumber), [1000, 1001, 1002, 1003, 1004]);
  assert.deepEqual(packets.map((p) => p.timestamp), [5000, 5160, 5320, 5480, 5640]);
  assert.deepEqual(packets.map((p) => p.marker), [true, false, false, false, false]);
  assert.ok(packets.every((p) => p.ssrc === 42 && p.payloadType === 0 && p.payload.length === 160));
});

test('sequence numbers wrap at 2^16 and timestamps at 2^32', () => {
  const audio = new Uint8Array(160 * 4);
  const start = { payloadType: 8, ssrc: 1, sequenceNumber: 65534, timestamp: 0xffffffff - 200 };
  const packets = packetizeTalkspurt(audio, start).map(parsed);
  assert.deepEqual(packets.map((p) => p.sequenceNumber), [65534, 65535, 0, 1]);
  assert.deepEqual(packets.map((p) => p.timestamp), [0xffffffff - 200, 0xffffffff - 40, 119, 279]);
});
