/** `callbackUrl` (spec §5.10): validation, the stored form, redaction (§8.3) and credentials (§11.1). */
import { Buffer } from 'node:buffer';

export const CALLBACK_URL_MAX_LENGTH = 2048;

// RFC 3986 productions, ASCII only (an IRI is not a URI).
const UNRESERVED = "A-Za-z0-9\\-._~";
const SUB_DELIMS = "!$&'()*+,;=";
const PCT = '%[0-9A-Fa-f]{2}';
const USERINFO = `(?:[${UNRESERVED}${SUB_DELIMS}:]|${PCT})*`;
// The WHATWG parser below checks IPv6 literals exactly; IPvFuture is not callable, so not accepted.
const IP_LITERAL = '\\[[0-9A-Fa-f:.]+\\]';
// http(s) needs a host (RFC 9110), so the reg-name may not be empty.
const REG_NAME = `(?:[${UNRESERVED}${SUB_DELIMS}]|${PCT})+`;
const PCHAR = `(?:[${UNRESERVED}${SUB_DELIMS}:@]|${PCT})`;
const QUERY = `(?:[${UNRESERVED}${SUB_DELIMS}:@/?]|${PCT})*`;
const uriRegex = new RegExp(
  `^https?://(?:${USERINFO}@)?(?:${IP_LITERAL}|${REG_NAME})(?::([0-9]*))?(?:/${PCHAR}*)*(?:\\?${QUERY})?(?:#${QUERY})?$`,
  'i',
);

// The items of a batch mostly name one URL: the last answer is kept.
let lastText: string | undefined;
let lastAnswer: string | null = null;

/** The value to store (the URL without its fragment), or null when the text is not an acceptable callback URL. */
export function parseCallbackUrl(text: string): string | null {
  if (text !== lastText) {
    lastAnswer = parse(text);
    lastText = text;
  }
  return lastAnswer;
}

function parse(text: string): string | null {
  // A valid URI is ASCII, so UTF-16 units are characters here.
  if (text.length > CALLBACK_URL_MAX_LENGTH) return null;
  const match = uriRegex.exec(text);
  if (!match) return null;
  if (match[1] !== undefined && match[1] !== '' && Number(match[1]) > 65_535) return null;
  // The grammar allows hosts no client can call (`%00`, `999.1.1.1`, bad IPv6); the WHATWG parser refuses them.
  if (!URL.canParse(text)) return null;
  return withoutFragment(text);
}

/** The stored form of a valid callback URL: its fragment is ignored (§5.10). */
export function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

interface UrlParts {
  /** `scheme://` */
  prefix: string;
  userinfo: string | null;
  /** Everything after the userinfo and its `@`. */
  rest: string;
}

function splitUserinfo(url: string): UrlParts {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd === -1) return { prefix: '', userinfo: null, rest: url };
  const prefix = url.slice(0, schemeEnd + 3);
  const afterScheme = url.slice(schemeEnd + 3);
  const authorityEnd = afterScheme.search(/[/?#]/);
  const authority = authorityEnd === -1 ? afterScheme : afterScheme.slice(0, authorityEnd);
  const at = authority.lastIndexOf('@');
  if (at === -1) return { prefix, userinfo: null, rest: afterScheme };
  return { prefix, userinfo: authority.slice(0, at), rest: afterScheme.slice(at + 1) };
}

/** The URL with any password replaced by `***`, for showing it back (§8.3). */
export function redactCallbackUrl(url: string): string {
  const { prefix, userinfo, rest } = splitUserinfo(url);
  if (userinfo === null) return url;
  const colon = userinfo.indexOf(':');
  if (colon === -1) return url;
  return `${prefix}${userinfo.slice(0, colon)}:***@${rest}`;
}

export interface CallbackTarget {
  /** The URL to call: without userinfo. */
  url: string;
  /** `Basic base64(login:password)` from the percent-decoded credentials, or null without credentials. */
  authorization: string | null;
}

/** Splits the credentials off a stored callback URL (§11.1). */
export function callbackCredentials(url: string): CallbackTarget {
  const { prefix, userinfo, rest } = splitUserinfo(url);
  if (userinfo === null) return { url, authorization: null };
  const target = prefix + rest;
  if (userinfo === '') return { url: target, authorization: null };
  const colon = userinfo.indexOf(':');
  const login = colon === -1 ? userinfo : userinfo.slice(0, colon);
  const password = colon === -1 ? '' : userinfo.slice(colon + 1);
  // Decoded to bytes, not to a JS string: the header carries the client's bytes even when they are not UTF-8.
  const pair = Buffer.concat([percentDecode(login), Buffer.from(':'), percentDecode(password)]);
  return { url: target, authorization: `Basic ${pair.toString('base64')}` };
}

function percentDecode(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const end = text.codePointAt(i)! > 0xffff ? i + 2 : i + 1;
      bytes.push(...Buffer.from(text.slice(i, end)));
      i = end - 1;
    }
  }
  return Buffer.from(bytes);
}
