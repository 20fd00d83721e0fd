import { BlockList, isIP } from 'node:net';

/**
 * SMPP users (smpp-interface.md §2): the credentials an ESME binds with. Each belongs to one account; the operator
 * creates them (cli/smpp.ts). These are the rules on their fields; the store keeps them (store/smppUsers.ts).
 */

export const MESSAGE_ID_FORMATS = ['uuid', 'hex', 'decimal'] as const;
export type MessageIdFormat = (typeof MESSAGE_ID_FORMATS)[number];

export interface SmppUser {
  id: number;
  /** 1–15 printable ASCII characters, compared exactly (case matters); unique over every user ever created. */
  systemId: string;
  accountId: number;
  /** CIDRs in canonical form (`parseAllowList`); empty = any address. */
  allowList: string[];
  /** Sessions bound at once. */
  maxBinds: number;
  /** submit_sm per second; 0 = no limit. */
  throughput: number;
  /** Unanswered submits a session reads before it stops reading its socket. */
  window: number;
  messageIdFormat: MessageIdFormat;
  /** Given to the messages the user submits; null = none. */
  callbackUrl: string | null;
  createdAt: number;
  revokedAt: number | null;
}

/** The settings of a user that the operator chooses (and may change later). */
export type SmppUserLimits = Pick<SmppUser, 'allowList' | 'maxBinds' | 'throughput' | 'window' | 'messageIdFormat' | 'callbackUrl'>;

export const SMPP_USER_DEFAULTS: Readonly<Omit<SmppUserLimits, 'allowList' | 'callbackUrl'>> = {
  maxBinds: 2,
  throughput: 0,
  window: 100,
  messageIdFormat: 'uuid',
};

/** Inclusive ranges of the numeric limits. */
export const SMPP_LIMIT_RANGES = {
  maxBinds: { min: 1, max: 100 },
  window: { min: 1, max: 1000 },
  throughput: { min: 0, max: 100_000 },
} as const;
export type SmppNumericLimit = keyof typeof SMPP_LIMIT_RANGES;

/** SMPP 3.4 `system_id`: a C-octet string of at most 16 octets with its NUL, so 1–15 characters; printable, no space. */
export const SYSTEM_ID_MAX_LENGTH = 15;

export function isValidSystemId(text: string): boolean {
  return /^[\x21-\x7E]{1,15}$/.test(text);
}

export function isMessageIdFormat(text: string): text is MessageIdFormat {
  return (MESSAGE_ID_FORMATS as readonly string[]).includes(text);
}

/** Null when `value` is an integer within the limit's range, else what is wrong. */
export function limitProblem(limit: SmppNumericLimit, value: number): string | null {
  const { min, max } = SMPP_LIMIT_RANGES[limit];
  return Number.isInteger(value) && value >= min && value <= max ? null : `${limit} must be an integer from ${min} to ${max}`;
}

/**
 * One CIDR in canonical form (lowercase address, explicit prefix), or null. A bare address is a single host
 * (/32 or /128). The address is kept as written apart from case: `10.1.2.3/8` matches 10.0.0.0/8.
 */
export function parseCidr(text: string): string | null {
  const slash = text.indexOf('/');
  const address = (slash < 0 ? text : text.slice(0, slash)).toLowerCase();
  // isIP accepts a zone (`fe80::1%eth0`): meaningless in an allow-list.
  const family = address.includes('%') ? 0 : isIP(address);
  if (family === 0) return null;
  const maxPrefix = family === 4 ? 32 : 128;
  if (slash < 0) return `${address}/${maxPrefix}`;
  const prefixText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > maxPrefix) return null;
  return `${address}/${Number(prefixText)}`;
}

export type AllowListParse = { ok: true; list: string[] } | { ok: false; bad: string };

/** Every text a CIDR (duplicates dropped, order kept), or the first that is not. */
export function parseAllowList(texts: readonly string[]): AllowListParse {
  const list: string[] = [];
  for (const text of texts) {
    const cidr = parseCidr(text.trim());
    if (cidr === null) return { ok: false, bad: text };
    if (!list.includes(cidr)) list.push(cidr);
  }
  return { ok: true, list };
}

const blockLists = new WeakMap<readonly string[], BlockList>();

function blockListOf(allowList: readonly string[]): BlockList {
  let list = blockLists.get(allowList);
  if (!list) {
    list = new BlockList();
    for (const cidr of allowList) {
      const [address, prefix] = cidr.split('/') as [string, string];
      const family = isIP(address);
      if (family !== 0) list.addSubnet(address, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
    }
    blockLists.set(allowList, list);
  }
  return list;
}

const MAPPED_IPV4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/**
 * Whether a client at `remoteAddress` (as a socket reports it) may bind: any address when the list is empty.
 * An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, what a dual-stack listener reports) matches IPv4 CIDRs too
 * (BlockList does so itself in Node 20, in both notations; the dotted form is also checked here explicitly).
 */
export function isAllowed(allowList: readonly string[], remoteAddress: string): boolean {
  if (allowList.length === 0) return true;
  const list = blockListOf(allowList);
  const family = isIP(remoteAddress);
  if (family === 4) return list.check(remoteAddress, 'ipv4');
  if (family !== 6) return false;
  if (list.check(remoteAddress, 'ipv6')) return true;
  const mapped = MAPPED_IPV4.exec(remoteAddress);
  return mapped !== null && isIP(mapped[1]!) === 4 && list.check(mapped[1]!, 'ipv4');
}
