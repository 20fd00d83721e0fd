/**
 * The byte level of an ESME's connection: socket data cut into PDUs by command_length, handed out ONE at a time,
 * so that a session that stops reading (its submit window is full) leaves the rest in the buffer, and in the
 * kernel once the socket is paused, never in a queue of parsed PDUs.
 */
import { HEADER_LENGTH, MAX_PDU_LENGTH } from '../pduFraming.js';

/** The stream cannot be cut into PDUs any more: a command_length outside 16..MAX_PDU_LENGTH. */
export class FramingError extends RangeError {
  constructor(
    message: string,
    /** The header's sequence_number when it could be read, else 0. */
    readonly sequence: number,
  ) {
    super(message);
  }
}

export class PduReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Octets received and not yet handed out. */
  get pending(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next whole PDU, or null until more data arrives; throws a FramingError on an impossible length. */
  next(): Buffer | null {
    if (this.buffered < 4) return null;
    const head = this.flatten();
    const length = head.readUInt32BE(0);
    if (length < HEADER_LENGTH || length > MAX_PDU_LENGTH) {
      const sequence = head.length >= HEADER_LENGTH ? head.readUInt32BE(12) : 0;
      throw new FramingError(`command_length ${length} outside ${HEADER_LENGTH}–${MAX_PDU_LENGTH}`, sequence);
    }
    if (this.buffered < length) return null;
    const pdu = Buffer.from(head.subarray(0, length));
    const rest = head.subarray(length);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return pdu;
  }

  private flatten(): Buffer {
    if (this.chunks.length === 1) return this.chunks[0]!;
    const whole = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [whole];
    return whole;
  }
}
