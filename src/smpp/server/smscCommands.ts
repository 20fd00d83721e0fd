/**
 * The SMPP 3.4 commands (§5.1.2.1) as the SMSC side sees them: which ones an ESME may send, and what answers each.
 * A request whose command has no response of its own (outbind, alert_notification, anything unknown) is answered
 * with generic_nack.
 */

export const RESPONSE_BIT = 0x80000000;

export const SMSC_COMMAND = {
  generic_nack: 0x80000000,
  bind_receiver: 0x00000001,
  bind_transmitter: 0x00000002,
  query_sm: 0x00000003,
  submit_sm: 0x00000004,
  deliver_sm: 0x00000005,
  unbind: 0x00000006,
  replace_sm: 0x00000007,
  cancel_sm: 0x00000008,
  bind_transceiver: 0x00000009,
  outbind: 0x0000000b,
  enquire_link: 0x00000015,
  submit_multi: 0x00000021,
  alert_notification: 0x00000102,
  data_sm: 0x00000103,
} as const;

export type SmscCommandName = keyof typeof SMSC_COMMAND;

/** The SMPP 3.4 requests that have a `<name>_resp`. */
const WITH_RESPONSE: ReadonlySet<number> = new Set([
  SMSC_COMMAND.bind_receiver,
  SMSC_COMMAND.bind_transmitter,
  SMSC_COMMAND.query_sm,
  SMSC_COMMAND.submit_sm,
  SMSC_COMMAND.deliver_sm,
  SMSC_COMMAND.unbind,
  SMSC_COMMAND.replace_sm,
  SMSC_COMMAND.cancel_sm,
  SMSC_COMMAND.bind_transceiver,
  SMSC_COMMAND.enquire_link,
  SMSC_COMMAND.submit_multi,
  SMSC_COMMAND.data_sm,
]);

const NAMES = new Map<number, SmscCommandName>(Object.entries(SMSC_COMMAND).map(([name, id]) => [id, name as SmscCommandName]));

/** The SMPP 3.4 name of a request's command_id, or null for an id SMPP 3.4 does not define (or a response's). */
export function commandName(commandId: number): SmscCommandName | null {
  return NAMES.get(commandId) ?? null;
}

/** The library command that answers a request: `<name>_resp`, or `generic_nack` when the request has none. */
export function responseCommand(commandId: number): string {
  const name = NAMES.get(commandId);
  return name && WITH_RESPONSE.has(commandId) ? `${name}_resp` : 'generic_nack';
}

export type BindType = 'transmitter' | 'receiver' | 'transceiver';

export function bindTypeOf(commandId: number): BindType | null {
  switch (commandId) {
    case SMSC_COMMAND.bind_transmitter:
      return 'transmitter';
    case SMSC_COMMAND.bind_receiver:
      return 'receiver';
    case SMSC_COMMAND.bind_transceiver:
      return 'transceiver';
    default:
      return null;
  }
}

export const canSubmit = (bindType: BindType): boolean => bindType !== 'receiver';
export const canReceive = (bindType: BindType): boolean => bindType !== 'transmitter';
