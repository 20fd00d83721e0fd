import type { FastifyInstance } from 'fastify';
import { isStorableText } from '../../domain/textRules.js';
import { errors } from '../apiError.js';
import type { AppDeps } from '../app.js';
import { authErrors, ErrorSchema, FlashcallConversionSchema, StatusOkSchema } from '../schemas.js';

/** `NUMBER_VERIFIERD` is one of the documentation's own spellings (spec §6.2.4). A Map: `constructor` is no result. */
const RESULTS: ReadonlyMap<string, string> = new Map([
  ['NUMBER_VERIFIED', 'NUMBER_VERIFIED'],
  ['NUMBER_VERIFIERD', 'NUMBER_VERIFIED'],
  ['WRONG_CODE', 'WRONG_CODE'],
]);

export function registerFlashcallConversionRoute(api: FastifyInstance, { store, clock }: AppDeps): void {
  api.post(
    '/flashcall-conversion',
    {
      config: { auth: { keyTypes: [1], allowBearer: true } },
      schema: {
        summary: 'Report the result of a FLASHCALL verification',
        body: FlashcallConversionSchema,
        response: { 200: StatusOkSchema, 400: ErrorSchema, 422: ErrorSchema, ...authErrors },
      },
    },
    async (request) => {
      const body = request.body;
      if (body === undefined) throw errors.badRequest();
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw errors.invalid('Invalid request');
      const { messageUuid, result, code } = body as Record<string, unknown>;
      if (typeof messageUuid !== 'string') throw errors.invalid('Invalid messageUuid');
      const normalized = typeof result === 'string' ? RESULTS.get(result) : undefined;
      if (normalized === undefined) throw errors.invalid('Invalid result');
      const codeLength = typeof code === 'string' ? [...code].length : 0;
      if (code !== undefined && code !== null && (typeof code !== 'string' || codeLength < 1 || codeLength > 16 || !isStorableText(code))) {
        throw errors.invalid('Invalid code');
      }
      const stored = await store.messages.recordFlashcallConversion(
        request.principal.accountId,
        messageUuid,
        normalized,
        typeof code === 'string' ? code : null,
        clock.now(),
      );
      if (!stored) throw errors.notFound();
      return { status: 'ok' };
    },
  );
}
