/**
 * VK's API for communities: messages.send with a community token, over plain fetch. VK answers every call with
 * HTTP 200, either `{"response": <message id>}` or `{"error": {"error_code", "error_msg"}}`.
 */
import { readJsonAnswer } from '../readJsonAnswer.js';

export interface CommunityAccess {
  /** e.g. https://api.vk.com (no trailing slash). */
  apiBase: string;
  /** e.g. 5.199 */
  version: string;
  token: string;
  timeoutMs: number;
}

export type CommunityAnswer =
  | { ok: true; messageId: number }
  /** `code`: VK's `error_code`; null for no answer, an HTTP error or an answer VK would not give. */
  | { ok: false; code: number | null; message: string };

export async function sendCommunityMessage(access: CommunityAccess, peerId: string, text: string, randomId: number): Promise<CommunityAnswer> {
  const form = new URLSearchParams({ peer_id: peerId, message: text, random_id: String(randomId), v: access.version });
  let response: Response;
  try {
    response = await fetch(`${access.apiBase}/method/messages.send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
      signal: AbortSignal.timeout(access.timeoutMs),
    });
  } catch (error) {
    return { ok: false, code: null, message: `no answer: ${(error as Error).message}` };
  }
  const answer = (await readJsonAnswer(response)) as { response?: unknown; error?: { error_code?: unknown; error_msg?: unknown } } | null;
  if (!response.ok) return { ok: false, code: null, message: `HTTP ${response.status}` };
  if (typeof answer?.response === 'number' && Number.isSafeInteger(answer.response) && answer.response > 0) return { ok: true, messageId: answer.response };
  const error = answer?.error;
  if (typeof error?.error_code === 'number') {
    return { ok: false, code: error.error_code, message: typeof error.error_msg === 'string' ? error.error_msg.slice(0, 500) : '' };
  }
  return { ok: false, code: null, message: 'an answer with neither response nor error' };
}
