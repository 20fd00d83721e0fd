/**
 * SMPP delivery receipts → our outcomes (spec §6.3, §13; docs/smpp-receipts.md is generated from the tables here).
 *
 * A receipt is a deliver_sm with esm_class message type 0x04 (or 0x20, intermediate notification). It names the
 * message by the `receipted_message_id` TLV and/or the `id:` of its text, in the SMPP 3.4 Appendix B format:
 *   `id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:…`
 * which SMSCs vary freely: keys in any case, fields missing, extra spaces, dates with seconds, `submit_date`.
 * The state comes from the `message_state` TLV when it holds a known value, else from `stat:`.
 */

// ---- Message ids ----

/**
 * An SMSC may give the same id in two notations: hex in submit_sm_resp (`1A2B`) and decimal in the receipt
 * (`id:6699`), or with leading zeros (`id:0000006699`). Rule: two ids are the same message when they are equal
 * as trimmed, case-insensitive text, OR when some reading of each as a number gives the same value, where an id
 * of decimal digits only reads as decimal and an id of hex digits only reads as hexadecimal (an id of decimal
 * digits reads both ways).
 *
 * For look-ups, `messageIdKeys` lists the keys an id stands for, most literal first: `t:<trimmed lowercase>`,
 * then `n:<value in decimal>` for its decimal reading and for its hex reading. Index each submit_sm_resp id under
 * all its keys; look a receipt id up by its keys in order and take the first hit (an exact text match wins over
 * a numeric coincidence such as hex `1234` = decimal `4660`).
 */
export function messageIdKeys(id: string): string[] {
  const text = id.trim().toLowerCase();
  const keys = [`t:${text}`];
  const add = (key: string): void => {
    if (!keys.includes(key)) keys.push(key);
  };
  if (/^[0-9]+$/.test(text)) add(`n:${BigInt(text).toString(10)}`);
  if (/^[0-9a-f]+$/.test(text)) add(`n:${BigInt(`0x${text}`).toString(10)}`);
  return keys;
}

/** The key of an id as written (trimmed, any case), without its numeric readings: for an SMSC known to keep its notation. */
export function exactMessageIdKeys(id: string): string[] {
  return [`t:${id.trim().toLowerCase()}`];
}

export function sameMessageId(a: string, b: string): boolean {
  const keysOfB = new Set(messageIdKeys(b));
  return messageIdKeys(a).some((key) => keysOfB.has(key));
}

export type MessageIdNotation = 'decimal' | 'hex' | 'text';

/**
 * The one key of an id when its notation is known (configured per SMSC): `n:<value>` for decimal or hex,
 * `t:<trimmed lowercase>` for text. Undefined when the id does not fit the notation.
 */
export function canonicalMessageId(id: string, notation: MessageIdNotation): string | undefined {
  const text = id.trim().toLowerCase();
  if (notation === 'text') return `t:${text}`;
  if (notation === 'decimal') return /^[0-9]+$/.test(text) ? `n:${BigInt(text).toString(10)}` : undefined;
  return /^[0-9a-f]+$/.test(text) ? `n:${BigInt(`0x${text}`).toString(10)}` : undefined;
}

// ---- The receipt text ----

export interface ReceiptTextFields {
  id?: string;
  sub?: string;
  dlvrd?: string;
  submitDate?: string;
  doneDate?: string;
  stat?: string;
  err?: string;
  text?: string;
}

const KEY = /(?:^|[\s,;])(id|sub|dlvrd|submit[ _]?date|done[ _]?date|stat|err|text)\s*:/gi;

function fieldName(key: string): keyof ReceiptTextFields {
  const k = key.toLowerCase().replace(/[ _]/g, '');
  if (k === 'submitdate') return 'submitDate';
  if (k === 'donedate') return 'doneDate';
  return k as keyof ReceiptTextFields;
}

/**
 * The fields of an Appendix B receipt text, as strings (trimmed; `text:` takes the rest of the line).
 * Undefined when the text has neither `id:` nor `stat:`: then it is not a receipt text.
 */
