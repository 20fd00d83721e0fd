/**
 * The byte level of an SMPP connection that the `smpp` library does not let us own: cutting the TCP stream into
 * PDUs by command_length, so that each PDU's raw octets are at hand (deliverSm.ts reads them).
 */

/** SMPP 3.4 sets no maximum; 64 KiB fits a full message_payload (the library's default of 16 KiB does not). */
export const MAX_PDU_LENGTH = 70_000;
export const HEADER_LENGTH = 16;

export interface PduHeader {
  commandLength: number;
  commandId: number;
  commandStatus: number;
  sequenceNumber: number;
}

export function readHeader(raw: Buffer): PduHeader {
  return { commandLength: raw.readUInt32BE(0), commandId: raw.readUInt32BE(4), commandStatus: raw.readUInt32BE(8), sequenceNumber: raw.readUInt32BE(12) };
}

/** Accumulates socket data and hands out whole PDUs. A command_length outside 16..MAX_PDU_LENGTH cannot be framed. */
export class PduFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Whole PDUs now available; throws a RangeError (with the header's sequence number) on an impossible length. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    while (this.buffered >= 4) {
      const head = this.chunks.length === 1 ? this.chunks[0]! : this.flatten();
      const length = head.readUInt32BE(0);
      if (length < HEADER_LENGTH || length > MAX_PDU_LENGTH) {
        const sequence = head.length >= HEADER_LENGTH ? head.readUInt32BE(12) : 0;
        throw Object.assign(new RangeError(`command_length ${length} outside ${HEADER_LENGTH}–${MAX_PDU_LENGTH}`), { sequence });
      }
      if (this.buffered < length) break;
      out.push(Buffer.from(head.subarray(0, length)));
      const rest = head.subarray(length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
    return out;
  }

  private flatten(): Buffer {
    const whole = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [whole];
    return whole;
  }
}
