import { Buffer } from 'node:buffer';
import type { MessageDraft } from './message.js';

/**
 * An http(s) link in a text, without the sentence punctuation that may follow it (spec §5.11). A control character
 * (U+0000-U+001F, U+007F) or a space ends it: such a link could not be sent back in a `Location` header.
 */
const LINK = /https?:\/\/[^\s\u0000-\u001F\u007F<>"]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;

/** With shortUrl, each link is a stored row: the cap keeps one request from stalling the gateway (§5.11). */
export const MAX_SHORT_LINKS = 20;

export function linksIn(text: string): { url: string; index: number }[] {
  return [...text.matchAll(LINK)].map((m) => ({ url: m[0].replace(TRAILING_PUNCTUATION, ''), index: m.index }));
}

export interface ShortLink {
  slug: string;
  /** The full short URL that replaced the link in the text. */
  shortUrl: string;
  /** The original (long) URL. */
  url: string;
}

/** The text of a draft that short links apply to: SMS and VK text, WHATSAPP text content (not templates). */
export function shortenableText(draft: Pick<MessageDraft, 'channelType' | 'content' | 'shortUrl'>): string | null {
  if (draft.shortUrl !== true) return null;
  if (typeof draft.content === 'string') return draft.content;
  return draft.channelType === 'WHATSAPP' && draft.content.contentType === 'text' ? draft.content.text : null;
}

/** Replaces every link with `${base}/${slug}`; slugs come from `newSlug` (random, from the caller). */
export function shortenLinks(text: string, base: string, newSlug: () => string): { text: string; links: ShortLink[] } {
  const links: ShortLink[] = [];
  let result = '';
  let from = 0;
  for (const { url, index } of linksIn(text)) {
    const slug = newSlug();
    const shortUrl = `${base.replace(/\/+$/, '')}/${slug}`;
    links.push({ slug, shortUrl, url });
    result += text.slice(from, index) + shortUrl;
    from = index + url.length;
  }
  return { text: result + text.slice(from), links };
}

/** The draft with its links shortened; the SMS part count is taken on the new text (§5.11). */
export function withShortLinks(
  draft: MessageDraft,
  base: string,
  newSlug: () => string,
  countParts: (text: string) => number,
): { draft: MessageDraft; links: ShortLink[] } {
  const text = shortenableText(draft);
  if (text === null) return { draft, links: [] };
  const shortened = shortenLinks(text, base, newSlug);
  if (shortened.links.length === 0) return { draft, links: [] };
  const content = typeof draft.content === 'string' ? shortened.text : { ...draft.content, text: shortened.text };
  const totalParts = draft.channelType === 'SMS' ? countParts(shortened.text) : draft.totalParts;
  return { draft: { ...draft, content: content as MessageDraft['content'], totalParts }, links: shortened.links };
}

/** Anything a header may not carry raw: controls, space, DEL and every non-ASCII character. */
const NOT_HEADER_SAFE = /[^\x21-\x7E]+/g;

/**
 * The redirect's `Location` (§5.11): the original URL with every non-ASCII character percent-encoded as UTF-8. Links
 * stored before control characters ended a link may still hold one: they are encoded the same way.
 */
export function locationOf(url: string): string {
  // Buffer, not encodeURIComponent: the latter throws on a lone surrogate (one stored before §2.1 refused them).
  return url.replace(NOT_HEADER_SAFE, (run) => [...Buffer.from(run, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}
