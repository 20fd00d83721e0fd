import { Readable } from 'node:stream';

/**
 * One JSON array written a chunk of items at a time, byte for byte what JSON.stringify makes of the whole array
 * (the app's serializer): a page of 10000 messages is tens of MiB, and built in one go it would hold the event
 * loop for seconds. The next chunk is read only when the socket has taken the previous one.
 */
export function jsonArrayStream<T>(chunks: AsyncIterable<T[]>, view: (item: T) => unknown): Readable {
  async function* pieces(): AsyncGenerator<string> {
    let first = true;
    yield '[';
    for await (const chunk of chunks) {
      if (chunk.length === 0) continue;
      const text = chunk.map((item) => JSON.stringify(view(item))).join(',');
      yield first ? text : `,${text}`;
      first = false;
    }
    yield ']';
  }
  return Readable.from(pieces(), { objectMode: false });
}
