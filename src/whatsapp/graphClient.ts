/**
 * The two Graph API calls of the Cloud API the gateway makes, over plain fetch: send a message, and list a WABA's
 * templates a page at a time. Answers are checked against graphShapes.ts; nothing here decides what an error means.
 */
import { readJsonAnswer as readJson } from '../readJsonAnswer.js';
import { readErrorAnswer, readSendAnswer, readTemplatePage, type TemplatePage } from './graphShapes.js';

export interface GraphAccess {
  /** e.g. https://graph.facebook.com (no trailing slash). */
  graphBase: string;
  /** e.g. v23.0 */
  version: string;
  accessToken: string;
  timeoutMs: number;
}

export type SendAnswer =
  | { ok: true; wamid: string }
  /** `httpStatus` null: no answer in time or no connection. `code`: the body's `error.code`, when it had one. */
  | { ok: false; httpStatus: number | null; code: number | null; message: string };

function headers(access: GraphAccess): Record<string, string> {
  return { authorization: `Bearer ${access.accessToken}`, 'content-type': 'application/json' };
}

export async function sendMessage(access: GraphAccess, phoneNumberId: string, body: Record<string, unknown>): Promise<SendAnswer> {
  const url = `${access.graphBase}/${access.version}/${encodeURIComponent(phoneNumberId)}/messages`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: headers(access), body: JSON.stringify(body), signal: AbortSignal.timeout(access.timeoutMs) });
  } catch (error) {
    return { ok: false, httpStatus: null, code: null, message: `no answer: ${(error as Error).message}` };
  }
  const answer = await readJson(response);
  if (response.ok) {
    const sent = readSendAnswer(answer);
    if (sent) return { ok: true, wamid: sent.messages[0]!.id };
    return { ok: false, httpStatus: response.status, code: null, message: 'a 2xx answer without messages[0].id' };
  }
  const error = readErrorAnswer(answer)?.error;
  const message = [error?.title ?? error?.message, error?.error_data?.details].filter(Boolean).join(': ') || `HTTP ${response.status}`;
  return { ok: false, httpStatus: response.status, code: error?.code ?? null, message };
}

/** Every template of the WABA, following `paging.next` cursors (at most `maxPages` pages). */
export async function listTemplates(access: GraphAccess, wabaId: string, maxPages = 100): Promise<TemplatePage['data']> {
  const all: TemplatePage['data'] = [];
  let after: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const query = new URLSearchParams({ fields: 'id,name,language,status,category,components', limit: '100' });
    if (after !== undefined) query.set('after', after);
    const url = `${access.graphBase}/${access.version}/${encodeURIComponent(wabaId)}/message_templates?${query}`;
    const response = await fetch(url, { headers: headers(access), signal: AbortSignal.timeout(access.timeoutMs) });
    const answer = await readJson(response);
    if (!response.ok) {
      const error = readErrorAnswer(answer)?.error;
      throw new Error(`templates of WABA ${wabaId}: HTTP ${response.status}${error ? ` code ${error.code}: ${error.message ?? ''}` : ''}`);
    }
    const read = readTemplatePage(answer);
    if (!read) throw new Error(`templates of WABA ${wabaId}: an answer not shaped as a template page`);
    all.push(...read.data);
    after = read.paging?.cursors?.after;
    if (read.paging?.next === undefined || after === undefined) return all;
  }
  throw new Error(`templates of WABA ${wabaId}: more than ${maxPages} pages`);
}
