import type { MessageDraft } from './message.js';

/** An http(s) link in a text, without the sentence punctuation that may follow it (spec §5.11). */
const LINK = /https?:\/\/[^\s<>"]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;

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
