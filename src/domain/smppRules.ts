/**
 * The rules of the SMPP door for clients (`smpp-interface.md`): which channel a `service_type` asks for, which
 * `command_status` answers each refusal of a submit, what a receipt says for each final status, which statuses a
 * `registered_delivery` asks receipts for, and the `message_state` of `query_sm`. The tables, here only; the door
 * only reads and writes PDUs.
 */
import type { Channel, Status } from './channels.js';

/** SMPP 3.4 command_status values the door answers with (the reserved ones of Appendix A, and SMPP 3.4 §5.1.3). */
export const SMPP_STATUS = {
  ok: 0x00,
  invalidMessageLength: 0x01,
  invalidCommandLength: 0x02,
  invalidCommandId: 0x03,
  invalidBindStatus: 0x04,
  alreadyBound: 0x05,
  systemError: 0x08,
  invalidSourceAddress: 0x0a,
  invalidDestinationAddress: 0x0b,
  invalidMessageId: 0x0c,
  bindFailed: 0x0d,
  invalidPassword: 0x0e,
  invalidSystemId: 0x0f,
  cancelFailed: 0x11,
  invalidServiceType: 0x15,
  throttled: 0x58,
  invalidScheduledTime: 0x61,
  invalidExpiry: 0x62,
  submitFailed: 0x45,
  queryFailed: 0x67,
  channelNotEnabled: 0x401,
  insufficientFunds: 0x402,
  badCharacterCode: 0x500,
} as const;

const SERVICE_TYPES: Readonly<Record<string, Channel>> = { '': 'SMS', SMS: 'SMS', FLASH: 'FLASHCALL', VOICE: 'VOICECODE', WA: 'WHATSAPP', VK: 'VK' };

/** The channel a `service_type` asks for (spec §3), or null: `ESME_RINVSERTYP`. */
export function channelOfServiceType(serviceType: string): Channel | null {
  return Object.hasOwn(SERVICE_TYPES, serviceType) ? SERVICE_TYPES[serviceType]! : null;
}

/** The business checks' codes (direct-api.md §5.6) as a submit's command_status (spec §3). */
export function statusOfRejection(code: number): number {
  switch (code) {
    case 4031:
      return SMPP_STATUS.invalidSourceAddress;
    case 4033:
      return SMPP_STATUS.invalidDestinationAddress;
    case 4032:
      return SMPP_STATUS.channelNotEnabled;
    case 4020:
      return SMPP_STATUS.insufficientFunds;
    default:
      return SMPP_STATUS.systemError;
  }
}

/**
 * A submit whose item failed validation (direct-api.md §5.5), as its command_status (spec §3), by the first failing
 * field: the addresses, the lifetime and the schedule have their own codes; text that holds characters the API
 * refuses is a bad character code; text of the wrong length, ESME_RINVMSGLEN; anything else, ESME_RSUBMITFAIL.
 */
export function statusOfInvalidField(field: string, msg: string): number {
  if (field === 'destination') return SMPP_STATUS.invalidDestinationAddress;
  if (field === 'senderName') return SMPP_STATUS.invalidSourceAddress;
  if (field === 'ttl') return SMPP_STATUS.invalidExpiry;
  if (field === 'localSendTime' || field === 'localCompletionTime') return SMPP_STATUS.invalidScheduledTime;
  if (field === 'content' || field.startsWith('content.')) {
    if (/NUL|surrogate|BOM|template/.test(msg)) return SMPP_STATUS.badCharacterCode;
    if (/characters|digits/.test(msg)) return SMPP_STATUS.invalidMessageLength;
  }
  return SMPP_STATUS.submitFailed;
}

/** A submit whose item failed validation: the command_status of its first failing field (none given: ESME_RSUBMITFAIL). */
export function statusOfInvalidItem(details: readonly { field: string; msg: string }[] | null): number {
  const first = details?.[0];
  return first ? statusOfInvalidField(first.field, first.msg) : SMPP_STATUS.submitFailed;
}

/** `registered_delivery` bits 0–1 (spec §3): 0 no receipt, 1 on every final status, 2 on failure only (3 is reserved: none). */
export type ReceiptRequest = 'none' | 'final' | 'failure';

export function receiptRequestOf(registeredDelivery: number): ReceiptRequest {
  const bits = registeredDelivery & 0x03;
  return bits === 1 ? 'final' : bits === 2 ? 'failure' : 'none';
}

/** What a receipt says (spec §4): `stat`, the `message_state` TLV, and the `err` code. */
export interface ReceiptStatus {
  stat: 'DELIVRD' | 'EXPIRED' | 'UNDELIV' | 'DELETED' | 'REJECTD';
  messageState: number;
  err: number;
  delivered: boolean;
}

/** SMPP 3.4 §5.2.28 message_state values. */
const STATE = { enroute: 1, delivered: 2, expired: 3, deleted: 4, undeliverable: 5, rejected: 8 } as const;

/**
 * The receipt of a final status, or null when it gets none: `unread` follows the `delivered` receipt already sent,
 * and a status that is not final has none yet.
 */
export function receiptStatusOf(status: Status, errorCode: number | null): ReceiptStatus | null {
  const err = errorCode ?? 0;
  switch (status) {
    case 'delivered':
    case 'read':
      return { stat: 'DELIVRD', messageState: STATE.delivered, err: 0, delivered: true };
    case 'undelivered':
      return err === 127
        ? { stat: 'EXPIRED', messageState: STATE.expired, err, delivered: false }
        : { stat: 'UNDELIV', messageState: STATE.undeliverable, err, delivered: false };
    case 'unsent':
      if (err === 605) return { stat: 'EXPIRED', messageState: STATE.expired, err, delivered: false };
      if (err === 606) return { stat: 'DELETED', messageState: STATE.deleted, err, delivered: false };
      return { stat: 'REJECTD', messageState: STATE.rejected, err, delivered: false };
    default:
      return null;
  }
}

/** Whether a message that reached `status` sends a receipt, given what its submit asked for. */
export function sendsReceipt(request: ReceiptRequest, status: Status, errorCode: number | null): boolean {
  const receipt = receiptStatusOf(status, errorCode);
  if (receipt === null || request === 'none') return false;
  return request === 'final' || !receipt.delivered;
}

/** `query_sm`'s `message_state` (spec §3): ENROUTE while `sending` or `sent`, else as the receipt; `unread` is DELIVERED. */
export function queryStateOf(status: Status, errorCode: number | null): number {
  if (status === 'sending' || status === 'sent') return STATE.enroute;
  if (status === 'unread') return STATE.delivered;
  return receiptStatusOf(status, errorCode)?.messageState ?? STATE.enroute;
}
