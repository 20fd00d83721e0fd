/**
 * `GET /{version}/{waba-id}/message_templates` as Graph pages an edge, for the WhatsApp stand-in.
 *
 * Graph cursor paging: `{"data":[…],"paging":{"cursors":{"before","after"},"previous"?,"next"?}}` — cursors are
 * opaque strings; `next` (a full URL) is absent on the last page and `previous` on the first; an empty result is
 * `{"data":[]}`. `limit` defaults to 25 as in Graph. A template is `{name, components:[{type:"BODY",text}],
 * language, status, category, id}`; `fields=a,b` keeps those (and `id`, which Graph always returns).
 */
import { invalidParameter, type GraphErrorBody } from './whatsappGraphErrors.js';
import type { StandInTemplate } from './whatsappSendBody.js';

const DEFAULT_LIMIT = 25;
const FIELDS = ['name', 'components', 'language', 'status', 'category', 'id'] as const;

const cursorOf = (index: number): string => Buffer.from(`template_cursor:${index}`).toString('base64');

function indexOf(cursor: string): number | undefined {
  const match = /^template_cursor:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

function asGraphTemplate(template: StandInTemplate, fields: readonly string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    name: template.name,
    components: [{ type: 'BODY', text: template.bodyText }],
    language: template.language,
    status: template.status,
    category: template.category,
    id: template.id,
  };
  return Object.fromEntries(Object.entries(all).filter(([key]) => fields.includes(key)));
}

/** The page `url` asks for; `edgeUrl` is the edge's absolute URL without query, for `next` / `previous`. */
export function templatePage(
  templates: readonly StandInTemplate[],
  url: URL,
  edgeUrl: string,
): { status: number; body: object | GraphErrorBody } {
  const query = url.searchParams;
  const limit = query.has('limit') ? Number(query.get('limit')) : DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) return { status: 400, body: invalidParameter('Param limit must be a positive integer.') };
  const fields = query.has('fields') ? [...new Set([...query.get('fields')!.split(',').map((f) => f.trim()).filter(Boolean), 'id'])] : [...FIELDS];
  const unknown = fields.find((f) => !(FIELDS as readonly string[]).includes(f));
  if (unknown) {
    return { status: 400, body: invalidParameter(`Tried accessing nonexisting field (${unknown}) on node type (WhatsAppBusinessHSM)`) };
  }
  let start = 0;
  let end: number;
  const after = query.get('after');
  const before = query.get('before');
  if (after !== null) {
    const index = indexOf(after);
    if (index === undefined) return { status: 400, body: invalidParameter('Param after is not a valid cursor.') };
    start = index + 1;
    end = Math.min(start + limit, templates.length);
  } else if (before !== null) {
    const index = indexOf(before);
    if (index === undefined) return { status: 400, body: invalidParameter('Param before is not a valid cursor.') };
    end = Math.min(index, templates.length);
    start = Math.max(0, end - limit);
  } else {
    end = Math.min(limit, templates.length);
  }
  const data = templates.slice(start, end).map((t) => asGraphTemplate(t, fields));
  if (data.length === 0) return { status: 200, body: { data: [] } };
  const link = (cursorName: 'after' | 'before', cursor: string): string => {
    const next = new URLSearchParams();
    if (query.has('fields')) next.set('fields', query.get('fields')!);
    next.set('limit', String(limit));
    next.set(cursorName, cursor);
    return `${edgeUrl}?${next.toString()}`;
  };
  const cursors = { before: cursorOf(start), after: cursorOf(end - 1) };
  return {
    status: 200,
    body: {
      data,
      paging: {
        cursors,
        ...(start > 0 ? { previous: link('before', cursors.before) } : {}),
        ...(end < templates.length ? { next: link('after', cursors.after) } : {}),
      },
    },
  };
}
