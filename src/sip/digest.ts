/**
 * HTTP Digest authentication as SIP uses it (RFC 3261 §22, RFC 2617, RFC 7616): parse a challenge from
 * WWW-Authenticate / Proxy-Authenticate and compute the Authorization / Proxy-Authorization answer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { quote } from './headers.js';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  /** As the server wrote it; MD5 when absent (RFC 2617 §3.2.1). */
  algorithm: string;
  /** Lower-case qop options; empty for an RFC 2069-style challenge. */
  qop: string[];
  stale: boolean;
}

/** Parses `Digest realm="…", nonce="…", …`; null for other schemes or when realm or nonce is missing. */
export function parseDigestChallenge(value: string): DigestChallenge | null {
  const scheme = /^\s*Digest\s+/i.exec(value);
  if (!scheme) return null;
  const params = parseAuthParams(value.slice(scheme[0].length));
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || nonce === undefined) return null;
  const challenge: DigestChallenge = {
    realm,
    nonce,
    algorithm: params.get('algorithm') ?? 'MD5',
    qop: (params.get('qop') ?? '')
      .split(',')
      .map((option) => option.trim().toLowerCase())
      .filter((option) => option.length > 0),
    stale: (params.get('stale') ?? '').toLowerCase() === 'true',
  };
  const opaque = params.get('opaque');
  if (opaque !== undefined) challenge.opaque = opaque;
  return challenge;
}

/** `name=token, name="quoted \" string"` → lower-case names to unquoted values. */
export function parseAuthParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /[\s,]/.test(text[i]!)) i++;
    const nameStart = i;
    while (i < text.length && text[i] !== '=' && text[i] !== ',') i++;
    const name = text.slice(nameStart, i).trim().toLowerCase();
    if (text[i] !== '=') continue;
    i++;
    while (i < text.length && /\s/.test(text[i]!)) i++;
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      i++;
    } else {
      const valueStart = i;
      while (i < text.length && text[i] !== ',') i++;
      value = text.slice(valueStart, i).trim();
    }
    if (name.length > 0) params.set(name, value);
  }
  return params;
}

const HASHES: Readonly<Record<string, string>> = { md5: 'md5', 'sha-256': 'sha256', 'sha-512-256': 'sha512-256' };

function algorithmParts(algorithm: string): { hash: string; session: boolean } | null {
  const lower = algorithm.toLowerCase();
  const session = lower.endsWith('-sess');
  const hash = HASHES[session ? lower.slice(0, -'-sess'.length) : lower];
  return hash ? { hash, session } : null;
}

export function isSupportedDigestAlgorithm(algorithm: string): boolean {
  return algorithmParts(algorithm) !== null;
}

export interface DigestResponseInput {
  /** MD5 when absent. */
  algorithm?: string;
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  qop?: 'auth' | 'auth-int';
  /** 8 hex digits, e.g. `00000001`; required with qop. */
  nc?: string;
  /** Required with qop and with -sess algorithms. */
  cnonce?: string;
  /** The message body, for qop=auth-int. */
  body?: string;
}

/** The `response` value (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1). Throws for an unsupported algorithm. */
export function digestResponse(input: DigestResponseInput): string {
  const parts = algorithmParts(input.algorithm ?? 'MD5');
  if (!parts) throw new Error(`unsupported digest algorithm ${input.algorithm}`);
  const hash = (text: string) => createHash(parts.hash).update(text, 'utf8').digest('hex');
  let ha1 = hash(`${input.username}:${input.realm}:${input.password}`);
  if (parts.session) ha1 = hash(`${ha1}:${input.nonce}:${input.cnonce ?? ''}`);
  const ha2 =
    input.qop === 'auth-int'
      ? hash(`${input.method}:${input.uri}:${hash(input.body ?? '')}`)
      : hash(`${input.method}:${input.uri}`);
  if (input.qop) return hash(`${ha1}:${input.nonce}:${input.nc ?? ''}:${input.cnonce ?? ''}:${input.qop}:${ha2}`);
  return hash(`${ha1}:${input.nonce}:${ha2}`);
}

export interface DigestCredentials {
  username: string;
  password: string;
}

export interface DigestRequest {
  method: string;
  /** The Request-URI of the request being authorized. */
  uri: string;
  body?: string;
  /** Nonce count; 1 for the first use of a nonce. */
  nonceCount?: number;
  /** Chosen randomly when absent. */
  cnonce?: string;
}

/**
 * The Authorization (or Proxy-Authorization) header value answering a challenge, or null when it cannot be
 * answered (unknown algorithm, only unknown qop options, or a -sess algorithm without qop).
 */
export function answerDigestChallenge(
  challenge: DigestChallenge,
  credentials: DigestCredentials,
  request: DigestRequest,
): string | null {
  const parts = algorithmParts(challenge.algorithm);
  if (!parts) return null;
  let qop: 'auth' | 'auth-int' | undefined;
  if (challenge.qop.length > 0) {
    // auth protects less but survives proxies that rewrite bodies; prefer it when offered.
    if (challenge.qop.includes('auth')) qop = 'auth';
    else if (challenge.qop.includes('auth-int')) qop = 'auth-int';
    else return null;
  } else if (parts.session) {
    return null;
  }
  const cnonce = qop ? (request.cnonce ?? randomBytes(8).toString('hex')) : undefined;
  const nc = qop ? (request.nonceCount ?? 1).toString(16).padStart(8, '0') : undefined;
  const response = digestResponse({
    algorithm: challenge.algorithm,
    username: credentials.username,
    password: credentials.password,
    realm: challenge.realm,
    nonce: challenge.nonce,
    method: request.method,
    uri: request.uri,
    ...(qop ? { qop, nc, cnonce } : {}),
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const fields = [
    `username=${quote(credentials.username)}`,
    `realm=${quote(challenge.realm)}`,
    `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(request.uri)}`,
    `response="${response}"`,
    `algorithm=${challenge.algorithm}`,
  ];
  if (challenge.opaque !== undefined) fields.push(`opaque=${quote(challenge.opaque)}`);
  // qop and nc are tokens, not quoted strings (RFC 2617 §3.2.2, RFC 3261 §25.1 dig-resp).
  if (qop) fields.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(cnonce!)}`);
  return `Digest ${fields.join(', ')}`;
}
