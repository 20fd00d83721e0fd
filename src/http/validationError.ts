import { ApiError, errors } from './apiError.js';

/** The part of a request a schema failed on, as Fastify names it. */
export type RequestPart = 'params' | 'body' | 'querystring' | 'headers';

/**
 * The one answer to a request that fails its route's schema (spec §3.4). A path parameter that fails names no
 * resource: 404 like an unknown message (§8.2). Otherwise 422 4220 `Invalid <field>`, the first field that fails
 * in the schema's order (§6.2.4, §8.1, §9), or `Invalid request` when the part as a whole is wrong (not an object).
 */
export function schemaFailure(part: RequestPart, field: string | null): ApiError {
  if (part === 'params') return errors.notFound();
  return errors.invalid(field === null ? 'Invalid request' : `Invalid ${field}`);
}
