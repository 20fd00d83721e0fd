/**
 * PDUs in and out through the `smpp` library's codec (not its Session: see smscSession.ts).
 * - In: the library's own field and TLV parsing with its filters OFF, so fields stay as on the wire:
 *   short_message / message_payload are the octets sent (the door decodes them strictly: shortMessageText.ts),
 *   schedule_delivery_time / validity_period the strings (smppTime.ts). TLVs the library does not know are kept
 *   under their numeric tag, as a Buffer.
 * - Out: `new smpp.PDU(command, fields)`; a response with command_status ≠ 0 is header only.
 */
import smpp from 'smpp';
import { MAX_PDU_LENGTH } from '../pduFraming.js';

export type PduFields = Record<string, unknown>;

/** Fields of a raw PDU; throws when the library cannot read it (e.g. a TLV cut short). */
export function readPduFields(raw: Buffer): PduFields {
  const parsed = Object.create(smpp.PDU.prototype, { _filter: { value: () => undefined } }) as { fromBuffer(buffer: Buffer): void };
  // The library refuses PDUs longer than its global PDU.maxLength (16 KiB); our framing allows MAX_PDU_LENGTH.
  // Raised for this one synchronous call only.
  const saved = smpp.PDU.maxLength;
  smpp.PDU.maxLength = Math.max(saved, MAX_PDU_LENGTH);
  try {
    parsed.fromBuffer(raw);
  } finally {
    smpp.PDU.maxLength = saved;
  }
  const fields = { ...(parsed as unknown as PduFields) };
  for (const header of ['command_length', 'command_id', 'command_status', 'sequence_number', 'command']) delete fields[header];
  return fields;
}

/** A PDU's octets with the given sequence number and command_status. */
export function encodePdu(command: string, sequence: number, status = 0, fields: PduFields = {}): Buffer {
  const raw = new smpp.PDU(command, { ...fields, command_status: status }).toBuffer();
  raw.writeUInt32BE(sequence >>> 0, 12);
  return raw;
}
