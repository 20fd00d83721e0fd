/**
 * VK API shapes for the community stand-in (vkCommunityStandIn.ts): a call's parameters (query string, then an
 * `application/x-www-form-urlencoded` or JSON body) and VK's error answers, which are always HTTP 200:
 *
 *   {"error": {"error_code": 900, "error_msg": "Can't send messages for users from blacklist",
 *              "request_params": [{"key": "method", "value": "messages.send"}, {"key": "oauth", "value": "1"}, …]}}
 *
 * `request_params` echoes the call's parameters except access_token, as VK does.
 */
import type { ReceivedRequest } from './receivedRequest.js';

export const VK_ERROR_MESSAGES: Record<number, string> = {
  1: 'Unknown error occurred',
  3: 'Unknown method passed',
  5: 'User authorization failed: invalid access_token (4).',
  6: 'Too many requests per second',
  8: 'Invalid request: v is required',
  9: 'Flood control',
  10: 'Internal server error',
  29: 'Rate limit reached',
  100: 'One of the parameters specified was missing or invalid',
  900: "Can't send messages for users from blacklist",
  901: "Can't send messages for users without permission",
  902: "Can't send messages to this user due to their privacy settings",
  914: 'Message is too long',
};

export interface VkErrorBody {
  error: { error_code: number; error_msg: string; request_params: Array<{ key: string; value: string }> };
}

export function vkError(code: number, method: string, params: Record<string, string>, message?: string): VkErrorBody {
  const request_params = [
    { key: 'method', value: method },
    { key: 'oauth', value: '1' },
    ...Object.entries(params)
      .filter(([key]) => key !== 'access_token')
      .map(([key, value]) => ({ key, value })),
  ];
  return { error: { error_code: code, error_msg: message ?? VK_ERROR_MESSAGES[code] ?? `Error ${code}`, request_params } };
}

/** The call's parameters as strings: the query string, then the body (form, or JSON object) over it. */
export function callParams(request: ReceivedRequest): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of new URL(request.path, 'http://stand-in').searchParams) params[key] = value;
  const type = String(request.headers['content-type'] ?? '');
  const body = request.body;
  if (type.includes('json') || (typeof body === 'object' && body !== null && !type.includes('form'))) {
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      for (const [key, value] of Object.entries(body)) params[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  } else if (request.raw.length > 0) {
    for (const [key, value] of new URLSearchParams(request.raw)) params[key] = value;
  }
  return params;
}

/** An integer parameter (VK's peer_id, random_id), or null when missing or not an integer. */
export function intParam(params: Record<string, string>, key: string): number | null {
  const value = params[key];
  if (value === undefined || !/^-?\d+$/.test(value.trim())) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}
