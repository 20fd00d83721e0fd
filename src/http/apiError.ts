/** The API error envelope (spec §3.3, §3.4). */
export interface ApiErrorBody {
  error: { code: number; msg: string; details?: unknown[] };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
    readonly details?: unknown[],
    readonly headers: Record<string, string> = {},
  ) {
    super(msg);
  }

  body(): ApiErrorBody {
    const error: ApiErrorBody['error'] = { code: this.code, msg: this.message };
    if (this.details) error.details = this.details;
    return { error };
  }
}

const basicChallenge = { 'WWW-Authenticate': 'Basic realm="direct-api"' };

export const errors = {
  badRequest: () => new ApiError(400, 4000, 'Bad request'),
  notAuthenticated: () => new ApiError(401, 4010, 'Not Authenticated', undefined, basicChallenge),
  badCredentials: () => new ApiError(401, 4012, 'Bad credentials', undefined, basicChallenge),
  accessDenied: () => new ApiError(403, 4030, 'Access Denied'),
  notFound: () => new ApiError(404, 4040, 'Not found'),
  idempotencyKeyReused: () => new ApiError(409, 4090, 'Idempotency key reused'),
  /** The sandbox cannot force this outcome on the message in its status (domain/sandboxActions.ts); `msg` says why. */
  notPossibleNow: (reason: string) => new ApiError(409, 4091, `Not possible now: ${reason}`),
  requestTimeout: () => new ApiError(408, 4080, 'Request timeout'),
  payloadTooLarge: () => new ApiError(413, 4130, 'Payload too large'),
  expectationFailed: () => new ApiError(417, 4170, 'Expectation failed'),
  invalid: (msg: string, details?: unknown[]) => new ApiError(422, 4220, msg, details),
  headersTooLarge: () => new ApiError(431, 4310, 'Request header fields too large'),
  internal: () => new ApiError(500, 5000, 'Internal error'),
  unavailable: () => new ApiError(503, 5030, 'Service unavailable', undefined, { 'Retry-After': '1' }),
};