export function parseReceiptText(receipt: string): ReceiptTextFields | undefined {
  const found: { name: keyof ReceiptTextFields; valueStart: number; keyStart: number }[] = [];
  KEY.lastIndex = 0;
  for (let m = KEY.exec(receipt); m; m = KEY.exec(receipt)) {
    const keyStart = m.index + (m[0].length - m[0].trimStart().length);
    found.push({ name: fieldName(m[1]!), valueStart: m.index + m[0].length, keyStart });
    if (fieldName(m[1]!) === 'text') break;
  }
  const fields: ReceiptTextFields = {};
  found.forEach((entry, i) => {
    if (fields[entry.name] !== undefined) return;
    // `text:` runs to the end; any other value to the next key.
    const end = entry.name === 'text' ? receipt.length : (found[i + 1]?.keyStart ?? receipt.length);
    fields[entry.name] = receipt.slice(entry.valueStart, end).trim();
  });
  if (fields.id === undefined && fields.stat === undefined) return undefined;
  return fields;
}

/** `YYMMDDhhmm` or `YYMMDDhhmmss`, read as UTC (the SMSC's zone is not stated); undefined when malformed. */
export function parseReceiptDate(value: string): number | undefined {
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(value.trim());
  if (!m) return undefined;
  const [yy, mo, dd, hh, mi] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
  const ss = m[6] === undefined ? 0 : Number(m[6]);
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59) return undefined;
  return Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss);
}

// ---- States and the mapping to our statuses ----

export type ReceiptStat = 'DELIVRD' | 'UNDELIV' | 'EXPIRED' | 'REJECTD' | 'DELETED' | 'UNKNOWN' | 'ENROUTE' | 'ACCEPTD';

export interface StatRule {
  stat: ReceiptStat;
  /** The `message_state` TLV value of the same state (SMPP 3.4 §5.2.28). */
  messageState: number;
  meaning: string;
  outcome: 'delivered' | 'undelivered' | 'not final';
  /** The §13 code when neither `err` nor `network_error_code` gives one (undelivered only). */
  defaultErrorCode: number | null;
}

/** The stat → outcome table (docs/smpp-receipts.md). */
export const RECEIPT_STAT_RULES: readonly StatRule[] = [
  { stat: 'DELIVRD', messageState: 2, meaning: 'Delivered to the destination', outcome: 'delivered', defaultErrorCode: null },
  { stat: 'UNDELIV', messageState: 5, meaning: 'Undeliverable', outcome: 'undelivered', defaultErrorCode: 502 },
  { stat: 'EXPIRED', messageState: 3, meaning: 'The validity period ended before delivery', outcome: 'undelivered', defaultErrorCode: 127 },
  { stat: 'REJECTD', messageState: 8, meaning: 'Rejected by the SMSC', outcome: 'undelivered', defaultErrorCode: 502 },
  { stat: 'DELETED', messageState: 4, meaning: 'Deleted (cancelled) at the SMSC', outcome: 'undelivered', defaultErrorCode: 502 },
  { stat: 'UNKNOWN', messageState: 7, meaning: 'The SMSC holds it in an invalid state', outcome: 'undelivered', defaultErrorCode: 502 },
  { stat: 'ENROUTE', messageState: 1, meaning: 'Still on its way (intermediate notification)', outcome: 'not final', defaultErrorCode: null },
  { stat: 'ACCEPTD', messageState: 6, meaning: 'Accepted on behalf of the subscriber (intermediate)', outcome: 'not final', defaultErrorCode: null },
];

/** Spellings of `stat:` seen besides the Appendix B ones. */
export const STAT_ALIASES: Readonly<Record<string, ReceiptStat>> = {
  DELIVERED: 'DELIVRD',
  UNDELIVERABLE: 'UNDELIV',
  UNDELIVERED: 'UNDELIV',
  REJECTED: 'REJECTD',
  ACCEPTED: 'ACCEPTD',
};

