/**
 * Graph API error bodies as the WhatsApp Cloud API returns them, for the WhatsApp stand-in.
 *
 * Shape (Meta, "WhatsApp error codes"): `{"error":{"message","type","code","error_data":{"messaging_product":
 * "whatsapp","details"},"error_subcode"?,"fbtrace_id"}}`. The title is only part of `message` ("(#code) Title");
 * `error_subcode` is deprecated and absent from v16.0+ answers, so it is only written when a test asks for it.
 * HTTP statuses follow Meta's table: 401 for 0/190; 403 for 10, 200–299, 368, 131031, 130497; 500 for 3 and
 * 131000; 503 for 2 and 131016; 400 for everything else, including every throttling code (4, 80007, 130429,
 * 131048, 131056: Meta's current table says 400, not 429).
 */
import { randomBytes } from 'node:crypto';

export interface GraphErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    fbtrace_id: string;
  };
}

/** Title and details of the codes a connector is likely to meet; others get a generic pair. */
export const WHATSAPP_ERRORS: Record<number, { title: string; details: string }> = {
  0: { title: 'AuthException', details: 'We were unable to authenticate the app user.' },
  1: { title: 'API Unknown', details: 'Invalid request or possible server error.' },
  2: { title: 'API Service', details: 'Temporary due to downtime or due to being overloaded.' },
  3: { title: 'API Method', details: 'Capability or permissions issue.' },
  4: { title: 'API Too Many Calls', details: 'The app has reached its API call rate limit.' },
  10: { title: 'Permission Denied', details: 'Permission is either not granted or has been removed.' },
  100: { title: 'Invalid parameter', details: 'The request included one or more unsupported or misspelled parameters.' },
  190: { title: 'Access token has expired', details: 'Your access token has expired.' },
  368: { title: 'Temporarily blocked for policies violations', details: 'The WhatsApp Business Account associated with the app has been restricted or disabled for violating a platform policy.' },
  80007: { title: 'Rate limit issues', details: 'The WhatsApp Business Account has reached its rate limit.' },
  130429: { title: 'Rate limit hit', details: 'Cloud API message throughput has been reached.' },
  130472: { title: "User's number is part of an experiment", details: "Failed to send message because this user's phone number is part of an experiment." },
  131000: { title: 'Something went wrong', details: 'Message failed to send due to an unknown error.' },
  131005: { title: 'Access denied', details: 'Permission is either not granted or has been removed.' },
  131008: { title: 'Required parameter is missing', details: 'The request is missing a required parameter.' },
  131009: { title: 'Parameter value is not valid', details: 'One or more parameter values are invalid.' },
  131016: { title: 'Service unavailable', details: 'A service is temporarily unavailable.' },
  131021: { title: 'Recipient cannot be sender', details: 'Sender and recipient phone number is the same.' },
  131026: { title: 'Message Undeliverable', details: 'Unable to deliver message.' },
  131031: { title: 'Account has been locked', details: 'The WhatsApp Business Account associated with the app has been restricted or disabled.' },
  131042: { title: 'Business eligibility payment issue', details: 'There was an error related to your payment method.' },
  131047: { title: 'Re-engagement message', details: 'More than 24 hours have passed since the recipient last replied to the sender number.' },
  131048: { title: 'Spam rate limit hit', details: 'Message failed to send because there are restrictions on how many messages can be sent from this phone number.' },
  131049: { title: 'This message was not delivered to maintain healthy ecosystem engagement.', details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.' },
  131050: { title: 'User has stopped marketing messages', details: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.' },
  131051: { title: 'Unsupported message type', details: 'Unsupported message type.' },
  131056: { title: '(Business Account, Consumer Account) pair rate limit hit', details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.' },
  132000: { title: 'Number of parameters does not match the expected number of params', details: 'The number of variable parameter values included in the request did not match the number of variable parameters defined in the template.' },
  132001: { title: 'Template does not exist', details: 'The template does not exist in the specified language or the template has not been approved.' },
  132015: { title: 'Template is Paused', details: 'Template is paused due to low quality so it cannot be sent in a template message.' },
  132016: { title: 'Template is Disabled', details: 'Template has been paused too many times due to low quality and is now permanently disabled.' },
  133010: { title: 'Phone number Not Registered', details: 'The phone number is not registered on the WhatsApp Business Platform.' },
};

/** The HTTP status Meta's error-code table gives for a code. */
export function httpStatusFor(code: number): number {
  if (code === 0 || code === 190) return 401;
  if (code === 10 || (code >= 200 && code <= 299) || code === 368 || code === 131031 || code === 130497) return 403;
  if (code === 3 || code === 131000) return 500;
  if (code === 2 || code === 131016) return 503;
  return 400;
}

export function fbtraceId(): string {
  return randomBytes(12).toString('base64url');
}

export interface ErrorOverrides {
  /** Replaces `error_data.details` (and the catalog's details). */
  details?: string;
  /** Replaces the whole `message`. */
  message?: string;
  /** Written only when given (deprecated since v16.0). */
  subcode?: number;
  type?: string;
}

/** A WhatsApp error (one with `error_data`), e.g. `(#131056) (Business Account, Consumer Account) pair rate limit hit`. */
export function whatsappError(code: number, overrides: ErrorOverrides = {}): GraphErrorBody {
  const known = WHATSAPP_ERRORS[code] ?? { title: 'Error', details: 'An error occurred.' };
  return {
    error: {
      message: overrides.message ?? `(#${code}) ${known.title}`,
      type: overrides.type ?? 'OAuthException',
      code,
      ...(overrides.subcode !== undefined ? { error_subcode: overrides.subcode } : {}),
      error_data: { messaging_product: 'whatsapp', details: overrides.details ?? known.details },
      fbtrace_id: fbtraceId(),
    },
  };
}

/** Graph's own parameter error (no error_data), e.g. `(#100) The parameter to is required.` */
export function invalidParameter(message: string): GraphErrorBody {
  return { error: { message: `(#100) ${message}`, type: 'OAuthException', code: 100, fbtrace_id: fbtraceId() } };
}

/** A wrong or missing bearer token: Graph's code 190, HTTP 401. */
export function invalidToken(): GraphErrorBody {
  return {
    error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: fbtraceId() },
  };
}

/** An id that is not a node the token can use: Graph's 100 with subcode 33, type GraphMethodException, HTTP 400. */
export function unsupportedRequest(method: 'get' | 'post', id: string): GraphErrorBody {
  return {
    error: {
      message:
        `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, ` +
        'or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api',
      type: 'GraphMethodException',
      code: 100,
      error_subcode: 33,
      fbtrace_id: fbtraceId(),
    },
  };
}

/** The `errors[]` entry of a `failed` status webhook (Meta: code, title, message, error_data.details, href). */
export function webhookError(code: number, details?: string): {
  code: number;
  title: string;
  message: string;
  error_data: { details: string };
  href: string;
} {
  const known = WHATSAPP_ERRORS[code] ?? { title: 'Error', details: 'An error occurred.' };
  return {
    code,
    title: known.title,
    message: known.title,
    error_data: { details: details ?? known.details },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}
