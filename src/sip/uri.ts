/** SIP URIs (RFC 3261 §19.1): just enough to find where a request goes (host, port, maddr, lr). */
import { parseParams, type HeaderParams } from './headers.js';

export interface SipUri {
  scheme: 'sip' | 'sips';
  user?: string;
  host: string;
  port?: number;
  params: HeaderParams;
}

const SIP_URI = /^(sips?):(?:([^@]*)@)?(\[[^\]]+\]|[^:;?]+)(?::(\d+))?((?:;[^?]*)?)(?:\?.*)?$/i;

export function parseSipUri(value: string): SipUri | null {
  const match = SIP_URI.exec(value.trim());
  if (!match) return null;
  const uri: SipUri = {
    scheme: match[1]!.toLowerCase() as 'sip' | 'sips',
    host: match[3]!,
    params: parseParams(match[5] ?? ''),
  };
  if (match[2] !== undefined) uri.user = match[2];
  if (match[4] !== undefined) uri.port = Number(match[4]);
  return uri;
}

/** Drops the `?headers` part, which a Request-URI must not carry (RFC 3261 §19.1.1, Table 1). */
export function withoutUriHeaders(value: string): string {
  const question = value.indexOf('?');
  return question < 0 ? value : value.slice(0, question);
}

/** A host as written in a URI or Via: IPv6 literals go in brackets. */
export function uriHost(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

/** Where a request addressed to this URI goes (RFC 3263 §4 without DNS SRV): maddr or host, port or 5060/5061. */
export function uriTarget(value: string): { host: string; port: number } | null {
  const uri = parseSipUri(value);
  if (!uri) return null;
  const maddr = uri.params['maddr'];
  return {
    host: typeof maddr === 'string' && maddr.length > 0 ? maddr : uri.host,
    port: uri.port ?? (uri.scheme === 'sips' ? 5061 : 5060),
  };
}
