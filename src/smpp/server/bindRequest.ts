/**
 * A bind_transmitter / bind_receiver / bind_transceiver read STRICTLY from its octets (SMPP 3.4 §4.1): every
 * C-octet string NUL-terminated within its maximum size and within command_length, nothing after address_range.
 * The library's reader takes a string of any length up to the end of the PDU, so it cannot tell a malformed bind.
 */
import { HEADER_LENGTH } from '../pduFraming.js';
import { bindTypeOf, type BindType } from './smscCommands.js';

export interface BindFields {
  bindType: BindType;
  systemId: string;
  password: string;
  systemType: string;
  interfaceVersion: number;
  addrTon: number;
  addrNpi: number;
  addressRange: string;
}

export type BindReading = { ok: true; bind: BindFields } | { ok: false; reason: string };

/** SMPP 3.4 §4.1.1 maximum sizes, the NUL included. */
const MAX = { systemId: 16, password: 9, systemType: 13, addressRange: 41 } as const;

/** interface_version values a bind may carry: 3.4, and 3.3 (answered as 3.4). */
export const SUPPORTED_INTERFACE_VERSIONS: readonly number[] = [0x34, 0x33];
export const SC_INTERFACE_VERSION = 0x34;

export function readBind(raw: Buffer): BindReading {
  const bindType = bindTypeOf(raw.readUInt32BE(4));
  if (!bindType) return { ok: false, reason: 'not a bind' };
  const end = Math.min(raw.length, raw.readUInt32BE(0));
  let at = HEADER_LENGTH;
  const cstring = (name: keyof typeof MAX): string | null => {
    const zero = raw.indexOf(0, at);
    if (zero < 0 || zero >= end || zero - at + 1 > MAX[name]) return null;
    const text = raw.toString('latin1', at, zero);
    at = zero + 1;
    return text;
  };
  const int8 = (): number | null => (at < end ? raw[at++]! : null);
  const systemId = cstring('systemId');
  if (systemId === null) return { ok: false, reason: `system_id longer than ${MAX.systemId - 1} characters or not terminated` };
  const password = cstring('password');
  if (password === null) return { ok: false, reason: `password longer than ${MAX.password - 1} characters or not terminated` };
  const systemType = cstring('systemType');
  if (systemType === null) return { ok: false, reason: `system_type longer than ${MAX.systemType - 1} characters or not terminated` };
  const interfaceVersion = int8();
  const addrTon = int8();
  const addrNpi = int8();
  if (interfaceVersion === null || addrTon === null || addrNpi === null) return { ok: false, reason: 'bind cut short' };
  const addressRange = cstring('addressRange');
  if (addressRange === null) return { ok: false, reason: `address_range longer than ${MAX.addressRange - 1} characters or not terminated` };
  if (at !== end) return { ok: false, reason: `${end - at} octets after address_range` };
  return { ok: true, bind: { bindType, systemId, password, systemType, interfaceVersion, addrTon, addrNpi, addressRange } };
}
