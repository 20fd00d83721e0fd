import { isUtf8 } from 'node:buffer';

/**
 * The nesting limit of request bodies (spec §2.1): the deepest valid request is 4 levels (batch, item, content,
 * template parameters), so 32 leaves room while bounding the parser's work.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Whether a JSON text nests arrays and objects deeper than `maxDepth`, found in one pass over its bytes that builds
 * nothing. Why not a library: JSON.parse has no depth option and builds the whole tree before it can fail (15 MB of
 * `[` held the event loop for seconds and took gigabytes); streaming parsers are a dependency that still allocates per
 * token. Brackets inside strings do not count, so the scan follows strings and their escapes; in UTF-8 no byte of a
 * multi-byte character is ASCII, so bytes are enough. It does not validate: JSON.parse does that afterwards.
 */
export function nestsDeeperThan(body: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++; // the escaped byte cannot end the string
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      // An unmatched close makes the text invalid: JSON.parse stops at that byte, before any deeper nesting.
      depth--;
    }
  }
  return false;
}

/**
 * A request body as JSON, the way every body of this door is read: at most MAX_JSON_DEPTH deep (checked before
 * JSON.parse builds anything), UTF-8, valid JSON. Throws otherwise.
 */
export function parseJsonBody(raw: Buffer): unknown {
  if (nestsDeeperThan(raw, MAX_JSON_DEPTH)) throw new Error('nested too deep');
  if (!isUtf8(raw)) throw new Error('not UTF-8');
  return JSON.parse(raw.toString('utf8'));
}
