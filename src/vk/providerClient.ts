/**
 * The provider profile's one call (providerProfile.ts), over plain fetch: up to 1000 items in one request. Nothing
 * here decides what an answer means (domain/vkOutcomes.ts).
 */
import { readJsonAnswer } from '../readJsonAnswer.js';
import { readSendAnswer, sendBody, type ItemResult, type ProviderFieldNames, type ProviderItem } from './providerProfile.js';

export interface ProviderAccess {
  /** e.g. https://api.provider.example (no trailing slash). */
  baseUrl: string;
  /** The header that carries the credentials, e.g. `Authorization`, and its value, e.g. `Bearer …`. */
  authHeader: string;
  authValue: string;
  fieldNames: ProviderFieldNames;
  timeoutMs: number;
}

export type ProviderAnswer =
  /** Per item, in the request's order; null for an item the answer left out. */
  | { ok: true; results: (ItemResult | null)[] }
  /** No per-item answer: `httpStatus` null for no answer in time or no connection. */
  | { ok: false; httpStatus: number | null; message: string };

export async function postMessages(access: ProviderAccess, items: readonly ProviderItem[]): Promise<ProviderAnswer> {
  let response: Response;
  try {
    response = await fetch(`${access.baseUrl}/vk/messages`, {
      method: 'POST',
      headers: { [access.authHeader]: access.authValue, 'content-type': 'application/json' },
      body: JSON.stringify(sendBody(items, access.fieldNames)),
      signal: AbortSignal.timeout(access.timeoutMs),
    });
  } catch (error) {
    return { ok: false, httpStatus: null, message: `no answer: ${(error as Error).message}` };
  }
  const answer = await readJsonAnswer(response);
  if (response.ok) {
    const results = readSendAnswer(answer, items.map((item) => item.callbackData), access.fieldNames);
    if (results) return { ok: true, results };
    // The items may have been taken: sent again, the provider deduplicates them by callbackData.
    return { ok: false, httpStatus: null, message: `HTTP ${response.status} without a "messages" list` };
  }
  const error = typeof answer === 'object' && answer !== null ? (answer as { error?: { code?: unknown; message?: unknown } }).error : undefined;
  const detail = [error?.code, error?.message].filter((part) => typeof part === 'string' || typeof part === 'number').join(': ');
  return { ok: false, httpStatus: response.status, message: `HTTP ${response.status}${detail ? ` ${detail}` : ''}` };
}