/** The DELIVER_SM codes of §13: an SMSC `err:` (or a non-GSM `network_error_code`) equal to one keeps it. */
export const SPEC_DELIVER_ERROR_CODES: readonly number[] = [11, 127, 453, 454, 455, 456, 457, 458, 501, 502, 503, 504, 505, 506, 508, 509, 510];

export interface NetworkErrorRule {
  /** GSM MAP error value, carried in `network_error_code` with network type 3 (GSM). */
  mapError: number;
  name: string;
  errorCode: number;
}

/** GSM MAP errors (3GPP TS 29.002) → §13, by the names §13 borrows from them. Other MAP errors use the default. */
export const GSM_NETWORK_ERROR_RULES: readonly NetworkErrorRule[] = [
  { mapError: 1, name: 'unknownSubscriber', errorCode: 501 },
  { mapError: 5, name: 'unidentifiedSubscriber', errorCode: 501 },
  { mapError: 6, name: 'absentSubscriberSM', errorCode: 504 },
  { mapError: 27, name: 'absentSubscriber', errorCode: 504 },
  { mapError: 8, name: 'roamingNotAllowed', errorCode: 509 },
  { mapError: 9, name: 'illegalSubscriber', errorCode: 506 },
  { mapError: 12, name: 'illegalEquipment', errorCode: 506 },
  { mapError: 11, name: 'teleserviceNotProvisioned', errorCode: 508 },
  { mapError: 13, name: 'callBarred', errorCode: 505 },
  { mapError: 32, name: 'smDeliveryFailure', errorCode: 502 },
  { mapError: 34, name: 'systemFailure', errorCode: 502 },
];

export const NETWORK_TYPE_GSM = 3;

const statByState = new Map(RECEIPT_STAT_RULES.map((rule) => [rule.messageState, rule.stat]));
const ruleByStat = new Map(RECEIPT_STAT_RULES.map((rule) => [rule.stat, rule]));
const specCodes = new Set(SPEC_DELIVER_ERROR_CODES);
const gsmRules = new Map(GSM_NETWORK_ERROR_RULES.map((rule) => [rule.mapError, rule.errorCode]));

/** The stat of a `stat:` value (any case, aliases too); undefined when not recognised. */
export function normaliseStat(value: string): ReceiptStat | undefined {
  const upper = value.trim().toUpperCase();
  if (ruleByStat.has(upper as ReceiptStat)) return upper as ReceiptStat;
  return STAT_ALIASES[upper];
}

export interface NetworkError {
  networkType: number;
  code: number;
}

/** `network_error_code`: 1 octet network type + 2 octets error code (SMPP 3.4 §5.3.2.31). */
export function parseNetworkErrorCode(octets: Uint8Array): NetworkError | undefined {
  if (octets.length !== 3) return undefined;
  return { networkType: octets[0]!, code: (octets[1]! << 8) | octets[2]! };
}

/** Message type of esm_class (bits 5–2): 0x04 SMSC delivery receipt, 0x20 intermediate delivery notification. */
export function isDeliveryReceipt(esmClass: number): boolean {
  const type = esmClass & 0x3c;
  return type === 0x04 || type === 0x20;
}

// ---- A whole receipt ----

export interface ReceiptInput {
  /** The decoded short_message (or message_payload) text. */
  text?: string;
  /** TLV receipted_message_id. */
  receiptedMessageId?: string;
  /** TLV message_state. */
  messageState?: number;
  /** TLV network_error_code, raw. */
  networkErrorCode?: Uint8Array;
}

export interface DeliveryReceipt {
  /** Ids to look the message up by, distinct, best first: the receipted_message_id TLV, then the text's `id:`. */
  messageIds: string[];
  /** The state: the message_state TLV when known, else `stat:`; undefined when neither is recognised. */
  stat: ReceiptStat | undefined;
  /** `stat:` as written, when present. */
  statText?: string;
  /** `err:` as a number when it is decimal digits. */
  err?: number;
  /** `err:` as written, when present. */
  errText?: string;
  networkError?: NetworkError;
  /** Epoch ms, read as UTC. */
  submitDate?: number;
  doneDate?: number;
  /** `sub:` and `dlvrd:` counts, when numeric. */
  submitted?: number;
  delivered?: number;
  /** The `text:` field (the start of the message). */
  text?: string;
}

