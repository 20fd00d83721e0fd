/**
 * SIP message syntax (RFC 3261 §7): parse a datagram into a request or response, and serialize one for sending.
 * Header names are stored in canonical form, so lookups ignore case and compact forms (§7.3.3) are understood.
 */

export interface SipHeader {
  name: string;
  value: string;
}

export interface SipRequest {
  kind: 'request';
  method: string;
  uri: string;
  headers: SipHeader[];
  body: string;
}

export interface SipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: SipHeader[];
  body: string;
}

export type SipMessage = SipRequest | SipResponse;

/** RFC 3261 §7.3.3 and the IANA registry of compact forms. */
const COMPACT_FORMS: Readonly<Record<string, string>> = {
  a: 'Accept-Contact',
  b: 'Referred-By',
  c: 'Content-Type',
  d: 'Request-Disposition',
  e: 'Content-Encoding',
  f: 'From',
  i: 'Call-ID',
  j: 'Reject-Contact',
  k: 'Supported',
  l: 'Content-Length',
  m: 'Contact',
  o: 'Event',
  r: 'Refer-To',
  s: 'Subject',
  t: 'To',
  u: 'Allow-Events',
  v: 'Via',
  x: 'Session-Expires',
  y: 'Identity',
};

const CANONICAL_NAMES = new Map(
  [
    'Accept',
    'Allow',
    'Authorization',
    'Call-ID',
    'Contact',
    'Content-Length',
    'Content-Type',
    'CSeq',
    'Expires',
    'From',
    'Max-Forwards',
    'P-Asserted-Identity',
    'Proxy-Authenticate',
    'Proxy-Authorization',
    'Reason',
    'Record-Route',
    'Require',
    'Retry-After',
    'Route',
    'RSeq',
    'Server',
    'Supported',
    'To',
    'User-Agent',
    'Via',
    'WWW-Authenticate',
  ].map((name) => [name.toLowerCase(), name] as const),
);

export function canonicalHeaderName(name: string): string {
  const trimmed = name.trim();
  const lower = trimmed.toLowerCase();
  return COMPACT_FORMS[lower] ?? CANONICAL_NAMES.get(lower) ?? trimmed;
}

/** The first value of a header, whatever case or form it was written in. */
export function headerValue(message: SipMessage, name: string): string | undefined {
  const wanted = canonicalHeaderName(name).toLowerCase();
  return message.headers.find((header) => header.name.toLowerCase() === wanted)?.value;
}

/** Every occurrence of a header, in order (a comma-separated list is not split: see splitHeaderList). */
export function headerValues(message: SipMessage, name: string): string[] {
  const wanted = canonicalHeaderName(name).toLowerCase();
  return message.headers.filter((header) => header.name.toLowerCase() === wanted).map((header) => header.value);
}

const REQUIRED_HEADERS = ['Via', 'From', 'To', 'Call-ID', 'CSeq'];
const REQUEST_LINE = /^([A-Za-z0-9.!%*_+`'~-]+) +(\S+) +SIP\/2\.0$/i;
const STATUS_LINE = /^SIP\/2\.0 +(\d{3})(?: +(.*))?$/i;

/**
 * Parses one UDP datagram. Returns null for anything that is not a well-formed SIP message:
 * RFC 3261 §18.3 and §16.3 let an element silently discard those.
 */
export function parseSipMessage(data: Buffer | string): SipMessage | null {
  const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let start = 0;
  // Bare CRLFs are keep-alives (RFC 5626 §4.4.1), and may precede a message (RFC 3261 §7.5).
  while (start < buffer.length && (buffer[start] === 0x0d || buffer[start] === 0x0a)) start++;
  if (start >= buffer.length) return null;

  let headEnd = buffer.indexOf('\r\n\r\n', start);
  let separatorLength = 4;
  if (headEnd < 0) {
    headEnd = buffer.indexOf('\n\n', start);
    separatorLength = 2;
  }
  if (headEnd < 0) {
    headEnd = buffer.length;
    separatorLength = 0;
  }

  const lines = unfoldLines(buffer.toString('utf8', start, headEnd).split(/\r?\n/));
  const startLine = lines.shift()?.trim() ?? '';
  const headers: SipHeader[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    headers.push({ name: canonicalHeaderName(line.slice(0, colon)), value: line.slice(colon + 1).trim() });
  }

  const bodyStart = Math.min(headEnd + separatorLength, buffer.length);
  const lengthHeader = headers.find((header) => header.name === 'Content-Length');
  let bodyEnd = buffer.length;
  if (lengthHeader) {
    if (!/^\d+$/.test(lengthHeader.value)) return null;
    const length = Number(lengthHeader.value);
    // A datagram shorter than its Content-Length was truncated (RFC 3261 §18.3).
    if (bodyStart + length > buffer.length) return null;
    bodyEnd = bodyStart + length;
  }
  const body = buffer.toString('utf8', bodyStart, bodyEnd);

  for (const name of REQUIRED_HEADERS) {
    if (!headers.some((header) => header.name === name)) return null;
  }

  const status = STATUS_LINE.exec(startLine);
  if (status) {
    return { kind: 'response', status: Number(status[1]), reason: status[2]?.trim() ?? '', headers, body };
  }
  const request = REQUEST_LINE.exec(startLine);
  if (request) {
    return { kind: 'request', method: request[1]!.toUpperCase(), uri: request[2]!, headers, body };
  }
  return null;
}

/** Lines that begin with whitespace continue the previous header (RFC 3261 §7.3.1). */
function unfoldLines(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && out.length > 1) out[out.length - 1] += ' ' + line.trim();
    else out.push(line);
  }
  return out;
}

/** Serializes a message; Content-Length is always written, computed from the body's bytes. */
export function serializeSipMessage(message: SipMessage): Buffer {
  const startLine =
    message.kind === 'request'
      ? `${message.method} ${message.uri} SIP/2.0`
      : `SIP/2.0 ${message.status} ${message.reason}`;
  const body = Buffer.from(message.body, 'utf8');
  const lines = [startLine];
  for (const header of message.headers) {
    if (canonicalHeaderName(header.name) !== 'Content-Length') lines.push(`${header.name}: ${header.value}`);
  }
  lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'), body]);
}
