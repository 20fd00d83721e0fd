/**
 * The SSRF rule for callback targets (spec §5.10): a callback URL is input from any API client, so the gateway
 * refuses to call into the operator's own network unless `callbacks.allowPrivateTargets` is set.
 *
 * Refused ranges:
 * - IPv4: 0.0.0.0/8 (unspecified: Linux connects 0.0.0.0 to the local host), 127.0.0.0/8 (loopback),
 *   10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918), 169.254.0.0/16 (link-local, cloud metadata),
 *   100.64.0.0/10 (RFC 6598 shared/CGNAT: carrier and cloud internal networks, e.g. a metadata service at
 *   100.100.100.200, overlay VPNs).
 * - IPv6: :: and ::1, fc00::/7 (RFC 4193), fe80::/10 (link-local), fec0::/10 (deprecated site-local, private in
 *   intent), and every form that embeds an IPv4 address judged by the IPv4 rules: IPv4-mapped ::ffff:0:0/96,
 *   IPv4-compatible ::/96, NAT64 64:ff9b::/96.
 *
 * The check is made on the address actually connected to, at each request: IP-literal hosts directly (Node skips
 * the lookup for them) and names through `guardedLookup`, so DNS rebinding cannot bypass it.
 */
import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

export type RefusedRange = 'unspecified' | 'loopback' | 'private' | 'link-local' | 'shared (CGNAT)';

/** Raised (and recorded as the attempt's error) when a callback target is a refused address. */
export class RefusedTargetError extends Error {
  readonly code = 'ERR_CALLBACK_REFUSED_TARGET';
  constructor(
    readonly address: string,
    readonly range: RefusedRange,
  ) {
    super(`refused private address ${address} (${range})`);
  }
}

const IPV4_RANGES: [base: string, prefix: number, range: RefusedRange][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['127.0.0.0', 8, 'loopback'],
  ['10.0.0.0', 8, 'private'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['169.254.0.0', 16, 'link-local'],
  ['100.64.0.0', 10, 'shared (CGNAT)'],
];

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

const IPV4_RULES = IPV4_RANGES.map(([base, prefix, range]) => ({
  base: ipv4ToInt(base),
  size: 2 ** (32 - prefix),
  range,
}));

function refusedIpv4(value: number): RefusedRange | null {
  for (const rule of IPV4_RULES) if (value >= rule.base && value < rule.base + rule.size) return rule.range;
  return null;
}

/** The 8 16-bit groups of a valid IPv6 address (without zone). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // A trailing dotted quad (::ffff:127.0.0.1) is two groups.
    const v4 = ipv4ToInt(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const gap = text.indexOf('::');
  if (gap === -1) return parse(text);
  const left = parse(text.slice(0, gap));
  const right = parse(text.slice(gap + 2));
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function refusedIpv6(address: string): RefusedRange | null {
  const g = ipv6Groups(address);
  const embeddedV4 = g[6]! * 65536 + g[7]!;
  const firstSixZero = g.slice(0, 6).every((x) => x === 0);
  if (firstSixZero && embeddedV4 === 0) return 'unspecified';
  if (firstSixZero && embeddedV4 === 1) return 'loopback';
  if (firstSixZero) return refusedIpv4(embeddedV4); // IPv4-compatible ::/96
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return refusedIpv4(embeddedV4); // mapped
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return refusedIpv4(embeddedV4); // NAT64
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private';
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0]! & 0xffc0) === 0xfec0) return 'private';
  return null;
}

/** Why an IP address may not be called, or null when it may. Not an IP address → null (nothing to judge). */
export function refusedRange(address: string): RefusedRange | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const noZone = bare.split('%')[0]!;
  const family = isIP(noZone);
  if (family === 4) return refusedIpv4(ipv4ToInt(noZone));
  if (family === 6) return refusedIpv6(noZone);
  return null;
}

/** The refusal for an IP-literal URL host (Node does not call `lookup` for those), or null. */
export function refuseLiteralHost(hostname: string, allowPrivateTargets: boolean): RefusedTargetError | null {
  if (allowPrivateTargets) return null;
  const range = refusedRange(hostname);
  return range === null ? null : new RefusedTargetError(hostname.replace(/^\[|\]$/g, ''), range);
}

/**
 * A `lookup` for node:http(s) requests that resolves the name and refuses it when ANY returned address is refused:
 * a name that mixes public and private addresses is treated as hostile rather than filtered.
 */
export function guardedLookup(allowPrivateTargets: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      if (!allowPrivateTargets) {
        for (const { address } of addresses) {
          const range = refusedRange(address);
          if (range !== null) return callback(new RefusedTargetError(address, range), '', 0);
        }
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}