const numeric = (value: string | undefined): number | undefined => (value !== undefined && /^[0-9]+$/.test(value) ? Number(value) : undefined);

/** Undefined when the receipt names no message at all (it is still answered and recorded by the connector). */
export function parseDeliveryReceipt(input: ReceiptInput): DeliveryReceipt | undefined {
  const fields = input.text === undefined ? undefined : parseReceiptText(input.text);
  const messageIds: string[] = [];
  for (const id of [input.receiptedMessageId, fields?.id]) {
    const trimmed = id?.trim();
    if (trimmed && !messageIds.includes(trimmed)) messageIds.push(trimmed);
  }
  if (messageIds.length === 0) return undefined;
  const fromState = input.messageState === undefined ? undefined : statByState.get(input.messageState);
  const fromText = fields?.stat === undefined ? undefined : normaliseStat(fields.stat);
  const networkError = input.networkErrorCode === undefined ? undefined : parseNetworkErrorCode(input.networkErrorCode);
  const receipt: DeliveryReceipt = { messageIds, stat: fromState ?? fromText };
  if (fields?.stat !== undefined) receipt.statText = fields.stat;
  if (fields?.err !== undefined && fields.err !== '') {
    receipt.errText = fields.err;
    const err = numeric(fields.err);
    if (err !== undefined) receipt.err = err;
  }
  if (networkError) receipt.networkError = networkError;
  const submitDate = fields?.submitDate === undefined ? undefined : parseReceiptDate(fields.submitDate);
  const doneDate = fields?.doneDate === undefined ? undefined : parseReceiptDate(fields.doneDate);
  if (submitDate !== undefined) receipt.submitDate = submitDate;
  if (doneDate !== undefined) receipt.doneDate = doneDate;
  const submitted = numeric(fields?.sub);
  const delivered = numeric(fields?.dlvrd);
  if (submitted !== undefined) receipt.submitted = submitted;
  if (delivered !== undefined) receipt.delivered = delivered;
  if (fields?.text !== undefined) receipt.text = fields.text;
  return receipt;
}

export type ReceiptOutcome =
  | { final: false; reason: 'intermediate' | 'unrecognised state' }
  | { final: true; status: 'delivered' }
  | { final: true; status: 'undelivered'; errorCode: number; from: 'err' | 'network_error_code' | 'default' };

/**
 * What a receipt means for the message (docs/smpp-receipts.md). For an undelivered state the §13 code is, in
 * order: `err:` when it equals a §13 DELIVER_SM code; `network_error_code` — a GSM MAP error by
 * GSM_NETWORK_ERROR_RULES, another network type when its code equals a §13 code; else the stat's default.
 * An unrecognised state is not final: the message stays `sent` and expires with 127 if nothing else comes.
 */
export function receiptOutcome(receipt: Pick<DeliveryReceipt, 'stat' | 'err' | 'networkError'>): ReceiptOutcome {
  const rule = receipt.stat === undefined ? undefined : ruleByStat.get(receipt.stat);
  if (!rule) return { final: false, reason: 'unrecognised state' };
  if (rule.outcome === 'not final') return { final: false, reason: 'intermediate' };
  if (rule.outcome === 'delivered') return { final: true, status: 'delivered' };
  if (receipt.err !== undefined && specCodes.has(receipt.err)) return { final: true, status: 'undelivered', errorCode: receipt.err, from: 'err' };
  const network = receipt.networkError;
  if (network) {
    const mapped = network.networkType === NETWORK_TYPE_GSM ? gsmRules.get(network.code) : specCodes.has(network.code) ? network.code : undefined;
    if (mapped !== undefined) return { final: true, status: 'undelivered', errorCode: mapped, from: 'network_error_code' };
  }
  return { final: true, status: 'undelivered', errorCode: rule.defaultErrorCode ?? 502, from: 'default' };
}
