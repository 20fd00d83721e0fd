import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { errors } from '../apiError.js';
import type { AppDeps } from '../appDeps.js';
import { authErrors, ErrorSchema, FlashcallConversionSchema, StatusOkSchema } from '../schemas.js';

/** `NUMBER_VERIFIERD` is one of the documentation's own spellings (spec §6.2.4). A Map: `constructor` is no result. */
const RESULTS: ReadonlyMap<string, string> = new Map([
  ['NUMBER_VERIFIED', 'NUMBER_VERIFIED'],
  ['NUMBER_VERIFIERD', 'NUMBER_VERIFIED'],
  ['WRONG_CODE', 'WRONG_CODE'],
]);

/** `POST /flashcall-conversion` (spec §6.2.4). */
export async function flashcallConversionRoutes(api: FastifyInstance, { store, clock }: AppDeps): Promise<void> {
  api.post<{ Body: Static<typeof FlashcallConversionSchema> }>(
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
      const { messageUuid, result, code } = request.body;
      const stored = await store.messages.recordFlashcallConversion(
        request.principal.accountId,
        messageUuid,
        RESULTS.get(result)!,
        code ?? null,
        clock.now(),
      );
      if (!stored) throw errors.notFound();
      return { status: 'ok' };
    },
  );
}
