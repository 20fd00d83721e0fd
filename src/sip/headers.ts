/**
 * The structured SIP header values a UAC needs (RFC 3261 §20, §25.1): lists, parameters,
 * name-addr (From, To, Contact, Route, Record-Route), Via and CSeq.
 */

/** Parameter names are case-insensitive (stored lower-case); a flag parameter such as `lr` has the value null. */
export type HeaderParams = Record<string, string | null>;

/** Splits on a separator that stands outside quoted strings and outside <…> (commas inside a URI are legal). */
function splitOutside(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angled = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted) {
      current += ch;
      if (ch === '\\' && i + 1 < value.length) current += value[++i];
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === separator && !angled) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === '<') angled = true;
    else if (ch === '>') angled = false;
    current += ch;
  }
  parts.push(current.trim());
  return parts.filter((part) => part.length > 0);
}

/** One header line may carry several comma-separated values (Via, Route, Record-Route, Contact: RFC 3261 §7.3.1). */
export function splitHeaderList(value: string): string[] {
  return splitOutside(value, ',');
}

export function unquote(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length < 2 || !trimmed.startsWith('"') || !trimmed.endsWith('"')) return trimmed;
  return trimmed.slice(1, -1).replace(/\\(.)/g, '$1');
}

export function quote(value: string): string {
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/** Parses `;name=value;flag` (a leading `;` is optional). */
export function parseParams(text: string): HeaderParams {
  const params: HeaderParams = {};
  for (const part of splitOutside(text, ';')) {
    const equals = part.indexOf('=');
    if (equals < 0) params[part.toLowerCase()] = null;
    else params[part.slice(0, equals).trim().toLowerCase()] = unquote(part.slice(equals + 1));
  }
  return params;
}

export function formatParams(params: HeaderParams): string {
  return Object.entries(params)
    .map(([name, value]) => (value === null ? `;${name}` : `;${name}=${value}`))
    .join('');
}

export interface NameAddr {
  displayName?: string;
  uri: string;
  params: HeaderParams;
}

/** `"Name" <sip:uri;uri-param>;header-param` or a bare addr-spec, whose `;params` belong to the header (§20.10). */
export function parseNameAddr(value: string): NameAddr | null {
  const text = value.trim();
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && quoted) {
      i++;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === '<' && !quoted) {
      const close = text.indexOf('>', i);
      if (close < 0) return null;
      const display = text.slice(0, i).trim();
      const uri = text.slice(i + 1, close).trim();
      if (uri.length === 0) return null;
      const result: NameAddr = { uri, params: parseParams(text.slice(close + 1)) };
      if (display.length > 0) result.displayName = unquote(display);
      return result;
    }
  }
  const [uri, ...rest] = splitOutside(text, ';');
  if (!uri || /\s/.test(uri)) return null;
  return { uri, params: parseParams(rest.join(';')) };
}

export function formatNameAddr(nameAddr: NameAddr): string {
  const display = nameAddr.displayName ? `${quote(nameAddr.displayName)} ` : '';
  return `${display}<${nameAddr.uri}>${formatParams(nameAddr.params)}`;
}

/** The `tag` parameter of a From or To header value, if any. */
export function tagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const tag = parseNameAddr(value)?.params['tag'];
  return tag === null || tag === undefined ? undefined : tag;
}

export interface Via {
  transport: string;
  host: string;
  port?: number;
  params: HeaderParams;
}

const VIA = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9-]+)\s+(\[[^\]]+\]|[^\s:;]+)(?:\s*:\s*(\d+))?\s*(;.*)?$/is;

export function parseVia(value: string): Via | null {
  const match = VIA.exec(value.trim());
  if (!match) return null;
  const via: Via = { transport: match[1]!.toUpperCase(), host: match[2]!, params: parseParams(match[4] ?? '') };
  if (match[3] !== undefined) via.port = Number(match[3]);
  return via;
}

export function formatVia(via: Via): string {
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `SIP/2.0/${via.transport} ${via.host}${port}${formatParams(via.params)}`;
}

export interface CSeq {
  seq: number;
  method: string;
}

export function parseCSeq(value: string): CSeq | null {
  const match = /^\s*(\d+)\s+([A-Za-z0-9.!%*_+`'~-]+)\s*$/.exec(value);
  if (!match) return null;
  return { seq: Number(match[1]), method: match[2]!.toUpperCase() };
}
