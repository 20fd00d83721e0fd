/** Voice-call outcomes as the spec maps them (§6.1.4, §6.2.2). */

export const CALL_ERROR_CODES = {
  busy: 601,
  noAnswer: 602,
  rejected: 603,
  callFailed: 604,
  unknownNumber: 501,
} as const;

/**
 * The error code of a call that ended without an answer: its SIP final response, or null when there was
 * none (timeout, transport error). A ring timeout, where the gateway cancels, is `noAnswer`.
 */
export function sipFailureCode(status: number | null): number {
  if (status === 486 || status === 600) return CALL_ERROR_CODES.busy;
  if (status === 408 || status === 480) return CALL_ERROR_CODES.noAnswer;
  if (status === 603) return CALL_ERROR_CODES.rejected;
  if (status === 404 || status === 484 || status === 604) return CALL_ERROR_CODES.unknownNumber;
  return CALL_ERROR_CODES.callFailed;
}

/**
 * FLASHCALL caller ID (§6.2.2): the deployment's number pattern with its trailing X's replaced by the code.
 * A code whose length differs from the X's cannot be shown: null (the message becomes unsent 604).
 */
export function flashcallCallerId(pattern: string, code: string): string | null {
  const placeholders = /X+$/.exec(pattern)?.[0].length ?? 0;
  if (placeholders === 0 || code.length !== placeholders || !/^[0-9]+$/.test(code)) return null;
  return pattern.slice(0, pattern.length - placeholders) + code;
}
