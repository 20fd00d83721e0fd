import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeWav, encodeWav } from '../../src/voice/wav.js';

test('encodeWav writes a 44-byte PCM 16-bit mono header', () => {
  const wav = encodeWav(Int16Array.of(1, -2, 32767, -32768), 8000);
  assert.equal(wav.length, 44 + 8);
  assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
  assert.equal(wav.readUInt32LE(4), 36 + 8);
  assert.equal(wav.toString('ascii', 8, 16), 'WAVEfmt ');
  assert.equal(wav.readUInt32LE(16), 16);
  assert.equal(wav.readUInt16LE(20), 1, 'PCM');
  assert.equal(wav.readUInt16LE(22), 1, 'mono');
  assert.equal(wav.readUInt32LE(24), 8000);
  assert.equal(wav.readUInt32LE(28), 16000, 'byte rate');
  assert.equal(wav.readUInt16LE(32), 2, 'block align');
  assert.equal(wav.readUInt16LE(34), 16);
  assert.equal(wav.toString('ascii', 36, 40), 'data');
  assert.equal(wav.readUInt32LE(40), 8);
  assert.equal(wav.readInt16LE(44), 1, 'little-endian samples');
  assert.equal(wav.readInt16LE(50), -32768);
});

test('decodeWav(encodeWav(x)) gives back the samples and the rate', () => {
  const samples = Int16Array.from({ length: 1001 }, (_, i) => ((i * 7919) % 65536) - 32768);
  const decoded = decodeWav(encodeWav(samples, 22050));
  assert.deepEqual(decoded, { sampleRate: 22050, channels: 1, bitsPerSample: 16, samples });
});

test('decodeWav skips unknown chunks, odd-sized ones included, and rejects what is not WAV', () => {
  const plain = encodeWav(Int16Array.of(5, 6), 8000);
  const extra = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc\0')]);
  const withList = Buffer.concat([plain.subarray(0, 36), extra, plain.subarray(36)]);
  withList.writeUInt32LE(withList.length - 8, 4);
  assert.deepEqual([...decodeWav(withList).samples], [5, 6]);
  assert.throws(() => decodeWav(Buffer.from('not a wav file at all')), /RIFF/);
});
