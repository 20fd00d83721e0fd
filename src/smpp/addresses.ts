/**
 * SMPP source and destination addresses (SMPP 3.4 §5.2.5–5.2.8) from our sender names and MSISDNs.
 *
 * - A sender made only of digits (an optional leading '+' allowed) is a number: international, TON 1 / NPI 1
 *   (ISDN E.164), without the '+'.
 * - Any other sender is alphanumeric: TON 5 / NPI 0, as written.
 * - A destination is always international, TON 1 / NPI 1, digits only.
 *
 * source_addr and destination_addr are C-octet strings of at most 21 octets, NUL included: 20 characters,
 * ASCII (the `smpp` library writes them as ASCII). An address that cannot be written that way throws a
 * RangeError: the connector refuses the message instead of sending a mangled address.
 */

export const TON_INTERNATIONAL = 0x01;
export const TON_ALPHANUMERIC = 0x05;
export const NPI_UNKNOWN = 0x00;
export const NPI_ISDN = 0x01;

/** source_addr / destination_addr: 21 octets including the terminating NUL. */
export const MAX_ADDRESS_LENGTH = 20;

export interface SmppAddress {
  ton: number;
  npi: number;
  addr: string;
}

const NUMERIC = /^\+?[0-9]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

function checkLength(kind: string, addr: string): void {
  if (addr.length === 0) throw new RangeError(`empty ${kind}`);
  if (addr.length > MAX_ADDRESS_LENGTH) throw new RangeError(`${kind} longer than ${MAX_ADDRESS_LENGTH} characters: ${JSON.stringify(addr)}`);
}

export function isNumericSender(sender: string): boolean {
  return NUMERIC.test(sender);
}

export function senderAddress(sender: string): SmppAddress {
  if (isNumericSender(sender)) {
    const addr = sender.replace(/^\+/, '');
    checkLength('numeric sender', addr);
    return { ton: TON_INTERNATIONAL, npi: NPI_ISDN, addr };
  }
  checkLength('alphanumeric sender', sender);
  if (!PRINTABLE_ASCII.test(sender)) throw new RangeError(`alphanumeric sender is not printable ASCII: ${JSON.stringify(sender)}`);
  return { ton: TON_ALPHANUMERIC, npi: NPI_UNKNOWN, addr: sender };
}

export function destinationAddress(destination: string): SmppAddress {
  if (!isNumericSender(destination)) throw new RangeError(`destination is not a number: ${JSON.stringify(destination)}`);
  const addr = destination.replace(/^\+/, '');
  checkLength('destination', addr);
  return { ton: TON_INTERNATIONAL, npi: NPI_ISDN, addr };
}
