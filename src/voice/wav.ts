/* RIFF/WAVE, PCM 16-bit: what `voice render` writes so a person can listen to what a call plays. */

const HEADER_BYTES = 44;

export function encodeWav(samples: Int16Array, sampleRate: number): Buffer {
  const dataBytes = samples.length * 2;
  const wav = Buffer.alloc(HEADER_BYTES + dataBytes);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + dataBytes, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(sampleRate * 2, 28); // byte rate
  wav.writeUInt16LE(2, 32); // block align
  wav.writeUInt16LE(16, 34); // bits per sample
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) wav.writeInt16LE(samples[i]!, HEADER_BYTES + i * 2);
  return wav;
}

export interface DecodedWav {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Interleaved when there is more than one channel. */
  samples: Int16Array;
}

/** Reads 16-bit PCM WAV files, walking the chunks so files with extra chunks (LIST, fact…) work too. */
export function decodeWav(buffer: Buffer): DecodedWav {
  if (buffer.length < 12 || buffer.toString('ascii', 0, 4) !== 'RIFF' || buffer.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let format: Omit<DecodedWav, 'samples'> | undefined;
  for (let offset = 12; offset + 8 <= buffer.length; ) {
    const id = buffer.toString('ascii', offset, offset + 4);
    const size = buffer.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      const audioFormat = buffer.readUInt16LE(body);
      format = {
        channels: buffer.readUInt16LE(body + 2),
        sampleRate: buffer.readUInt32LE(body + 4),
        bitsPerSample: buffer.readUInt16LE(body + 14),
      };
      if (audioFormat !== 1 || format.bitsPerSample !== 16) {
        throw new Error(`unsupported WAV format ${audioFormat}, ${format.bitsPerSample}-bit: only 16-bit PCM`);
      }
    } else if (id === 'data') {
      if (!format) throw new Error('WAV data chunk before its fmt chunk');
      const end = Math.min(body + size, buffer.length);
      const samples = new Int16Array((end - body) >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = buffer.readInt16LE(body + i * 2);
      return { ...format, samples };
    }
    offset = body + size + (size & 1); // chunks are padded to an even length
  }
  throw new Error('WAV file has no data chunk');
}
