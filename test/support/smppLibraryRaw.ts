/**
 * The `smpp` library as an independent peer: it writes PDUs (`new smpp.PDU(command, fields).toBuffer()`) and reads
 * them back. `fromBuffer` decodes short_message / message_payload to text by its own tables (lossy);
 * `libraryRawFields` runs the library's own field and TLV parsing with its filters off, so short_message and
 * message_payload stay the octets the library wrote.
 */
import smpp from 'smpp';

export function libraryEncode(command: string, fields: Record<string, unknown>): Buffer {
  return new smpp.PDU(command, fields).toBuffer();
}

export function libraryRawFields(pdu: Buffer): Record<string, unknown> {
  const parsed = Object.create(smpp.PDU.prototype, { _filter: { value: () => undefined } }) as { fromBuffer(buffer: Buffer): void };
  parsed.fromBuffer(pdu);
  return parsed as unknown as Record<string, unknown>;
}

export function libraryDecoded(pdu: Buffer): smpp.PDU {
  const decoded = smpp.PDU.fromBuffer(pdu);
  if (!decoded) throw new Error('the library could not read the PDU');
  return decoded;
}
